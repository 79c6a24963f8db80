import { eq } from 'drizzle-orm';
import { ghlConnections, type SyncKind } from '../db/schema';
import type { Deps } from '../deps';
import { needsReconnect } from '../ghl/errors';
import { runJob } from './run-job';

/**
 * A scheduled job fans out one message per connected location (to /api/jobs/run), so one slow
 * location cannot starve the others and every invocation stays short. Without a queue (nothing
 * configured) the locations run here, one after another.
 */
export async function fanOut(deps: Deps, kind: SyncKind, opts: { runUrl: string; messageId: string | null }) {
  const rows = await deps.db.select({ id: ghlConnections.locationId }).from(ghlConnections).where(eq(ghlConnections.status, 'active'));
  const locations = rows.map((r) => r.id);
  if (deps.queue) {
    const queue = deps.queue;
    const published = await Promise.all(
      locations.map((id) => queue.publish({ url: opts.runUrl, body: { kind, location_id: id }, flowKey: `location-${id}` })),
    );
    return { kind, published: published.length, message_ids: published.map((p) => p.messageId) };
  }
  const results = [];
  for (const id of locations) results.push({ location_id: id, ...(await runForLocation(deps, kind, id, opts.messageId)) });
  return { kind, ran_inline: results.length, results };
}

export interface NonRetryable {
  nonRetryable: true;
  error: string;
  detail: string;
}

/** One location's job; a connection that only a person can revive is reported, not thrown. */
export async function runForLocation(deps: Deps, kind: SyncKind, locationId: string, messageId: string | null, opts: { days?: number } = {}) {
  try {
    return await runJob(deps, { kind, locationId, messageId, ...opts });
  } catch (err) {
    if (needsReconnect(err)) return { nonRetryable: true, error: err.kind, detail: err.message } satisfies NonRetryable;
    throw err;
  }
}
