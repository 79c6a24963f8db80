import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { eq } from 'drizzle-orm';
import type { AppEnv } from '../../http/app-env';
import { AppError } from '../../http/errors';
import { validate } from '../../http/json-body';
import { requireQStash, publicUrl } from '../../http/middleware/qstash';
import { ghlConnections, SYNC_KINDS, type SyncKind } from '../../db/schema';
import { GhlError } from '../../ghl/errors';
import { runJob } from '../../jobs/run-job';

type JobsEnv = AppEnv & { Variables: { jobBody: string } };

const runBody = z.strictObject({ kind: z.enum(SYNC_KINDS), location_id: z.string().min(1).max(128) });

/**
 * /api/jobs: called by QStash only. The scheduled endpoints fan out one message per connected
 * location to /api/jobs/run, so one slow location cannot starve the others and every invocation
 * stays short; /api/jobs/run does one location's job.
 */
export const jobRoutes = new Hono<JobsEnv>();
jobRoutes.use('*', requireQStash());

const fanOut = (kind: SyncKind) => async (c: Context<JobsEnv>) => {
  const { deps } = c.var;
  const locations = (await deps.db.select({ id: ghlConnections.locationId }).from(ghlConnections).where(eq(ghlConnections.status, 'active'))).map((r) => r.id);
  const target = publicUrl(deps.config.PUBLIC_BASE_URL, new URL('/api/jobs/run', c.req.url).toString());
  if (deps.queue) {
    const published = await Promise.all(
      locations.map((id) => deps.queue!.publish({ url: target, body: { kind, location_id: id }, flowKey: `location-${id}` })),
    );
    return c.json({ kind, published: published.length, message_ids: published.map((p) => p.messageId) });
  }
  // No queue configured: run them here, one after another.
  const results = [];
  for (const id of locations) results.push({ location_id: id, ...(await runForLocation(c, kind, id)) });
  return c.json({ kind, ran_inline: results.length, results });
};

jobRoutes.post('/sync/incremental', fanOut('incremental'));
jobRoutes.post('/sync/full', fanOut('full'));
jobRoutes.post('/cleanup', fanOut('cleanup'));

jobRoutes.post('/run', async (c) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(c.var.jobBody);
  } catch {
    throw new AppError(400, 'invalid_json', 'The job message is not JSON.');
  }
  const msg = validate(runBody, parsed);
  const result = await runForLocation(c, msg.kind, msg.location_id);
  if ('nonRetryable' in result) {
    // 489 + this header: QStash stops retrying (a retry cannot fix a dead connection) and DLQs it.
    return c.json(result, 489 as never, { 'Upstash-NonRetryable-Error': 'true' });
  }
  return c.json(result);
});

async function runForLocation(c: { var: JobsEnv['Variables']; req: { header(n: string): string | undefined } }, kind: SyncKind, locationId: string) {
  try {
    return await runJob(c.var.deps, { kind, locationId, messageId: c.req.header('upstash-message-id') ?? null });
  } catch (err) {
    if (err instanceof GhlError && ['reauth_required', 'not_connected', 'scope'].includes(err.kind)) {
      return { nonRetryable: true as const, error: err.kind, detail: err.message };
    }
    throw err;
  }
}
