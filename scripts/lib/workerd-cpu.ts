import { readdirSync, readFileSync } from 'node:fs';

/**
 * The workerd processes Miniflare spawned for this process, and their CPU time, from /proc
 * (Linux): each Miniflare instance runs its own `workerd`, a direct child of this process, so a
 * benchmark can charge each Worker's CPU to it. Empty / NaN where /proc is not there.
 */

interface ProcStat {
  comm: string;
  ppid: number;
  /** utime + stime of every thread, living or gone, in ms (clock ticks of 10 ms). */
  cpuMs: number;
}

function procStat(pid: number | string): ProcStat | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  // After "(comm) ": state is field 3, ppid field 4, utime and stime fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { comm, ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
}

/** Pids of this process's children named `comm` (default: workerd). */
export function childPids(comm = 'workerd'): number[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  return pids.filter((p) => {
    const s = procStat(p);
    return s !== null && s.comm === comm && s.ppid === process.pid;
  }).map(Number);
}

/** CPU time (ms) a process has used so far; NaN when it cannot be read. */
export function processCpuMs(pid: number): number {
  return procStat(pid)?.cpuMs ?? NaN;
}
