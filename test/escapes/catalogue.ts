/**
 * The attack corpus as data: one or more entries per THREATS.md row (T01–T76; T65, T66 (rootless),
 * T68 and T69 come from ./catalogue-kernel.ts), each naming a real attack program in
 * test/escapes/programs/ and the safe outcome the service must show. The
 * service-level attack suite iterates `ATTACKS`, submits each program through POST /run
 * ({ language, source, stdin?, limits? }) and asserts `expect`; test/unit/escapes-catalogue.test.ts
 * guards the catalogue itself (coverage, files, expectations).
 *
 * Programs print JSON lines `{"check": name, "ok": bool, "errno": "EPERM"}`: `ok` says the probed
 * operation succeeded (or the probed condition holds). Every "blocked" check sits beside a control
 * that succeeds, so a program that could not run its probes fails the expectation instead of
 * passing vacuously.
 */
import {
  BOMB_LIMITS, COMPILE_BOMB, COMPILE_STAGE_BOMB, CONTAINED, EPERMISH, MEM_LIMITS, MiB, NO_HOST_DATA, PLACEHOLDERS, ROFS,
  UNREACHABLE, blockedAll, maybeNo, no, ok, probe, program, type AttackEntry,
} from './catalogue-model.js';
import { KERNEL_ATTACKS } from './catalogue-kernel.js';
export { PLACEHOLDERS } from './catalogue-model.js';
export type { AttackEntry, AttackExpectation, HostEntry, ProgramEntry, ResidualEntry } from './catalogue-model.js';

