import { mkdir, writeFile } from 'node:fs/promises';
import ws from 'ws';

/**
 * A V8 CPU profile of one Worker inside its workerd, through the inspector Miniflare opens
 * (`inspectorPort`), for `npx tsx scripts/bench/profile-summary.ts`. The profiler costs CPU
 * itself: a profiled run shows where the time goes, never a ratio to report.
 */
export interface EdgeProfiler {
  stop(file: string): Promise<string>;
}

export async function startEdgeProfile(inspectorUrl: string, intervalUs = 100): Promise<EdgeProfiler> {
  const base = new URL(inspectorUrl);
  // The Worker's own target: workerd lists one per script (`core:user:<name>`).
  const list = (await (await fetch(`http://${base.host}/json/list`)).json()) as { webSocketDebuggerUrl?: string; id?: string; title?: string }[];
  const target = list.find((t) => (t.id ?? t.title ?? '').includes('core:user')) ?? list[0];
  const url = target?.webSocketDebuggerUrl ?? `ws://${base.host}/core:user:`;
  const socket = new ws(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  socket.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const w = msg.id !== undefined ? waiting.get(msg.id) : undefined;
    if (!w) return;
    waiting.delete(msg.id!);
    if (msg.error) w.reject(new Error(msg.error.message));
    else w.resolve(msg.result);
  });
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: intervalUs });
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      socket.close();
      await mkdir('artifacts/profiles', { recursive: true });
      const path = `artifacts/profiles/${file}.cpuprofile`;
      await writeFile(path, JSON.stringify(profile));
      return path;
    },
  };
}
