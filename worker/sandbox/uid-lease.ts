/**
 * T75: host id pairs leased host-wide, so two workers on one host never hand the same host uids
 * to concurrent runs (they could signal, ptrace or share files with each other's runs).
 *
 * One lease per pair (container root, sandbox user), held as a listening abstract unix socket
 * named after the pair: the kernel refuses a second bind of that name (EADDRINUSE) and frees it
 * the moment the holder dies, however it dies, so no stale lock is ever left. Abstract names
 * belong to a network namespace: workers sharing ids must share one (as host processes do).
 */
import { createServer, type Server } from 'node:net';
import { SandboxError } from './errors.js';

/** The pairs a worker holds; `roots[slot]` is the first id of slot's pair (the second is root + 1). */
export interface IdLease {
  readonly roots: readonly number[];
  /** Gives every pair back (idempotent). */
  release(): void;
}

/** The abstract socket name of the pair starting at `root` in `scope`. */
export function leaseName(scope: string, root: number): string {
  return `\0bulkhead-ids/${scope}/${root}`;
}

function listen(name: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      server.close();
      if (err.code === 'EADDRINUSE') resolve(undefined);
      else reject(err);
    });
    server.listen({ path: name, exclusive: true }, () => {
      // A lease must never keep the worker alive.
      server.unref();
      resolve(server);
    });
  });
}

/**
 * Leases up to `want` free pairs from [first, first + count), lowest first, skipping pairs other
 * processes hold. `scope` separates id spaces (host ids; one user's subordinate ids).
 * @throws SandboxError (SBX_ERR_HOST_SETUP) when no pair is free
 */
export async function leaseIdPairs(scope: string, first: number, count: number, want: number): Promise<IdLease> {
  const servers: Server[] = [];
  const roots: number[] = [];
  try {
    for (let root = first; root + 1 < first + count && roots.length < want; root += 2) {
      const server = await listen(leaseName(scope, root));
      if (server === undefined) continue;
      servers.push(server);
      roots.push(root);
    }
  } catch (err) {
    for (const s of servers) s.close();
    throw new SandboxError('host', 0, `id lease failed: ${(err as Error).message}`, { cause: err });
  }
  if (roots.length === 0) {
    throw new SandboxError('host', 0, `every host id pair in ${first}..${first + count - 1} is held by other workers; give this worker its own range (SBX_UID_BASE)`);
  }
  let released = false;
  return {
    roots,
    release() {
      if (released) return;
      released = true;
      for (const s of servers) s.close();
    },
  };
}