/** Every entry, in THREATS.md order. */
export const ATTACKS: readonly AttackEntry[] = [
  // ---- resources and limits ----
  program('T01', 'fork bomb (C)', 'c', 'T01-fork-bomb.c',
    { statusIn: ['TIME_LIMIT', 'RUNTIME_ERROR'], checks: [ok('fork-first'), no('fork-unbounded', ['EAGAIN'])], host: CONTAINED },
    { limits: BOMB_LIMITS }),
  program('T01', 'fork bomb (shell)', 'bash', 'T01-fork-bomb.sh',
    { statusIn: ['OK', 'TIME_LIMIT', 'RUNTIME_ERROR'], checks: [ok('bomb-start')], host: CONTAINED }, { limits: BOMB_LIMITS }),
  program('T01', 'fork bomb (Python)', 'python', 'T01-fork-bomb.py',
    { statusIn: ['TIME_LIMIT', 'RUNTIME_ERROR'], checks: [ok('fork-first'), no('fork-unbounded', ['EAGAIN'])], host: CONTAINED },
    { limits: BOMB_LIMITS }),
  probe('T02', 'thread bomb', 'T02-thread-bomb.c',
    [ok('thread-create-first'), no('thread-create-unbounded', ['EAGAIN']), ok('threads-below-10000')], { host: CONTAINED }),
  probe('T03', 'zombie flood', 'T03-zombie-flood.c',
    [ok('fork-first'), no('fork-unbounded', ['EAGAIN']), ok('zombies-below-10000')], { host: CONTAINED }),
  program('T04', 'memory bomb (C)', 'c', 'T04-memory-bomb.c',
    { statusIn: ['MEMORY_LIMIT'], memoryAtLeastFractionOfLimit: 0.8, checks: [ok('malloc-first')], host: ['service-healthy'] },
    { limits: MEM_LIMITS }),
  program('T04', 'memory bomb (Python)', 'python', 'T04-memory-bomb.py',
    { statusIn: ['MEMORY_LIMIT', 'RUNTIME_ERROR'], checks: [ok('first-block')], host: ['service-healthy'] }, { limits: MEM_LIMITS }),
  program('T04', 'memory bomb (JavaScript Buffers)', 'javascript', 'T04-memory-bomb.js',
    { statusIn: ['MEMORY_LIMIT', 'RUNTIME_ERROR'], checks: [ok('first-block')], host: ['service-healthy'] },
    { limits: { memoryBytes: 192 * MiB, wallTimeMs: 10_000 } }),
  program('T05', 'memory outside RSS (memfd, tmpfs)', 'c', 'T05-memfd-tmpfs.c', {
    statusIn: ['MEMORY_LIMIT', 'OK'], memoryAtLeastFractionOfLimit: 0.5,
    checks: [ok('memfd-create'), ok('tmp-open'), ok('first-mib-written'),
      maybeNo('tmp-fill-unbounded', ['ENOSPC', 'ENOMEM', 'EFBIG']), maybeNo('memfd-fill-unbounded', ['ENOSPC', 'ENOMEM', 'EFBIG'])],
  }, { limits: MEM_LIMITS }),
  program('T06', 'stack overflow', 'c', 'T06-stack-overflow.c',
    { statusIn: ['RUNTIME_ERROR'], signal: 'SIGSEGV', checks: [ok('recursion-start')] }),
  program('T07', 'CPU spin', 'c', 'T07-cpu-spin.c',
    { statusIn: ['TIME_LIMIT'], timeLimit: 'cpu', checks: [ok('spin-start')] }, { limits: { cpuTimeMs: 1000, wallTimeMs: 5000 } }),
  program('T08', 'CPU spin on 8 threads', 'c', 'T08-cpu-threads.c',
    { statusIn: ['TIME_LIMIT'], checks: [ok('threads-started')], host: ['benign-run-unaffected'] },
    { limits: { cpuTimeMs: 1000, wallTimeMs: 5000 }, hostCheck: 'run.wallTimeMs stays below the wall limit plus grace; run.cpuTimeMs >= cpuTimeMs' }),
  program('T09', 'CPU burned by an orphaned child', 'c', 'T09-orphan-cpu.c',
    { statusIn: ['OK', 'TIME_LIMIT'], checks: [ok('child-forked')], host: CONTAINED }, { limits: { cpuTimeMs: 1000, wallTimeMs: 3000 } }),
  program('T10', 'sleep forever', 'bash', 'T10-sleep-forever.sh',
    { statusIn: ['TIME_LIMIT'], timeLimit: 'wall', checks: [ok('sleeping')], stdoutExcludes: ['woke-up'] },
    { limits: { wallTimeMs: 2000 }, hostCheck: 'run.cpuTimeMs stays far below the CPU limit (under 500 ms)' }),
  program('T11', 'ignore and block polite signals, then spin', 'c', 'T11-ignore-signals.c',
    { statusIn: ['TIME_LIMIT'], checks: [ok('signals-ignored'), no('sigkill-ignored', ['EINVAL'])] },
    { limits: { cpuTimeMs: 1000, wallTimeMs: 3000 } }),
  program('T12', 'self-SIGSTOP', 'c', 'T12-self-stop.c',
    { statusIn: ['TIME_LIMIT'], timeLimit: 'wall', checks: [ok('stopping')], stdoutExcludes: ['"resumed"'], host: CONTAINED },
    { limits: { wallTimeMs: 2000 } }),
  program('T13', 'stdout flood', 'c', 'T13-stdout-flood.c',
    { statusIn: ['OUTPUT_LIMIT'], stdoutTruncated: true, host: ['service-healthy'] },
    { limits: { outputBytes: 65536 }, hostCheck: 'returned stdout is at most outputBytes; the run ends within 1 s of wall time' }),
  program('T14', 'stderr flood', 'python', 'T14-stderr-flood.py',
    { statusIn: ['OUTPUT_LIMIT'], stderrTruncated: true, checks: [ok('flood-start')], host: ['service-healthy'] },
    { limits: { outputBytes: 65536 }, hostCheck: 'returned stderr is at most outputBytes' }),
  program('T15', 'hostile output bytes (invalid UTF-8, NUL, ANSI, fake JSON, fake HTTP)', 'python', 'T15-weird-output.py',
    { statusIn: ['OK'], stdoutIncludes: ['X-Injected: t15', '"injected":true', 'nul:\u0000\u0000end'], host: ['response-valid-json'] },
    { hostCheck: 'the raw response parses as JSON, carries no X-Injected header, and its top-level status is OK (not ACCEPTED)' }),
  program('T16', 'status spoofing: exit 137', 'bash', 'T16-exit-137.sh', { statusIn: ['RUNTIME_ERROR'], exitCode: 137, checks: [ok('exiting-137')] }),
  program('T16', 'status spoofing: exit 124', 'python', 'T16-exit-124.py', { statusIn: ['RUNTIME_ERROR'], exitCode: 124, checks: [ok('exiting-124')] }),
  program('T16', 'status spoofing: self-SIGKILL', 'c', 'T16-self-sigkill.c', { statusIn: ['RUNTIME_ERROR'], signal: 'SIGKILL', checks: [ok('killing-self')] }),
  program('T16', 'status spoofing: self-SIGXCPU', 'c', 'T16-self-sigxcpu.c', { statusIn: ['RUNTIME_ERROR'], signal: 'SIGXCPU', checks: [ok('raising-sigxcpu')] }),
  program('T17', 'disk fill in tmpfs', 'c', 'T17-disk-fill.c', {
    statusIn: ['OK', 'MEMORY_LIMIT'],
    checks: [ok('tmp-open'), ok('first-mib-written'), maybeNo('write-unbounded', ['ENOSPC', 'EDQUOT', 'EFBIG'])],
  }, { hostCheck: 'host disk free space is unchanged (within 1 MiB) after the run' }),
  program('T18', 'inode exhaustion in tmpfs', 'python', 'T18-inode-flood.py',
    { statusIn: ['OK', 'MEMORY_LIMIT'], checks: [ok('create-first'), maybeNo('create-unbounded', ['ENOSPC'])] }, { limits: { wallTimeMs: 10_000 } }),
  probe('T19', 'fd exhaustion', 'T19-fd-exhaust.c', [ok('open-first'), no('open-unbounded', ['EMFILE']), ok('fds-at-most-65536')],
    { host: ['service-healthy'] }),
  probe('T20', 'raise limits, priority, scheduling class', 'T20-raise-limits.c', [
    no('rlimit-raise-hard', ['EPERM']), ok('rlimit-lower-soft'), no('rlimit-raise-core', ['EPERM']),
    no('oom-score-adj-lower', ['EACCES', 'EPERM']), ok('oom-score-adj-raise'), no('nice-negative', ['EACCES', 'EPERM']),
    ok('nice-positive'), no('sched-fifo', ['EPERM']), no('ioprio-realtime', ['EPERM']),
  ]),
  // ---- filesystem ----
  probe('T21', 'write outside tmpfs', 'T21-write-outside.c', [
    ...['create-root', 'create-etc', 'create-usr-bin', 'write-etc-passwd', 'mkdir-etc', 'rename-etc-hosts'].map((n) => no(n, ROFS)),
    no('write-bin-sh', [...ROFS, 'ETXTBSY']), no('write-ld-so', [...ROFS, 'ETXTBSY']), ok('create-tmp'), ok('create-workdir'),
  ]),
  {
    // The marker paths arrive on stdin (one per line); without them the marker facts are never printed.
    ...probe('T22', 'read host files and markers', 'T22-read-host.py', [
      // The image's own /etc/shadow may be readable (THREATS T22: a non-init userns over the image's file); it holds no hash.
      ok('read-etc-hostname-control'), no('etc-shadow-holds-password-hash'), no('read-host-marker-0', ['ENOENT', 'EACCES']),
      no('read-host-marker-0-via-proc1-root', ['ENOENT', 'EACCES']), no('read-proc1-root-shadow', ['EACCES', 'ENOENT']),
      no('proc-root-outside-sandbox'),
    ], { stdoutExcludes: [PLACEHOLDERS.hostMarkerContent], host: ['markers-unchanged'] }),
    stdin: `${PLACEHOLDERS.hostMarkerPath}\n`,
  },
  {
    // RLIMIT_FSIZE (SBX_FILE_SIZE_BYTES, 64 MiB) refuses the 1 TiB sparse file; the 60 MiB one fits under it.
    ...probe('T23', 'symlinks, FIFO and sparse file planted at output and source paths', 'T23-planted-links.sh',
      [ok('link-created'), ok('fifo-created'), ok('planted'), ok('sparse-created'), no('sparse-1tib-created'), no('hardlink-etc')],
      { stdoutExcludes: NO_HOST_DATA, host: ['markers-unchanged', 'service-healthy'] }),
    stdin: `${PLACEHOLDERS.hostMarkerPath}\n`,
    hostCheck: 'plant a marker file on the host; run this (and a compiled-language variant whose links replace the binary); afterwards the marker keeps content, owner and mode, no response field holds its content, and the response arrives within wall limit plus grace (no hang on the FIFO or the sparse files)',
  },
  {
    ...probe('T23', 'links planted at the compiled output path by the compiled program', 'T23-planted-links.c',
      [ok('tmp-link-control'), ok('links-planted'), ok('shadow-link'), ok('proc-root-link'), ok('fifo-created'), ok('sparse-created')],
      { stdoutExcludes: NO_HOST_DATA, host: ['markers-unchanged', 'service-healthy'] }),
    stdin: `${PLACEHOLDERS.hostMarkerPath}\n`,
    hostCheck: 'as the shell variant; the binary also tries to replace itself (./main, the compiled output) with a link to the marker',
  },
  {
    kind: 'host', id: 'T24', title: 'path traversal in file names and the language field',
    hostCheck: 'POST /run with files named "../x", "/etc/x", "a/../../x", "x\\u0000y", a 300-byte name and language "../../bin/sh": each answers 400 (SBX_ERR_FILE_NAME or SBX_ERR_RUNTIME_UNKNOWN); nothing is created outside the work directory on the host',
    expect: { host: ['service-healthy', 'markers-unchanged'] },
  },
  probe('T25', 'device nodes', 'T25-devices.c', [
    no('mknod-char-mem', EPERMISH), no('mknod-block', EPERMISH), ok('mkfifo'), ok('open-dev-null'), ok('dev-only-safe-nodes'),
    ...['mem', 'kmem', 'port', 'kvm', 'net-tun', 'fuse', 'sda', 'vda', 'nvme0n1', 'xvda', 'loop0', 'userfaultfd']
      .map((d) => no(`open-${d}`, ['ENOENT', 'EACCES', 'EPERM', 'ENXIO'])),
  ]),
  // ---- network ----
  { ...probe('T26', 'network egress and host loopback services', 'T26-net-egress.py', [
    ...['tcp-public', 'tcp-private', 'tcp-metadata', 'udp-public-dns'].map((n) => no(n, UNREACHABLE)),
    ...[6379, 3000, 22].flatMap((p) => [no(`tcp-loopback4-${p}`, ['ECONNREFUSED']), no(`tcp-loopback6-${p}`, ['ECONNREFUSED', 'EADDRNOTAVAIL', 'ENETUNREACH'])]),
    ok('tcp-own-listener-control'), ok('only-lo'), no('default-route'),
  ]), limits: { wallTimeMs: 20_000 } },
  probe('T27', 'unix sockets: engine, Redis, abstract namespace', 'T27-unix-sockets.py', [
    ...['var-run-docker.sock', 'run-docker.sock', 'run-containerd-containerd.sock', 'run-redis-redis.sock',
      'var-run-redis-redis-server.sock', 'tmp-redis.sock', 'run-dbus-system_bus_socket', 'run-systemd-private']
      .map((p) => no(`connect-${p}`, ['ENOENT', 'ECONNREFUSED', 'EACCES'])),
    ...['containerd-shim', 'bulkhead', 'tmp-.X11-unix-X0'].map((p) => no(`connect-abstract-${p}`, ['ECONNREFUSED'])),
    ok('connect-own-abstract-control'), no('foreign-unix-sockets-visible'),
  ]),
  probe('T28', 'raw, packet and netlink-route manipulation', 'T28-raw-netlink.c', [
    no('socket-raw-icmp', EPERMISH), no('socket-packet', EPERMISH), no('socket-netlink-netfilter', [...EPERMISH, 'EPROTONOSUPPORT']),
    ok('socket-udp-control'), no('socket-netlink-route', ['ENOSYS']),
  ]),
  probe('T29', 'AF_VSOCK and AF_ALG sockets', 'T29-vsock-alg.c',
    blockedAll(['socket-vsock', 'socket-alg', 'socket-key', 'socket-bluetooth'], [...EPERMISH, 'EAFNOSUPPORT'], 'socket-unix')),
  // ---- namespaces and privileged kernel interfaces ----
  probe('T30', 'user namespace creation (unshare, clone, clone3)', 'T30-userns.c', [
    ...['unshare-user', 'unshare-mount', 'unshare-net', 'clone-newuser', 'clone-newpid', 'clone3-newuser']
      .map((n) => no(n, ['EPERM', 'ENOSYS', 'EINVAL'])),
    ok('fork-plain'),
  ]),
  probe('T31', 'mount family', 'T31-mount.c', blockedAll(
    ['mount-tmpfs', 'mount-proc', 'mount-bind-root', 'remount-root-rw', 'umount-proc', 'pivot-root', 'chroot', 'fsopen',
      'open-tree', 'move-mount', 'fspick', 'mount-setattr'], ['EPERM', 'ENOSYS'], 'mkdir-target')),
  probe('T32', 'setns into /proc/1/ns', 'T32-setns.c', [
    ok('open-own-ns'), no('setns-own-uts', ['EPERM']),
    ...['mnt', 'user', 'pid', 'net', 'ipc', 'uts', 'cgroup'].flatMap((k) => [
      maybeNo(`open-pid1-${k}`, ['EACCES', 'EPERM', 'ENOENT']), maybeNo(`setns-pid1-${k}`, ['EPERM'])]),
  ]),
  probe('T33', 'kernel keyring', 'T33-keyring.c', blockedAll(['add-key', 'keyctl-get-session', 'request-key'], ['EPERM', 'ENOSYS'], 'getpid-control')),
  probe('T34', 'bpf() map and program load', 'T34-bpf.c', blockedAll(['bpf-map-create', 'bpf-prog-load'], ['EPERM', 'ENOSYS'], 'getpid-control')),
  probe('T35', 'userfaultfd', 'T35-userfaultfd.c', [
    no('userfaultfd-syscall', ['EPERM', 'ENOSYS']), no('userfaultfd-syscall-user-only', ['EPERM', 'ENOSYS']),
    no('open-dev-userfaultfd', ['ENOENT', 'EACCES', 'EPERM']), ok('getpid-control'),
  ]),
  probe('T36', 'perf_event_open', 'T36-perf.c', blockedAll(['perf-sw-self', 'perf-hw-all-cpus'], ['EPERM', 'ENOSYS', 'EACCES'], 'getpid-control')),
  probe('T37', 'io_uring', 'T37-io-uring.c',
    blockedAll(['io-uring-setup', 'io-uring-enter', 'io-uring-register'], ['EPERM', 'ENOSYS'], 'getpid-control')),
  program('T38', 'i386 ABI through int 0x80', 'c', 'T38-int80.c', {
    statusIn: ['RUNTIME_ERROR'], signal: 'SIGSYS', seccompViolation: true, checks: [ok('before-int80')],
    stdoutExcludes: ['"check":"int80-getpid","ok":true'],
  }),
  program('T38', 'x32 ABI (syscall number with bit 30)', 'c', 'T38-x32.c', {
    statusIn: ['RUNTIME_ERROR'], signal: 'SIGSYS', seccompViolation: true, checks: [ok('before-x32')],
    stdoutExcludes: ['"check":"x32-getpid","ok":true'],
  }),
  probe('T39', 'modules, kexec, reboot, swap, acct, port I/O, clock, hostname, syslog, quota', 'T39-kernel-admin.c', blockedAll(
    ['init-module', 'finit-module', 'delete-module', 'kexec-load', 'kexec-file-load', 'reboot-bad-magic', 'swapon', 'swapoff', 'acct',
      'iopl', 'ioperm', 'adjtimex-set', 'sethostname', 'setdomainname', 'syslog-read-all', 'quotactl', 'lookup-dcookie'],
    ['EPERM', 'ENOSYS'], 'uname-control')),
  probe('T40', 'open_by_handle_at (shocker)', 'T40-shocker.c',
    blockedAll(['name-to-handle-at', 'open-by-handle-at'], ['EPERM'], 'open-hostname-control')),
  probe('T41', 'capability, no_new_privs and seccomp posture', 'T41-posture.sh',
    ['read-status-control', 'CapInh-zero', 'CapPrm-zero', 'CapEff-zero', 'CapBnd-zero', 'CapAmb-zero', 'no-new-privs', 'seccomp-filter'].map(ok)),
  probe('T42', 'setuid and file-capability binaries', 'T42-setuid-binaries.sh',
    [ok('find-control'), no('setuid-euid-root'), ok('capeff-zero'), ok('tmp-nosuid')]),
  probe('T43', 'ptrace, process_vm_readv and /proc/pid/mem', 'T43-ptrace.c', [
    ...['ptrace-attach-pid1', 'ptrace-traceme', 'process-vm-readv-pid1', 'process-vm-writev-pid1'].map((n) => no(n, ['EPERM', 'ENOSYS', 'ESRCH'])),
    no('open-proc1-mem', ['EACCES', 'EPERM', 'ENOENT']), ok('open-self-mem-control'),
  ]),
  program('T44', 'signal storm on every visible pid', 'bash', 'T44-signal-storm.sh',
    { statusIn: ['OK', 'RUNTIME_ERROR'], checks: [ok('storm-start')], host: ['service-healthy', 'benign-run-unaffected', 'no-leftover-processes'] },
    { hostCheck: 'run a benign program concurrently: it ends OK; the worker pid is unchanged after the storm; GET /health is OK' }),
  probe('T45', 'pid namespace leak', 'T45-pid-visibility.sh', [ok('own-pid-visible-control'), ok('few-pids-visible'), no('host-process-visible')]),
  probe('T46', 'environment leak, including /proc/1/environ', 'T46-env-leak.py',
    [ok('env-has-path-control'), no('own-env-secret'), no('proc-environ-secret')],
    { stdoutExcludes: [PLACEHOLDERS.workerSecret] }),
  probe('T47', 'mount layout and writable host mounts', 'T47-mountinfo.py',
    [ok('read-mountinfo-control'), no('rw-block-fs-mount'), ok('root-read-only')]),
  probe('T48', 'writes to /proc/sys, /sys, sysrq-trigger, core_pattern, binfmt_misc, uevent_helper', 'T48-proc-sys-write.sh',
    [ok('write-tmp-control'), ...['write-core-pattern', 'write-sysrq-trigger', 'write-binfmt-register', 'write-uevent-helper',
      'write-drop-caches', 'write-hostname-sysctl', 'write-sys-class'].map((n) => no(n))]),
  probe('T49', 'kernel information leaks', 'T49-kernel-info.py', [
    ok('read-proc-self-stat-control'),
    ...['read-kcore', 'read-kmsg', 'read-keys', 'read-timer-list', 'read-sched-debug', 'read-sysrq-trigger', 'read-vmcoreinfo',
      'kallsyms-real-addresses', 'sys-firmware-listable'].map((n) => no(n)),
  ]),
  probe('T50', 'cgroup escape (limits, procs, release_agent)', 'T50-cgroup-escape.sh', [
    ok('write-tmp-control'),
    ...['write-memory-max', 'write-pids-max', 'write-own-procs', 'write-parent-procs', 'write-release-agent', 'mount-cgroup-v1',
      'mount-cgroup2', 'cgroup-file-writable'].map((n) => no(n)),
  ]),
  probe('T51', 'leaked fds and cwd outside the root', 'T51-leaked-fds.c',
    [ok('fd0-valid-control'), no('inherited-fd-above-2'), ok('cwd-under-box'), ok('dotdot-chain-ends-at-root')]),
  probe('T52', 'overwrite the runtime through /proc/pid/exe', 'T52-proc-exe-overwrite.c', blockedAll(
    ['open-self-exe-write', 'open-pid1-exe-write', 'open-own-binary-path-write', 'open-ld-so-write'],
    ['ETXTBSY', 'EACCES', 'EROFS', 'ENOENT', 'EPERM'], 'open-self-exe-read-control')),
  probe('T53', 'controlling tty and TIOCSTI', 'T53-tty.py', [
    no('fd0-is-tty'), no('fd1-is-tty'), no('fd2-is-tty'), ok('fd0-pipe-or-null'), ok('fd1-pipe-or-null'), ok('fd2-pipe-or-null'),
    ok('fstat-stdout-control'), no('open-dev-tty', ['ENXIO', 'ENOENT', 'EACCES']), no('tiocsti-stdin', ['ENOSYS', 'ENOTTY', 'EPERM', 'EIO']),
  ]),
  program('T54', 'orphan daemon (double fork, setsid, SIGHUP ignored, stdout kept open)', 'c', 'T54-daemon.c',
    { statusIn: ['OK', 'TIME_LIMIT'], checks: [ok('parent-exiting')], stdoutExcludes: ['daemon-survived-1000s'], host: CONTAINED },
    { limits: { wallTimeMs: 3000 }, hostCheck: 'the response arrives within the wall limit plus grace' }),
  program('T55', 'cross-run persistence', 'bash', 'T55-persistence.sh',
    { statusIn: ['OK'], stdoutIncludes: ['"check":"plant-/tmp/t55","ok":true'] },
    { stdin: 'plant\n', followUp: { stdin: 'check\n', expect: {
      statusIn: ['OK'], stdoutExcludes: ['"ok":true'],
      checks: ['/tmp/t55', '/var/tmp/t55', '/dev/shm/t55', './t55'].map((p) => no(`found-${p}`)),
    } } }),
  program('T56', 'covert channels between concurrent runs', 'python', 'T56-covert-channel.py', {
    statusIn: ['OK'], host: ['concurrent-pair'],
    checks: [ok('flock-exclusive'), ok('abstract-bind'), ok('tmp-create-control'), { ...ok('shm-create'), optional: true },
      no('peer-shm-file-visible'), no('peer-tmp-file-visible')],
  }, { stdin: 'a\n', hostCheck: 'start two copies at once, stdin "a" and "b"; both meet expect' }),
  program('T57', 'core dump to a host pipe helper', 'c', 'T57-core-dump.c', {
    statusIn: ['RUNTIME_ERROR'], signal: 'SIGABRT', checks: [ok('core-hard-limit-one'), no('core-raise', ['EPERM']), ok('aborting')],
  }, { hostCheck: 'no core file appears on the host and no core_pattern helper process starts during the run' }),
  probe('T58', 'clock manipulation', 'T58-clock.c',
    blockedAll(['settimeofday', 'clock-settime', 'adjtimex-set', 'clock-adjtime-set'], ['EPERM'], 'clock-gettime-control')),
  // ---- compile-time attacks ----
  program('T59', 'compiler reads #include "/dev/zero"', 'c', 'T59-include-dev-zero.c',
    { statusIn: COMPILE_BOMB, compileStatusIn: COMPILE_STAGE_BOMB, host: ['service-healthy', 'benign-run-unaffected'] }),
  program('T59', 'compiler includes /etc/shadow', 'c', 'T59-include-shadow.c',
    // gcc echoes the image's own /etc/shadow lines (no hashes); the suite checks no host shadow line appears anywhere.
    { statusIn: ['COMPILE_ERROR'], compileStatusIn: ['RUNTIME_ERROR'], compileOutputExcludes: ['$1$', '$5$', '$6$', '$y$', PLACEHOLDERS.hostMarkerContent] }),
  program('T59', 'assembler .incbin of the compile environment', 'c', 'T59-incbin-environ.c',
    { statusIn: ['OK'], checks: [ok('incbin-control')], stdoutExcludes: [PLACEHOLDERS.workerSecret, 'REDIS_URL'] }),
  program('T59', 'template instantiation bomb', 'cpp', 'T59-template-bomb.cpp',
    { statusIn: COMPILE_BOMB, compileStatusIn: COMPILE_STAGE_BOMB, host: ['service-healthy'] }),
  program('T59', 'compiler error flood', 'cpp', 'T59-error-flood.cpp',
    { statusIn: COMPILE_BOMB, compileStatusIn: COMPILE_STAGE_BOMB, host: ['service-healthy'] },
    { hostCheck: 'compile.stdout and compile.stderr are each at most outputBytes; worker memory stays bounded' }),
  probe('T60', 'raw syscalls from Python ctypes', 'T60-ctypes-syscalls.py', [
    ok('syscall-getpid'), ok('getpid-control'),
    ...['unshare-newuser', 'mount-tmpfs', 'keyctl-get-session', 'bpf-map-create', 'ptrace-attach-pid1', 'setns-zero'].map((n) => no(n, ['EPERM'])),
    no('clone3-zero', ['ENOSYS']),
  ]),
  probe('T60', 'namespace and mount shell tools', 'T60-shell-tools.sh', [
    ok('id-uid-1000-control'),
    ...['unshare-user', 'unshare-mount', 'nsenter-pid1', 'mount-tmpfs', 'chroot-tmp', 'capsh-gain', 'setpriv-caps'].map((n) => no(n)),
  ]),
  // ---- the service itself ----
  {
    kind: 'host', id: 'T61', title: 'API abuse',
    hostCheck: 'POST /run with negative, zero, fractional and 2^63 limits, a 100 MiB source, 100 MiB stdin, an unknown language, malformed JSON, 10 000-deep nesting and invalid UTF-8: each answers 4xx (SBX_ERR_VALIDATION, SBX_ERR_LIMIT_TOO_HIGH, SBX_ERR_BODY_TOO_LARGE, SBX_ERR_RUNTIME_UNKNOWN, SBX_ERR_BAD_JSON, SBX_ERR_BAD_UTF8), never 5xx; GET /health is OK afterwards',
    expect: { host: ['service-healthy'] },
  },
  {
    kind: 'residual', id: 'T62', title: 'side channels (cache timing, SMT, global /proc stats)', residual: true,
    reason: 'Out of scope for pass/fail: shared caches and SMT siblings leak timing between runs and the host. Mitigations are operational: no SMT sharing between runs (core scheduling or nosmt), perf_event_open and mincore/cachestat refused by the default profile.',
  },
  {
    kind: 'residual', id: 'T63', title: 'kernel 0-day through allowed syscalls', residual: true,
    reason: 'A kernel bug reachable through an allowed syscall defeats any namespace sandbox. Minimised by the allow-list seccomp profiles (no userns, io_uring, bpf, keyrings, perf), prompt kernel updates; gVisor or a microVM per run is the upgrade path.',
  },
  program('T64', 'child closes stdin while the worker writes MiBs of stdin', 'c', 'T64-stdin-epipe.c',
    { statusIn: ['OK', 'RUNTIME_ERROR'], checks: [ok('close-stdin'), ok('still-running')], host: ['service-healthy'] },
    { stdinFillBytes: 8 * MiB, hostCheck: 'the worker process survives (no SIGPIPE/EPIPE crash) and GET /health is OK' }),
  ...KERNEL_ATTACKS,
  // ---- containment gaps (issue 12) ----
  program('T66', 'shared /dev inodes: flock and timestamps of /dev/null between concurrent runs', 'c', 'T66-dev-inodes.c', {
    statusIn: ['OK'], host: ['concurrent-pair'],
    checks: [ok('open-dev-null'), ok('flock-dev-null'), no('second-open-flock', ['EWOULDBLOCK', 'EAGAIN']), ok('tmp-flock-control'),
      ok('tmp-touch-control'), no('touch-dev-null', ['EROFS']), no('foreign-touch-seen')],
  }, { stdin: 'a\n', hostCheck: 'start two copies at once, stdin "a" and "b"; both lock /dev/null and neither sees the other touch it (privileged workers: fresh nodes per run)' }),
  probe('T67', 'privileges of container pid 1', 'T67-pid1-privileges.c', [
    ok('own-status-control'), ok('pid1-status-readable'), ok('pid1-caps-kill-and-read-search-only'), ok('pid1-bounding-empty'),
    ok('pid1-no-new-privs'), ok('pid1-seccomp-filter'), no('ptrace-attach-pid1', EPERMISH),
  ]),
  probe('T70', 'host facts: /proc counters, PSI, pid 1 argv, hostname, uptime', 'T70-host-facts.c', [
    ok('cpuinfo-control'), ok('self-status-control'), ok('interrupts-masked'), ok('softirqs-masked'), ok('locks-masked'),
    ok('boot-id-masked'), no('pressure-cpu-open', ['ENOENT', 'EACCES', 'EROFS']), ok('pid1-argv-neutral'), ok('etc-hostname-neutral'),
    ok('monotonic-near-zero'), ok('boottime-near-zero'), ok('uptime-near-zero'),
  ], { stdoutExcludes: ['bulkhead/r', 'cgroup.procs'] }),
  probe('T71', 'rename, unlink and replace the read-only compiled binary and source', 'T71-stage-files.c', [
    ok('main-present'), ok('own-create-control'), ok('own-rename-control'), ok('own-unlink-control'), ok('fake-create-control'),
    ...['rename-main', 'unlink-main', 'unlink-source', 'replace-main', 'replace-source', 'chmod-main'].map((n) => no(n, ['EPERM', 'EACCES'])),
    no('rewrite-main', ['EACCES', 'ETXTBSY']), no('rewrite-source', ['EACCES']), ok('main-unchanged'),
  ]),
  probe('T72', 'inherited scheduling and resource limits, oom_score_adj', 'T72-inherited-limits.c', [
    ok('rtprio-zero'), ok('rttime-zero'), ok('nice-zero'), ok('memlock-small'), ok('sigpending-bounded'), ok('nproc-bounded'),
    no('sched-fifo', ['EPERM']), no('nice-negative', ['EACCES', 'EPERM']), ok('nice-raise-control'), ok('oom-score-adj-1000'),
    ok('child-oom-score-adj-1000'), no('oom-score-adj-below-zero', ['EACCES', 'EPERM']),
  ]),
  program('T73', 'lower RLIMIT_CORE to 0, then crash (pipe core_pattern)', 'c', 'T73-core-pipe.c', {
    statusIn: ['RUNTIME_ERROR'], signal: 'SIGABRT',
    checks: [ok('core-limit-one'), no('core-lower-to-zero', ['EPERM']), no('core-prlimit-to-zero', ['EPERM']), no('core-raise', ['EPERM']),
      ok('core-prlimit-read-control'), ok('nofile-lower-control'), ok('child-crashed'), no('child-dumped-core'), no('core-file-in-box'),
      ok('aborting')],
  }, { hostCheck: 'no core file appears in the run or on the host, and no core_pattern helper process starts during the run' }),
];
