/**
 * A WebSocket → TCP proxy speaking the protocol of Neon's wsproxy (`/v1?address=host:port`,
 * binary frames piped both ways), so @neondatabase/serverless — the driver we deploy with —
 * can talk to a plain local Postgres. Node-only; for development and tests.
 *
 * Run: `tsx scripts/ws-proxy.ts` (WS_PROXY_PORT, default 5488); then NEON_WS_PROXY=127.0.0.1:5488/v1.
 */
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';

// Only loopback targets: this proxy must never become a way out to other hosts.
const ALLOWED_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export async function startWsProxy(opts: { port?: number; host?: string } = {}): Promise<{
  port: number;
  /** Value for NEON_WS_PROXY. */
  proxy: string;
  close(): Promise<void>;
}> {
  const wss = new WebSocketServer({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const address = url.searchParams.get('address') ?? '';
    const sep = address.lastIndexOf(':');
    const host = address.slice(0, sep);
    const port = Number(address.slice(sep + 1));
    if (url.pathname !== '/v1' || !ALLOWED_HOSTS.has(host) || !Number.isInteger(port) || port <= 0) {
      ws.close(1008, 'address not allowed');
      return;
    }
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const pending: Buffer[] = [];
    let connected = false;
    socket.on('connect', () => {
      connected = true;
      for (const chunk of pending.splice(0)) socket.write(chunk);
    });
    ws.on('message', (data: Buffer) => (connected ? socket.write(data) : pending.push(data)));
    socket.on('data', (chunk) => ws.send(chunk));
    socket.on('close', () => ws.close());
    socket.on('error', () => ws.close(1011, 'upstream error'));
    ws.on('close', () => socket.destroy());
    ws.on('error', () => socket.destroy());
  });
  const port = (wss.address() as net.AddressInfo).port;
  return {
    port,
    proxy: `127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { proxy } = await startWsProxy({ port: Number(process.env.WS_PROXY_PORT ?? 5488) });
  console.log(`Neon WebSocket proxy listening; set NEON_WS_PROXY=${proxy}`);
}
