/**
 * What the floor Workers share (not a Worker itself): their bindings, and the Neon pool each
 * request builds, as the service's Workers do (src/runtime/worker-provider.ts: Workers forbid I/O
 * objects crossing requests), pointed at the ws-proxy the same way src/db/neon.ts useWsProxy does.
 */
import { Pool, neonConfig } from '@neondatabase/serverless';

export interface FloorEnv {
  DATABASE_URL: string;
  NEON_WS_PROXY: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  APP_TIMEZONE: string;
  /** The webhook floor's public key (base64 SPKI) and idempotency key lifetime, as the service has them. */
  GHL_WEBHOOK_ED25519_PUBLIC_KEY?: string;
  IDEMPOTENCY_TTL_MS?: string;
  /** Keeps the floor's keys apart from the service's in the one Redis. */
  STORE_PREFIX?: string;
}

/** A pool for this request; `end` goes to waitUntil once the answer is ready. */
export function requestPool(env: FloorEnv): Pool {
  // The same settings as useWsProxy (src/db/neon.ts): plain WebSocket, no pipelined auth, no TLS.
  neonConfig.wsProxy = (host, port) => `${env.NEON_WS_PROXY}?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.forceDisablePgSSL = true;
  const pool = new Pool({ connectionString: env.DATABASE_URL });
  pool.on('error', () => {});
  return pool;
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
