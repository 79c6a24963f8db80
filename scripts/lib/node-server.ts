/**
 * Serving a Hono app on Node (npm start, tests that need a real socket). On Workers the runtime
 * owns connections; on Node one detail is ours: an answer given before the request body was read
 * (413, a 401 from auth, any early error) must not leave a keep-alive connection with unread bytes
 * in it — @hono/node-server then drops the socket, and a client that trusted `Connection:
 * keep-alive` fails its next request. Such answers say `Connection: close`, and Node closes the
 * connection properly once the answer is out.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'hono';

type Env = Record<string, unknown> | NodeJS.ProcessEnv;
type FetchApp = { fetch: (req: Request, env?: Record<string, unknown>, ctx?: ExecutionContext) => Response | Promise<Response> };

/**
 * What Workers give every request: `waitUntil` for work after the response (metrics flushes,
 * pushes to GHL). Node keeps the promises so a shutdown can wait for them.
 */
export function nodeExecutionContext() {
  const pending = new Set<Promise<unknown>>();
  const ctx: ExecutionContext = {
    waitUntil(p: Promise<unknown>) {
      const tracked = p.catch(() => {}).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    passThroughOnException() {},
    props: {},
  };
  return { ctx, settle: async () => void (await Promise.all(pending)) };
}

export function closesConnection(req: Request, res: Response): boolean {
  return req.body !== null && (res.status === 413 || !req.bodyUsed);
}

export function nodeFetch(app: FetchApp, env: Env, ctx: ExecutionContext = nodeExecutionContext().ctx) {
  return async (req: Request): Promise<Response> => {
    const res = await app.fetch(req, env as Record<string, unknown>, ctx);
    if (!closesConnection(req, res)) return res;
    const headers = new Headers(res.headers);
    headers.set('Connection', 'close');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}

export async function serveApp(app: FetchApp, opts: { env: Env; port: number; hostname: string }) {
  const execution = nodeExecutionContext();
  const server = serve({ fetch: nodeFetch(app, opts.env, execution.ctx), port: opts.port, hostname: opts.hostname });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://${opts.hostname}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await execution.settle();
    },
  };
}
