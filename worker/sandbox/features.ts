/**
 * Host detection, once at start: cgroup version, time namespaces, privileged or rootless.
 * Reads only /proc and /sys; no environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { SandboxFeatures } from './sandbox.js';

/** Default mount point of the cgroup filesystems. */
export const CGROUP_MOUNT_ROOT = '/sys/fs/cgroup';

/** What the host offers, beyond the port's SandboxFeatures. */
export interface HostFeatures extends SandboxFeatures {
  /** Unprivileged user namespaces can be created (needed rootless; always true as root). */
  userNamespaces: boolean;
}

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** cgroup v2 when the mount root is itself a cgroup2 hierarchy, else v1. */
export function detectCgroupVersion(mountRoot: string = CGROUP_MOUNT_ROOT): 1 | 2 {
  return existsSync(`${mountRoot}/cgroup.controllers`) ? 2 : 1;
}

/**
 * True in the initial user namespace, whose id map is the identity over every id. Root anywhere
 * else (a container's user namespace) cannot make device nodes that open (T66).
 */
export function inInitialUserNamespace(uidMapText: string | undefined = readTrimmed('/proc/self/uid_map')): boolean {
  return (uidMapText ?? '').trim().split(/\s+/).join(' ') === '0 0 4294967295';
}

/** Detects the host's features. `uid` is the worker's effective uid. */
export function detectFeatures(uid: number, mountRoot: string = CGROUP_MOUNT_ROOT): HostFeatures {
  const maxUserNs = Number(readTrimmed('/proc/sys/user/max_user_namespaces') ?? '0');
  const debianKnob = readTrimmed('/proc/sys/kernel/unprivileged_userns_clone');
  return {
    cgroupVersion: detectCgroupVersion(mountRoot),
    timeNamespace: existsSync('/proc/self/ns/time'),
    privileged: uid === 0,
    freshDevices: uid === 0 && inInitialUserNamespace(),
    userNamespaces: uid === 0 || (maxUserNs > 0 && debianKnob !== '0'),
  };
}
