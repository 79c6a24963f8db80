/**
 * The GHL sandbox over HTTP. `tsx scripts/ghl-sandbox/server.ts` serves it on GHL_SANDBOX_PORT
 * (default 8790) seeded with DEMO_SEED; tests and scripts call startGhlSandboxServer().
 * The /_sandbox control routes have no auth: bind to localhost only. With `webhookUrl`
 * (GHL_SANDBOX_WEBHOOK_URL when run directly) appointment webhooks go there, Ed25519-signed.
 */
import { serve, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { SimulatedNetworkFailure } from './errors';
import { createGhlSandbox, DEMO_SEED, type GhlSandbox } from './index';

export async function startGhlSandboxServer(
  opts: { port?: number; host?: string; sandbox?: GhlSandbox; webhookUrl?: string } = {},
): Promise<{ url: string; sandbox: GhlSandbox; close(): Promise<void> }> {
  const sandbox = opts.sandbox ?? createGhlSandbox();
  if (opts.webhookUrl !== undefined) sandbox.configureWebhooks({ url: opts.webhookUrl });
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve(
      {
        hostname: host,
        port: opts.port ?? 0,
        fetch: async (req: Request, env: HttpBindings | Http2Bindings) => {
          try {
            return await sandbox.app.fetch(req, env);
          } catch (err) {
            if (!(err instanceof SimulatedNetworkFailure)) throw err;
            // A connection reset: the client gets no status line at all.
            env.incoming.socket.destroy();
            return new Response(null, { status: 500 });
          }
        },
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    sandbox,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections would otherwise hold close() open until they time out.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

const runDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  const sandbox = createGhlSandbox();
  sandbox.seed(DEMO_SEED);
  const port = Number(process.env.GHL_SANDBOX_PORT ?? 8790);
  const webhookUrl = process.env.GHL_SANDBOX_WEBHOOK_URL || undefined;
  const running = await startGhlSandboxServer({ port, host: process.env.HOST ?? '127.0.0.1', sandbox, webhookUrl });
  const token = sandbox.createPrivateToken('demo-location');
  console.log(
    [
      `GHL sandbox listening on ${running.url} (control API under /_sandbox: local use only, no auth)`,
      `  location: demo-location (America/Lima), calendars demo-cal-dra-gomez, demo-cal-sala-2, demo-cal-old (inactive)`,
      `  PIT:      ${token}`,
      `  webhooks: ${webhookUrl ?? 'off'} (keys: GET ${running.url}/_sandbox/webhooks/keys; set: POST /_sandbox/webhooks/config)`,
      `  OAuth:    curl -X POST ${running.url}/_sandbox/oauth/code -d '{"locationId":"demo-location"}'`,
      `  try:      curl -H 'Authorization: Bearer ${token}' -H 'Version: 2021-04-15' '${running.url}/calendars/?locationId=demo-location'`,
    ].join('\n'),
  );
  const shutdown = async () => {
    await running.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
