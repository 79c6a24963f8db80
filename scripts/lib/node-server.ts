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

type Env = Record<string, unknown> | NodeJS.ProcessEnv;
type FetchApp = { fetch: (req: Request, env?: Record<string, unknown>) => Response | Promise<Response> };

export function closesConnection(req: Request, res: Response): boolean {
  return req.body !== null && (res.status === 413 || !req.bodyUsed);
}

export function nodeFetch(app: FetchApp, env: Env) {
  return async (req: Request): Promise<Response> => {
    const res = await app.fetch(req, env as Record<string, unknown>);
    if (!closesConnection(req, res)) return res;
    const headers = new Headers(res.headers);
    headers.set('Connection', 'close');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}

export async function serveApp(app: FetchApp, opts: { env: Env; port: number; hostname: string }) {
  const server = serve({ fetch: nodeFetch(app, opts.env), port: opts.port, hostname: opts.hostname });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://${opts.hostname}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
