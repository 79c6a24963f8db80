/**
 * The Node server npm start runs (scripts/lib/node-server.ts), over a real socket: an answer given
 * before the body was read must leave the connection usable or close it properly, so a keep-alive
 * client never has its next request fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { createFullApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { sharedDeps } from '../../src/runtime/provider';
import { createNodeDeps } from '../../scripts/lib/node-deps';
import { serveApp } from '../../scripts/lib/node-server';

const env = { DATABASE_URL: 'memory://', API_KEYS: 'k', LOG_LEVEL: 'error' };
let node: Awaited<ReturnType<typeof createNodeDeps>>;
let served: Awaited<ReturnType<typeof serveApp>>;

beforeAll(async () => {
  node = await createNodeDeps(loadConfig(env), { migrate: true });
  served = await serveApp(createFullApp(sharedDeps(node.deps)), { env, port: 0, hostname: '127.0.0.1' });
});
afterAll(async () => {
  await served?.close();
  await node?.close();
});

function request(agent: http.Agent, opts: { method: string; path: string; body?: string; headers?: Record<string, string> }) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; socket: net.Socket }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: served.port, agent, method: opts.method, path: opts.path, headers: { Authorization: 'Bearer k', ...opts.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, socket: res.socket as net.Socket }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('the Node server and keep-alive', () => {
  it('a 300 KB body answered 413 closes the connection; the next request (new connection) succeeds', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const big = await request(agent, { method: 'POST', path: '/api/citas', body: JSON.stringify({ title: 'x'.repeat(300_000) }), headers: { 'Content-Type': 'application/json' } });
    expect(big.status).toBe(413);
    expect(big.headers.connection).toBe('close');
    expect(JSON.parse(big.body)).toMatchObject({ code: 'payload_too_large' });
    const next = await request(agent, { method: 'GET', path: '/healthz' });
    expect(next.status).toBe(200);
    agent.destroy();
  });

  it('an early 401 on a request with an unread body closes too; answers that read the body keep the connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const denied = await request(agent, { method: 'POST', path: '/api/citas', body: '{"a":1}', headers: { Authorization: 'Bearer nope', 'Content-Type': 'application/json' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.connection).toBe('close');
    const first = await request(agent, { method: 'POST', path: '/api/citas', body: '{"title":1}', headers: { 'Content-Type': 'application/json' } });
    expect(first.status).toBe(422);
    expect(first.headers.connection).toBe('keep-alive');
    const second = await request(agent, { method: 'GET', path: '/healthz' });
    expect(second.status).toBe(200);
    expect(second.socket).toBe(first.socket); // the same connection, reused
    agent.destroy();
  });

  it('pipelined on one raw socket: the 413 is the last answer on it, and says so', async () => {
    const sock = net.connect(served.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let text = '';
    sock.on('data', (d) => (text += d.toString()));
    const closed = new Promise((r) => sock.once('close', r));
    const body = 'x'.repeat(300_000);
    sock.write(`POST /api/citas HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 413/);
    expect(text.toLowerCase()).toContain('connection: close');
  });
});
