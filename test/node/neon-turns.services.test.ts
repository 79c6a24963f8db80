/**
 * The edge benchmark counts database round trips from outside (scripts/lib/delay-proxy.ts with
 * scripts/lib/neon-ws-turns.ts in front of the ws-proxy). Here, against the real PostgreSQL with
 * Neon's driver: each awaited statement is one turn, the upgrade and the startup one each, the
 * pool's end a goodbye (or two); and with a delay each turn waits a round trip.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Pool } from '@neondatabase/serverless';
import ws from 'ws';
import { useWsProxy } from '../../src/db/neon';
import { startDelayProxy, type DelayProxy } from '../../scripts/lib/delay-proxy';
import { neonWsInspector, turnKind } from '../../scripts/lib/neon-ws-turns';

const services = inject('services')!;
let proxy: DelayProxy;

beforeAll(async () => {
  const wsPort = Number(/:(\d+)\//.exec(services.wsProxy)![1]);
  proxy = await startDelayProxy({ targetPort: wsPort, delayMs: 10, inspect: neonWsInspector });
  useWsProxy(`127.0.0.1:${proxy.port}/v1`, ws);
});
afterAll(async () => {
  await proxy.close();
});

describe("Neon's driver through the delay proxy", () => {
  it('makes one turn per awaited statement, after the upgrade and the startup, and a goodbye at the end', async () => {
    const pool = new Pool({ connectionString: services.pgAdminUrl });
    const t0 = performance.now();
    const client = await pool.connect();
    await client.query('begin');
    await client.query('select $1::int as n', [1]);
    await client.query('commit');
    const elapsed = performance.now() - t0;
    client.release();
    await pool.end();
    await new Promise((r) => setTimeout(r, 100));

    const conns = proxy.connections.filter((c) => c.openedAt >= t0);
    expect(conns).toHaveLength(1);
    const kinds = conns[0]!.turns.map((t) => turnKind(t.labels));
    expect(kinds.slice(0, 5)).toEqual(['upgrade', 'startup', 'statement', 'statement', 'statement']);
    // Then the goodbye: Terminate, and the WebSocket's close (one turn or two, as the client sends them).
    expect(kinds.slice(5).length).toBeGreaterThanOrEqual(1);
    expect(new Set(kinds.slice(5))).toEqual(new Set(['goodbye']));
    // Five round trips of 20 ms before the commit's answer.
    expect(elapsed).toBeGreaterThanOrEqual(5 * 20);
    expect(conns[0]!.closedAt).not.toBeNull();
  });
});
