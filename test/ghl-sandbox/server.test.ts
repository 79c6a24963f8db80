import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SEED, createGhlSandbox } from '../../scripts/ghl-sandbox';
import { startGhlSandboxServer } from '../../scripts/ghl-sandbox/server';

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

describe('startGhlSandboxServer', () => {
  it('serves the sandbox over HTTP on a random port', async () => {
    const sandbox = createGhlSandbox();
    sandbox.seed(DEMO_SEED);
    const server = await startGhlSandboxServer({ port: 0, sandbox });
    running.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.sandbox).toBe(sandbox);

    const { token } = (await (
      await fetch(`${server.url}/_sandbox/private-token`, { method: 'POST', body: JSON.stringify({ locationId: 'demo-location' }) })
    ).json()) as { token: string };
    const res = await fetch(`${server.url}/calendars/?locationId=demo-location`, { headers: { Authorization: `Bearer ${token}`, Version: '2021-04-15' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-max')).toBe('100');
    expect(((await res.json()) as any).calendars).toHaveLength(3);
  });

  it('a network fault resets the connection', async () => {
    const server = await startGhlSandboxServer({});
    running.push(server);
    server.sandbox.seed(DEMO_SEED);
    const token = server.sandbox.createPrivateToken('demo-location');
    server.sandbox.injectFault({ kind: 'network', count: 1 });
    const headers = { Authorization: `Bearer ${token}`, Version: '2021-07-28', Connection: 'close' };
    await expect(fetch(`${server.url}/locations/demo-location`, { headers })).rejects.toThrow(TypeError);
    expect(server.sandbox.stats().injected).toEqual({ network: 1 });
    expect((await fetch(`${server.url}/locations/demo-location`, { headers })).status).toBe(200);
  });
});
