import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (ms) used so far by the local database and store servers, from /proc (Linux): on two
 * cores their work competes with the process under measurement, so a phase's throughput depends
 * on it too. Backends that exit take their time with them; the benchmarks' pools keep theirs open.
 * Empty where /proc is not there.
 */
export function serverCpuMs(names: readonly string[] = ['postgres', 'redis-server']): Record<string, number> {
  const out: Record<string, number> = {};
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!names.includes(comm)) continue;
    // After "(comm) ": state is field 3, utime and stime fields 14 and 15, in clock ticks (100 per second).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out[comm] = (out[comm] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10;
  }
  return out;
}
