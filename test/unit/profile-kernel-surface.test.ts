/**
 * The kernel surface the shipped profiles close by argument (T65, T66, T68, T69): evaluated the
 * way the compiled filter decides, on full 64-bit register values, so a rule that an attacker
 * could pass by setting the upper half of an `int` argument (which the kernel ignores) fails here.
 * The real filter in the real kernel is exercised by test/escapes/programs/T65-T69.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadProfiles, withoutSharedInodeChannels } from '../../worker/sandbox/profile.js';
import type { ProfileRules, SeccompArgRule } from '../../worker/sandbox/spec.js';

const profiles = loadProfiles(join(import.meta.dirname, '../../profiles'), ['default', 'runtime']);
const U64 = (1n << 64n) - 1n;
/** Bits an attacker may set above a 32-bit argument: the kernel truncates them away. */
const HIGH = 0xdead_0000_0000n;

function argMatches(a: SeccompArgRule, args: readonly bigint[]): boolean {
  const v = (args[a.index] ?? 0n) & U64;
  const x = BigInt(a.value);
  switch (a.op) {
    case 'SCMP_CMP_EQ':
      return v === x;
    case 'SCMP_CMP_NE':
      return v !== x;
    case 'SCMP_CMP_LT':
      return v < x;
    case 'SCMP_CMP_LE':
      return v <= x;
    case 'SCMP_CMP_GT':
      return v > x;
    case 'SCMP_CMP_GE':
      return v >= x;
    case 'SCMP_CMP_MASKED_EQ':
      return (v & x) === BigInt(a.valueTwo ?? 0);
  }
}

/** "ALLOW", or "ERRNO(n)" for a refusal, as the filter answers `name(args)`. */
function decide(profile: ProfileRules, name: string, args: readonly (number | bigint)[]): string {
  const big = args.map(BigInt);
  const hits = profile.syscalls.filter((r) => r.names.includes(name) && (r.args ?? []).every((a) => argMatches(a, big)));
  const actions = new Set(hits.map((r) => (r.action === 'SCMP_ACT_ERRNO' ? `ERRNO(${r.errnoRet ?? 1})` : 'ALLOW')));
  // Two matching rules with different answers would leave the result to libseccomp's merge order.
  expect(actions.size, `${name}(${args.join(', ')}) matches rules with different actions`).toBeLessThanOrEqual(1);
  return [...actions][0] ?? `ERRNO(${profile.defaultErrnoRet ?? 1})`;
}

const AF_UNIX = 1,
  AF_INET = 2,
  AF_NETLINK = 16,
  AF_INET6 = 10;
const SOCK_STREAM = 1,
  SOCK_DGRAM = 2,
  SOCK_RAW = 3,
  SOCK_SEQPACKET = 5,
  SOCK_NONBLOCK = 0o4000,
  SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1,
  IPPROTO_TCP = 6,
  IPPROTO_UDP = 17;
const O_DIRECT = 0o40000,
  O_RDONLY = 0,
  O_CLOEXEC = 0o2000000,
  AT_FDCWD = -100n & ((1n << 64n) - 1n);
const F_SETFL = 4,
  F_SETLK = 6;
const ENOSYS = 'ERRNO(38)';

