import { Hono, type Context } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../../http/app-env';
import { AppError } from '../../errors';
import { validate } from '../../http/json-body';
import { requireQStash, publicUrl } from '../../http/middleware/qstash';
import { SYNC_KINDS, type SyncKind } from '../../db/schema';
import { externalId } from '../../domain/ids';
import { fanOut, runForLocation } from '../../jobs/fan-out';

const runBody = z.strictObject({ kind: z.enum(SYNC_KINDS), location_id: externalId });

const messageId = (c: Context<AppEnv>) => c.req.header('upstash-message-id') ?? null;

/** The scheduled endpoints: one message per connected location to /api/jobs/run. */
const scheduled = (kind: SyncKind) =>
  async function fanOutScheduledJob(c: Context<AppEnv>) {
    const runUrl = publicUrl(c.var.deps.config.PUBLIC_BASE_URL, new URL('/api/jobs/run', c.req.url).toString());
    return c.json(await fanOut(c.var.deps, kind, { runUrl, messageId: messageId(c) }));
  };

/** One location's job, as published by the fan-out. */
async function runLocationJob(c: Context<AppEnv>) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(c.var.jobBody ?? '');
  } catch {
    throw new AppError(400, 'invalid_json', 'The job message is not JSON.');
  }
  const msg = validate(runBody, parsed);
  const result = await runForLocation(c.var.deps, msg.kind, msg.location_id, messageId(c));
  if ('nonRetryable' in result) {
    // 489 + this header: QStash stops retrying (a retry cannot fix a dead connection) and DLQs it.
    return c.json(result, 489 as never, { 'Upstash-NonRetryable-Error': 'true' });
  }
  return c.json(result);
}

/** /api/jobs: called by QStash only (signature checked before any handler). */
export const jobRoutes = new Hono<AppEnv>()
  .use('*', requireQStash())
  .post('/sync/incremental', scheduled('incremental'))
  .post('/sync/full', scheduled('full'))
  .post('/cleanup', scheduled('cleanup'))
  .post('/run', runLocationJob);
