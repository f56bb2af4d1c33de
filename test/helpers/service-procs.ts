/**
 * Host processes as the fault tests need them: which processes carry a marker in their command
 * line (a run's unique argument), and which of those do not descend from a given set of live
 * processes (a sandboxed program left behind by a killed worker).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One host process. */
export interface HostProcess {
  pid: number;
  commandLine: string;
  /** Parent pids, nearest first, up to pid 1. */
  ancestors: number[];
}

/** Processes whose command line contains `marker`. */
export function processesWith(marker: string): HostProcess[] {
  const found: HostProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (commandLine.includes(marker)) found.push({ pid: Number(entry), commandLine, ancestors: ancestorsOf(Number(entry)) });
    } catch {
      // The process ended while we looked: not there.
    }
  }
  return found;
}

/** Processes carrying `marker` that descend from none of `livePids` (orphans of a dead parent). */
export function orphansWith(marker: string, livePids: readonly number[]): HostProcess[] {
  return processesWith(marker).filter((p) => !p.ancestors.some((a) => livePids.includes(a)));
}

function ancestorsOf(pid: number): number[] {
  const chain: number[] = [];
  let current = pid;
  while (current > 1 && chain.length < 64) {
    const stat = readFileSync(`/proc/${current}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(parent) || parent <= 0) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}