describe.each(['default', 'runtime'])('profile %s closes by argument', (name) => {
  const p = profiles.get(name)!;

  it('allows sockets of AF_UNIX, AF_INET and AF_INET6 with the default, TCP or UDP protocol (controls)', () => {
    for (const [fam, type, proto] of [
      [AF_UNIX, SOCK_STREAM, 0],
      [AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0],
      [AF_UNIX, SOCK_SEQPACKET, 0],
      [AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0],
      [AF_INET, SOCK_STREAM, IPPROTO_TCP],
      [AF_INET6, SOCK_DGRAM, 0],
      [AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP],
    ] as const)
      expect(decide(p, 'socket', [fam, type, proto]), `${fam} ${type} ${proto}`).toBe('ALLOW');
  });

  it('refuses netlink, MPTCP, UDP-Lite, SCTP, ICMP and raw sockets (T65, T69)', () => {
    for (const [fam, type, proto] of [
      [AF_NETLINK, SOCK_RAW, 0],
      [AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, 0],
      [AF_NETLINK, SOCK_RAW, 12],
      [AF_INET, SOCK_STREAM, 262],
      [AF_INET6, SOCK_STREAM, 262],
      [AF_INET, SOCK_DGRAM, 136],
      [AF_INET, SOCK_STREAM, 132],
      [AF_INET, SOCK_SEQPACKET, 0],
      [AF_INET6, SOCK_SEQPACKET, 132],
      [AF_INET, SOCK_DGRAM, 1],
      [AF_INET, SOCK_RAW, 0],
      [AF_INET, SOCK_STREAM, IPPROTO_UDP],
      [AF_UNIX, SOCK_STREAM, 1],
      [AF_INET, SOCK_STREAM, BigInt(IPPROTO_TCP) | HIGH],
    ] as const)
      expect(decide(p, 'socket', [fam, type, proto]), `${fam} ${type} ${proto}`).toBe(ENOSYS);
  });

  it('refuses BPF socket filters and TCP_ULP, also with high bits set, and allows ordinary options', () => {
    for (const opt of [26, 50, 51, 52]) {
      expect(decide(p, 'setsockopt', [3, SOL_SOCKET, opt]), `SOL_SOCKET ${opt}`).toBe(ENOSYS);
      expect(decide(p, 'setsockopt', [3, SOL_SOCKET, BigInt(opt) | HIGH]), `SOL_SOCKET ${opt} high`).toBe(ENOSYS);
    }
    expect(decide(p, 'setsockopt', [3, IPPROTO_TCP, 31])).toBe(ENOSYS);
    expect(decide(p, 'setsockopt', [3, IPPROTO_TCP, 31n | HIGH])).toBe(ENOSYS);
    expect(decide(p, 'setsockopt', [3, IPPROTO_UDP, 100])).toBe(ENOSYS);
    // SO_REUSEADDR 2, SO_RCVBUF 8, SO_KEEPALIVE 9, SO_ZEROCOPY 60, TCP_NODELAY 1, TCP_CONGESTION 13, IP_TOS, IPV6_V6ONLY 26.
    for (const [level, opt] of [
      [SOL_SOCKET, 2],
      [SOL_SOCKET, 8],
      [SOL_SOCKET, 9],
      [SOL_SOCKET, 60],
      [IPPROTO_TCP, 1],
      [IPPROTO_TCP, 13],
      [0, 1],
      [41, 26],
      [IPPROTO_UDP, 103],
    ] as const) {
      expect(decide(p, 'setsockopt', [3, level, opt]), `${level} ${opt}`).toBe('ALLOW');
    }
    expect(decide(p, 'getsockopt', [3, SOL_SOCKET, 26])).toBe('ALLOW');
  });

  it('refuses huge pages in mmap and memfd_create and allows the plain calls', () => {
    const MAP_PRIVATE_ANON = 0x22,
      MAP_HUGETLB = 0x40000;
    expect(decide(p, 'mmap', [0, 4096, 3, MAP_PRIVATE_ANON, -1, 0])).toBe('ALLOW');
    expect(decide(p, 'mmap', [0, 2 << 20, 3, MAP_PRIVATE_ANON | MAP_HUGETLB, -1, 0])).toBe(ENOSYS);
    expect(decide(p, 'memfd_create', [0, 1])).toBe('ALLOW');
    expect(decide(p, 'memfd_create', [0, 1 | 4])).toBe(ENOSYS);
    expect(decide(p, 'memfd_create', [0, 4n | HIGH])).toBe(ENOSYS);
  });

  it('refuses advice that evicts shared page cache and keeps what runtimes use (T68)', () => {
    // POSIX_FADV_DONTNEED 4, NOREUSE 5; NORMAL..WILLNEED 0..3 are read-ahead hints.
    for (const advice of [0, 1, 2, 3]) expect(decide(p, 'fadvise64', [3, 0, 0, advice]), `fadvise ${advice}`).toBe('ALLOW');
    for (const advice of [4n, 5n, 4n | HIGH]) expect(decide(p, 'fadvise64', [3, 0, 0, advice]), `fadvise ${advice}`).toBe(ENOSYS);
    // DONTNEED 4, FREE 8, DONTFORK 10, HUGEPAGE 14, NOHUGEPAGE 15, DONTDUMP 16, WIPEONFORK 18, POPULATE_WRITE 23, GUARD_INSTALL 102.
    for (const advice of [0, 3, 4, 8, 10, 11, 14, 15, 16, 17, 18, 19, 22, 23, 24, 102, 103]) {
      expect(decide(p, 'madvise', [0, 4096, advice]), `madvise ${advice}`).toBe('ALLOW');
    }
    // REMOVE 9, MERGEABLE 12, UNMERGEABLE 13, COLD 20, PAGEOUT 21, COLLAPSE 25, HWPOISON 100, SOFT_OFFLINE 101.
    for (const advice of [9n, 12n, 13n, 20n, 21n, 25n, 100n, 101n, 21n | HIGH]) {
      expect(decide(p, 'madvise', [0, 4096, advice]), `madvise ${advice}`).toBe(ENOSYS);
    }
  });

  it('refuses O_DIRECT with EINVAL at open and at F_SETFL, openat2 with ENOSYS and uncached reads (T68)', () => {
    expect(decide(p, 'openat', [AT_FDCWD, 0, O_RDONLY | O_CLOEXEC, 0])).toBe('ALLOW');
    expect(decide(p, 'open', [0, O_RDONLY, 0])).toBe('ALLOW');
    expect(decide(p, 'openat', [AT_FDCWD, 0, O_DIRECT | O_CLOEXEC, 0])).toBe('ERRNO(22)');
    expect(decide(p, 'open', [0, O_DIRECT, 0])).toBe('ERRNO(22)');
    expect(decide(p, 'openat2', [AT_FDCWD, 0, 0, 24])).toBe(ENOSYS);
    expect(decide(p, 'fcntl', [3, F_SETFL, 0o4000])).toBe('ALLOW');
    expect(decide(p, 'fcntl', [3, F_SETFL, O_DIRECT | 0o4000])).toBe(ENOSYS);
    expect(decide(p, 'fcntl', [3, BigInt(F_SETFL) | HIGH, O_DIRECT])).toBe(ENOSYS);
    // RWF_DONTCACHE (0x80) drops the pages a read went through; RWF_NOWAIT (8) and HIPRI (1) stay.
    for (const call of ['preadv2', 'pwritev2']) {
      expect(decide(p, call, [3, 0, 1, 0, 0, 0]), call).toBe('ALLOW');
      expect(decide(p, call, [3, 0, 1, 0, 0, 8 | 1]), call).toBe('ALLOW');
      expect(decide(p, call, [3, 0, 1, 0, 0, 0x80]), call).toBe(ENOSYS);
    }
  });

  it('keeps locks for a privileged worker and refuses them, leases and notifications for a rootless one (T66)', () => {
    const rootless = withoutSharedInodeChannels(p);
    expect(rootless.name).toBe(p.name);
    expect(decide(p, 'flock', [3, 2])).toBe('ALLOW');
    expect(decide(p, 'fcntl', [3, F_SETLK, 0])).toBe('ALLOW');
    expect(decide(rootless, 'flock', [3, 2])).toBe(ENOSYS);
    for (const cmd of [5, 6, 7, 36, 37, 38, 1024, 1025, 1026]) expect(decide(rootless, 'fcntl', [3, cmd, 0]), `fcntl ${cmd}`).toBe(ENOSYS);
    for (const call of ['inotify_init1', 'inotify_add_watch', 'fanotify_init']) expect(decide(rootless, call, [0]), call).toBe(ENOSYS);
    // Controls: the rest of fcntl and of the profile stays.
    for (const cmd of [0, 1, 2, 3, 1030, 1031, 1033]) expect(decide(rootless, 'fcntl', [3, cmd, 0]), `fcntl ${cmd}`).toBe('ALLOW');
    expect(decide(rootless, 'read', [0, 0, 0])).toBe('ALLOW');
    expect(rootless.syscalls.length).toBeLessThan(p.syscalls.length);
  });
});

describe('runtime profile watches', () => {
  it('allows inotify for a privileged worker only', () => {
    const rt = profiles.get('runtime')!;
    expect(decide(rt, 'inotify_init1', [0])).toBe('ALLOW');
    expect(decide(withoutSharedInodeChannels(rt), 'inotify_init1', [0])).toBe(ENOSYS);
  });
});
