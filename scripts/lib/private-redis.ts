/**
 * A private, throwaway redis-server for benchmarks: nobody else talks to it, so every command it
 * counts (INFO commandstats) was sent by the process under measurement. No persistence
 * (`--save "" --appendonly no`), loopback only, on a free port, in a temporary directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** Calls per command name, as `INFO commandstats` reports them (lower case, `config|get` for subcommands). */
export type CommandStats = Record<string, number>;

export interface CommandDelta {
  /** Calls of every command but the excluded ones (by default `info`: that is us reading the stats). */
  total: number;
  byCommand: CommandStats;
}

export interface PrivateRedis {
  host: string;
  port: number;
  pid: number;
  /** Current totals since the server started. Commands run by scripts (EVAL) count too, each on its own line. */
  commandStats(): Promise<CommandStats>;
  close(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** Default: $REDIS_SERVER_BIN, else /usr/bin/redis-server. */
  binary?: string;
  /** Default: a free port. */
  port?: number;
  startTimeoutMs?: number;
}

export async function startPrivateRedis(opts: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const binary = opts.binary ?? process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
  // A free port found by binding 0 can be taken before redis-server binds it: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < (opts.port ? 1 : 5); attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await launch(binary, port, opts.startTimeoutMs ?? 10_000);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function launch(binary: string, port: number, timeoutMs: number): Promise<PrivateRedis> {
  const host = '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'bench-redis-'));
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning', '--logfile', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  // A binary that cannot be started emits 'error' (and maybe no 'exit'): either ends it.
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      collect(Buffer.from(err.message));
      resolve(null);
    });
  });
  let running = true;
  void exited.then(() => {
    running = false;
  });
  // Never leave a redis-server behind, whatever way this process ends.
  const killOnExit = () => {
    if (running) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const cleanup = async () => {
    process.off('exit', killOnExit);
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => running && child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  let stats: Redis;
  try {
    if (child.pid === undefined) throw new Error(`could not start ${binary}`);
    stats = await connectWhenReady(host, port, child, exited, timeoutMs, () => output);
  } catch (err) {
    await cleanup();
    throw err;
  }

  return {
    host,
    port,
    pid: child.pid!,
    async commandStats() {
      return parseCommandStats(await stats.info('commandstats'));
    },
    async close() {
      await stats.quit().catch(() => stats.disconnect());
      await cleanup();
    },
  };
}

/** Polls until the server answers PING (or exits, or time runs out). */
async function connectWhenReady(
  host: string,
  port: number,
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
  output: () => string,
): Promise<Redis> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  for (;;) {
    if (exitCode !== undefined) throw new Error(`redis-server exited (code ${exitCode}) on port ${port}: ${output().trim()}`);
    const client = new Redis({ host, port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    client.on('error', () => {});
    try {
      await client.connect();
      // Whoever answers must be our child, not a server that already held the port.
      const pid = /^process_id:(\d+)/m.exec(await client.info('server'))?.[1];
      if (Number(pid) === child.pid) return client;
      client.disconnect();
    } catch {
      client.disconnect();
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms: ${output().trim()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `cmdstat_set:calls=3,usec=…` lines → { set: 3 }. */
export function parseCommandStats(info: string): CommandStats {
  const out: CommandStats = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** What ran between two readings. */
export function diffCommandStats(before: CommandStats, after: CommandStats, exclude: string[] = ['info']): CommandDelta {
  const byCommand: CommandStats = {};
  let total = 0;
  for (const [name, calls] of Object.entries(after)) {
    if (exclude.includes(name)) continue;
    const d = calls - (before[name] ?? 0);
    if (d > 0) {
      byCommand[name] = d;
      total += d;
    }
  }
  return { total, byCommand };
}
