import * as z from 'zod/v4';
import { isValidZone } from '../domain/time';

/**
 * Configuration comes from the environment (process.env on Node, bindings on Workers) and is
 * validated once. A bad value stops the service with an error naming the variable, instead of
 * failing later on the first request that happens to touch it.
 */

const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

const databaseUrl = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined))
  .refine((v) => v === undefined || v === 'memory://' || /^postgres(ql)?:\/\//.test(v), {
    message: "must be 'memory://' or a postgres:// URL (unset = embedded PGlite)",
  });

export const configSchema = z
  .object({
    DATABASE_URL: databaseUrl,
    PGLITE_DIR: z.string().default('./.data/pglite'),
    NEON_WS_PROXY: z
      .string()
      .optional()
      .refine((v) => v === undefined || !/^[a-z]+:\/\//i.test(v), {
        message: 'host:port/path without a protocol, e.g. 127.0.0.1:5488/v1',
      }),
    UPSTASH_REDIS_REST_URL: z.url({ protocol: /^https?$/ }).optional(),
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
    APP_TIMEZONE: z
      .string()
      .default('America/Lima')
      .refine(isValidZone, { message: 'not a known IANA time zone (e.g. America/Lima)' }),
    API_KEYS: list,
    /** How long a process trusts its lookup of an admin-made key (a revocation takes effect within it). */
    API_KEY_CACHE_MS: z.coerce.number().int().min(0).default(30_000),
    ADMIN_API_KEYS: list,
    CORS_ORIGINS: list,
    /**
     * Also allow any http://localhost / 127.0.0.1 origin (a front end under development). Only
     * `npm start` turns this on, and only when CORS_ORIGINS is empty; never in deployed config.
     */
    CORS_ALLOW_LOCALHOST: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    PUBLIC_BASE_URL: z.url().optional(),
    /**
     * How long counts (metrics, rate-limit windows, list change counters) may wait in a process
     * before reaching the shared store: one batched write per interval, after a response.
     */
    WRITE_BEHIND_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /** Where the jobs function answers (/api/jobs/*) when it is not PUBLIC_BASE_URL: push retries are sent there. */
    JOBS_BASE_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** Requests per minute per API key on /api; 0 turns the limit off. */
    API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
    /** GHL API base: the real one, or the local sandbox (scripts/ghl-sandbox). */
    GHL_API_BASE: z.url().default('https://services.leadconnectorhq.com'),
    GHL_CLIENT_ID: z.string().min(1).optional(),
    GHL_CLIENT_SECRET: z.string().min(1).optional(),
    GHL_REDIRECT_URI: z.url().optional(),
    /** base64 of 32 random bytes: AES-256-GCM key for tokens at rest (`openssl rand -base64 32`). */
    TOKEN_ENCRYPTION_KEY: z
      .string()
      .optional()
      .refine((v) => v === undefined || base64Length(v) === 32, { message: 'must be base64 of exactly 32 bytes' }),
    /** Our own ceiling per location, under GHL's 100 requests / 10 s. */
    GHL_RATE_LIMIT_MAX: z.coerce.number().int().min(1).max(100).default(90),
    GHL_RATE_LIMIT_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
    /**
     * Added to our window: a request leaves a little after its slot is granted (requests granted in
     * one store round trip go out over tens of ms), so a slot is only reused once GHL, counting
     * arrivals, has surely forgotten the request that held it.
     */
    GHL_RATE_LIMIT_GUARD_MS: z.coerce.number().int().min(0).default(1_000),
    GHL_TIMEOUT_MS: z.coerce.number().int().min(50).default(15_000),
    /** Attempts per GHL call (429/5xx/network), with exponential backoff and full jitter between them. */
    GHL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(5),
    GHL_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(500),
    GHL_BACKOFF_CAP_MS: z.coerce.number().int().min(1).default(20_000),
    /** Consecutive failing calls that open a location's circuit, and how long it stays open. */
    GHL_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(8),
    GHL_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).default(60_000),
    /** Failed push attempts before a cita is marked sync_failed. */
    SYNC_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
    /**
     * Seconds before each retry of a push that failed for a reason time fixes (the last repeats),
     * each with ±20% jitter; PUSH_RETRY_MAX retries at most, then the hourly sweep takes over.
     */
    PUSH_RETRY_DELAYS_S: z
      .string()
      .default('10,30,60')
      .transform((v) => v.split(',').map((s) => Number(s.trim())))
      .refine((a) => a.length > 0 && a.every((n) => Number.isFinite(n) && n >= 0 && n <= 3600), { message: 'comma-separated seconds, each 0–3600' }),
    PUSH_RETRY_MAX: z.coerce.number().int().min(0).max(50).default(8),
    /** Override GHL's built-in webhook keys (PEM or base64 SPKI): key rotation, or the sandbox's keys. */
    GHL_WEBHOOK_ED25519_PUBLIC_KEY: z.string().min(40).optional(),
    GHL_WEBHOOK_RSA_PUBLIC_KEY: z.string().min(100).optional(),
    /**
     * Oldest webhook `timestamp` accepted. GHL re-delivers only after our 429, up to 6 times ~10
     * minutes apart, so a window shorter than ~70 minutes would refuse real retries.
     */
    WEBHOOK_MAX_AGE_MS: z.coerce.number().int().min(60_000).default(2 * 3600_000),
    WEBHOOK_MAX_FUTURE_MS: z.coerce.number().int().min(0).default(5 * 60_000),
    WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(256 * 1024),
    /** Per client IP on the webhook route, counted in the store; generous, it only stops floods. */
    WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
    /**
     * Per client IP on the public OAuth callback: each call costs GHL a token request, and a person
     * installing needs a few at most.
     */
    OAUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(10),
    /** QStash: publishing (token) and verifying its signed calls (both signing keys). */
    QSTASH_TOKEN: z.string().min(1).optional(),
    QSTASH_URL: z.url().optional(),
    QSTASH_CURRENT_SIGNING_KEY: z.string().min(1).optional(),
    QSTASH_NEXT_SIGNING_KEY: z.string().min(1).optional(),
    /** Windows the scheduled syncs scan, from now on. */
    SYNC_INCREMENTAL_DAYS: z.coerce.number().int().min(1).max(62).default(14),
    SYNC_FULL_DAYS: z.coerce.number().int().min(1).max(366).default(92),
    /** Longest GHL events query; larger windows are split. */
    SYNC_GHL_WINDOW_DAYS: z.coerce.number().int().min(1).max(31).default(14),
    /**
     * A sweep that would cancel at least SYNC_SWEEP_HOLD_MIN citas and at least this share of the
     * synced citas it looked for is held for an admin instead (GHL answering an empty calendar
     * must not cancel a clinic's agenda).
     */
    SYNC_SWEEP_HOLD_MIN: z.coerce.number().int().min(1).default(2),
    SYNC_SWEEP_HOLD_SHARE: z.coerce.number().min(0).max(1).default(0.5),
    /** Rows applied per database transaction in a sync. */
    SYNC_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
    /** webhook_events and sync_runs older than this are pruned by the cleanup job. */
    SYNC_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
    /** An incremental sync older than this makes /healthz and sync-status say degraded. */
    SYNC_STALE_AFTER_MS: z.coerce.number().int().min(60_000).default(3 * 3600_000),
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  })
  .superRefine((c, ctx) => {
    if (!!c.UPSTASH_REDIS_REST_URL !== !!c.UPSTASH_REDIS_REST_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: [c.UPSTASH_REDIS_REST_URL ? 'UPSTASH_REDIS_REST_TOKEN' : 'UPSTASH_REDIS_REST_URL'],
        message: 'UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN go together',
      });
    }
  });

function base64Length(v: string): number {
  try {
    return atob(v.trim()).length;
  } catch {
    return -1;
  }
}

export type AppConfig = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads only the variables we know; everything else in the environment (bindings, PATH…) is ignored. */
export function loadConfig(env: Record<string, unknown>): AppConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key];
    // Empty strings in .env files mean "unset", not "empty value".
    if (typeof v === 'string' && v.trim() === '') continue;
    if (v !== undefined) raw[key] = v;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(config)'), message: i.message })),
    );
  }
  return parsed.data;
}
