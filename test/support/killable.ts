/**
 * The local bridges to the real servers (scripts/ws-proxy.ts, scripts/upstash-bridge.ts) as child
 * processes on fixed ports, so a test can kill one with SIGKILL mid-stream — what an outage of Neon
 * or Upstash looks like from the service — and start it again on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => ok(port));
    });
  });
}

async function waitForPort(port: number, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((ok) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), ok(true)));
      s.once('error', () => ok(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on ${port} after ${ms} ms`);
}

export interface Killable {
  port: number;
  /** SIGKILL: sockets die without a goodbye, exactly like a crashed proxy or a lost network. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function killable(script: string, port: number, env: Record<string, string>): Killable {
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, script)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForPort(port);
  };
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  return { port, start, kill, stop: kill };
}

export async function killableWsProxy(): Promise<Killable & { proxy: string }> {
  const port = await freePort();
  const k = killable('scripts/ws-proxy.ts', port, { WS_PROXY_PORT: String(port) });
  await k.start();
  return { ...k, proxy: `127.0.0.1:${port}/v1` };
}

export async function killableUpstashBridge(token: string): Promise<Killable & { url: string }> {
  const port = await freePort();
  const k = killable('scripts/upstash-bridge.ts', port, { BRIDGE_PORT: String(port), UPSTASH_REDIS_REST_TOKEN: token });
  await k.start();
  return { ...k, url: `http://127.0.0.1:${port}` };
}
