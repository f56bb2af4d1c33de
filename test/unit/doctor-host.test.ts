/**
 * The doctor's host checks decide from the files of a host; each case gives the files of a host
 * that breaks a run (or does not) and expects the level and the fix the operator reads.
 */
import { describe, expect, it } from 'vitest';
import { checkAppArmorUserns, checkCgroupDelegation, checkSocketBuffers, checkUserNamespaces, type HostView } from '../../worker/doctor-host.js';

/** A host made of the given files (path → content) and owners (path → uid). */
function host(files: Record<string, string>, uid = 0, owners: Record<string, number> = {}): HostView {
  return {
    read: (p) => files[p],
    exists: (p) => p in files || Object.keys(files).some((f) => f.startsWith(`${p}/`)),
    ownerOf: (p) => owners[p],
    uid,
    cgroupRoot: '/cg',
    cgroupParent: 'bulkhead',
  };
}
const V2 = { '/cg/cgroup.controllers': 'cpuset cpu io memory pids' };
const V1 = { '/cg/memory/x': '', '/cg/pids/x': '', '/cg/cpu/x': '', '/cg/cpuacct/x': '' };

describe('doctor host checks', () => {
  it('cgroup v2 as root: needs the parent with memory, pids and cpu enabled (host-setup)', () => {
    expect(checkCgroupDelegation(host(V2))).toMatchObject({ level: 'fail', fix: 'npm run host-setup' });
    expect(checkCgroupDelegation(host({ ...V2, '/cg/bulkhead/cgroup.subtree_control': 'memory pids' })).detail).toContain('does not enable cpu');
    expect(checkCgroupDelegation(host({ ...V2, '/cg/bulkhead/cgroup.subtree_control': 'cpu memory pids' })).level).toBe('ok');
  });

  it('cgroup v2 rootless: its own cgroup must be delegated to it (Delegate=yes)', () => {
    const files = { ...V2, '/proc/self/cgroup': '0::/system.slice/bulkhead-worker.service\n' };
    const dir = '/cg/system.slice/bulkhead-worker.service';
    const bad = checkCgroupDelegation(host(files, 999, { [dir]: 0, [`${dir}/cgroup.procs`]: 0 }));
    expect(bad.level).toBe('fail');
    expect(bad.fix).toContain('Delegate=yes');
    expect(checkCgroupDelegation(host(files, 999, { [dir]: 999, [`${dir}/cgroup.procs`]: 999 })).level).toBe('ok');
  });

  it("cgroup v2 at the root of a container's cgroup namespace, owned by its root, is usable", () => {
    const ns = { ...V2, '/cg/cgroup.events': 'populated 1\n', '/cg/cgroup.procs': '1\n' };
    expect(checkCgroupDelegation(host(ns, 0, { '/cg/cgroup.procs': 0 })).level).toBe('ok');
    expect(checkCgroupDelegation(host(ns, 0, { '/cg/cgroup.procs': 65534 })).level).toBe('fail');
  });

  it('cgroup v2 without the memory controller fails', () => {
    expect(checkCgroupDelegation(host({ '/cg/cgroup.controllers': 'cpu pids' })).detail).toContain('memory');
  });

  it('cgroup v1: every hierarchy present; rootless it must own the parents', () => {
    expect(checkCgroupDelegation(host({ '/cg/memory/x': '' })).level).toBe('fail');
    expect(checkCgroupDelegation(host(V1)).level).toBe('ok');
    expect(checkCgroupDelegation(host(V1, 999)).fix).toBe('as root: npm run host-setup');
  });

  it("user namespaces: a zero limit fails everyone, Debian's knob fails rootless only", () => {
    expect(checkUserNamespaces(host({ '/proc/sys/user/max_user_namespaces': '0\n' })).level).toBe('fail');
    const debianOff = { '/proc/sys/user/max_user_namespaces': '1000\n', '/proc/sys/kernel/unprivileged_userns_clone': '0\n' };
    expect(checkUserNamespaces(host(debianOff, 999)).fix).toBe('sysctl -w kernel.unprivileged_userns_clone=1');
    expect(checkUserNamespaces(host(debianOff, 0)).level).toBe('ok');
  });

  it('Ubuntu 24.04 AppArmor restriction fails a rootless worker, with the profile as the fix', () => {
    const ubuntu = { '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1\n' };
    const rootless = checkAppArmorUserns(host(ubuntu, 999));
    expect(rootless.level).toBe('fail');
    expect(rootless.fix).toContain('scripts/deploy/apparmor/bulkhead-worker');
    expect(checkAppArmorUserns(host(ubuntu, 0)).level).toBe('ok');
    expect(checkAppArmorUserns(host({}, 999)).level).toBe('ok');
  });

  it('raised socket buffer maxima warn on cgroup v1 without a socket limit only (v2 and v1 kmem.tcp charge them)', () => {
    const raised = { '/proc/sys/net/core/rmem_max': '4194304\n', '/proc/sys/net/core/wmem_max': '212992\n' };
    expect(checkSocketBuffers(host({ ...V1, ...raised })).level).toBe('warn');
    expect(checkSocketBuffers(host({ ...V1, ...raised, '/cg/memory/memory.kmem.tcp.limit_in_bytes': '0' })).level).toBe('ok');
    expect(checkSocketBuffers(host({ ...V2, ...raised })).level).toBe('ok');
    expect(checkSocketBuffers(host({ ...V1, '/proc/sys/net/core/rmem_max': '212992\n' })).level).toBe('ok');
  });
});
