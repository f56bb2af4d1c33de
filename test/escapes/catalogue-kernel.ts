/**
 * Attack entries for the kernel memory and kernel surface rows of THREATS.md (T65 memory outside
 * the cgroup, T66 shared device inodes on a rootless worker, T68 page-cache eviction, T69 unneeded
 * protocols and socket filters). Appended to ATTACKS by ./catalogue.ts.
 */
import { MiB, no, ok, probe, program, type AttackEntry, type FactExpectation } from './catalogue-model.js';

/** The run limit of the memory attacks; the host-side check compares growth with it. */
const KERNEL_MEMORY_LIMIT_BYTES = 128 * MiB;
/** A seccomp refusal (ENOSYS, the profiles' default), or the kernel's own where it refuses first. */
const REFUSED = ['ENOSYS', 'EPERM', 'EAFNOSUPPORT', 'EPROTONOSUPPORT', 'ESOCKTNOSUPPORT', 'EINVAL', 'EACCES'];
const refused = (...names: string[]): FactExpectation[] => names.map((n) => no(n, REFUSED));
/** A fact that may be missing (the run was stopped at its memory limit first) but must hold when printed. */
const okIfPrinted = (name: string): FactExpectation => ({ ...ok(name), optional: true });

export const KERNEL_ATTACKS: readonly AttackEntry[] = [
  program('T65', 'netlink receive queues outside the memory cgroup (C)', 'c', 'T65-netlink-flood.c', {
    statusIn: ['OK'], host: ['kernel-memory-bounded', 'service-healthy'],
    checks: [ok('socket-udp-control'), ok('getifaddrs-fails-cleanly'), no('netlink-route-socket', ['ENOSYS'])],
  }, { limits: { memoryBytes: KERNEL_MEMORY_LIMIT_BYTES, wallTimeMs: 10_000 } }),
  program('T65', 'netlink receive queues outside the memory cgroup (Python)', 'python', 'T65-netlink-flood.py', {
    statusIn: ['OK'], host: ['kernel-memory-bounded', 'service-healthy'],
    checks: [ok('socket-udp-control'), ok('if-nameindex-fails-cleanly'), no('netlink-route-socket', ['ENOSYS'])],
  }, { limits: { memoryBytes: KERNEL_MEMORY_LIMIT_BYTES, wallTimeMs: 10_000 } }),
  program('T65', 'TCP and UDP loopback socket buffers (cgroup v1 charges them only with a socket limit)', 'c', 'T65-socket-buffers.c', {
    // v2 charges socket memory to memory.max, which may end the run at its limit.
    statusIn: ['OK', 'MEMORY_LIMIT'], host: ['kernel-memory-bounded', 'service-healthy', 'benign-run-unaffected'],
    checks: [ok('tcp-rmem-max-at-most-1mib'), ok('udp-first-datagram-queued'), okIfPrinted('tcp-first-write'), okIfPrinted('tcp-queued-below-limit')],
  }, { stdin: String(KERNEL_MEMORY_LIMIT_BYTES / MiB), limits: { memoryBytes: KERNEL_MEMORY_LIMIT_BYTES, wallTimeMs: 15_000 } }),
  probe('T65', 'huge pages outside the memory cgroup (MAP_HUGETLB, MFD_HUGETLB, SHM_HUGETLB)', 'T65-huge-pages.c', [
    ok('mmap-anon-control'), ok('memfd-control'),
    ...['mmap-hugetlb', 'memfd-hugetlb', 'memfd-hugetlb-high-bits', 'shmget-hugetlb'].map((n) => no(n, ['ENOSYS'])),
  ]),
  program('T66', 'locks, leases and inotify on host device inodes (rootless worker)', 'python', 'T66-shared-inodes.py', {
    statusIn: ['OK'],
    checks: [ok('write-dev-null-control'), ...['flock-dev-null', 'fcntl-setlk-dev-null', 'fcntl-getlk-dev-null',
      'fcntl-setlease-dev-null', 'inotify-init'].map((n) => no(n, ['ENOSYS']))],
  }, { rootlessOnly: 'the suite runs privileged workers; test/sandbox/rootless-shared-inodes.test.ts runs this program on a rootless one' }),
  program('T68', 'page-cache eviction of image files (fadvise, madvise, O_DIRECT, RWF_DONTCACHE)', 'c', 'T68-page-cache-evict.c', {
    statusIn: ['OK'], host: ['page-cache-kept'],
    checks: [
      ...['open-image-file-control', 'fadvise-sequential-control', 'fadvise-willneed-control', 'mmap-image-file-control',
        'madvise-dontneed-control', 'fcntl-setfl-nonblock-control', 'preadv2-control'].map(ok),
      ...['fadvise-dontneed', 'fadvise-noreuse', 'madvise-pageout', 'madvise-cold', 'madvise-remove', 'fcntl-setfl-o-direct',
        'preadv2-dontcache'].map((n) => no(n, ['ENOSYS'])),
      no('open-o-direct', ['EINVAL']),
    ],
  }, { imageFile: 'usr/lib/gcc/x86_64-linux-gnu/12/libasan.a' }),
  probe('T69', 'MPTCP, UDP-Lite, SCTP, ICMP sockets, BPF socket filters, TCP_ULP', 'T69-socket-surface.c', [
    ...['socket-tcp-control', 'socket-udp-control', 'setsockopt-reuseaddr-control', 'setsockopt-nodelay-control'].map(ok),
    // The kernel itself serves MPTCP and UDP-Lite: only seccomp's ENOSYS shows they are closed.
    ...['socket-mptcp', 'socket-mptcp6', 'socket-mptcp-high-bits', 'socket-udplite'].map((n) => no(n, ['ENOSYS'])),
    ...refused('socket-sctp', 'socket-seqpacket-default', 'socket-icmp'),
    ...['so-attach-filter', 'so-attach-filter-high-bits', 'so-attach-reuseport-cbpf', 'tcp-ulp-tls', 'tcp-ulp-tls-high-bits'].map((n) => no(n, ['ENOSYS'])),
  ]),
];
