import { and, desc, eq } from 'drizzle-orm';
import { ghlConnections, locationSettings, sweepHolds, SYNC_KINDS, syncRuns, type SyncRunRow } from '../db/schema';
import { holdView } from '../sync/sweep-holds';
import { citaCountsByLocation } from './location-counts';
import type { Deps } from '../deps';
import { firstDeliveryStats } from '../webhooks/events-repo';

type Health = 'healthy' | 'degraded' | 'failing';

/**
 * The state of every location at a glance: per job kind the last run and the last success (with
 * its age), pending / failed / conflict counts, the GHL connection, and the webhook first-delivery
 * rate; rolled up into healthy / degraded / failing.
 */
export async function syncStatus(deps: Deps) {
  const now = deps.clock.now().getTime();
  const [connections, settings, counts, webhooks, holds] = await Promise.all([
    deps.db.select().from(ghlConnections),
    deps.db.select({ id: locationSettings.locationId }).from(locationSettings),
    citaCountsByLocation(deps.db),
    firstDeliveryStats(deps.db),
    deps.db.select().from(sweepHolds).where(eq(sweepHolds.status, 'held')),
  ]);
  const ids = [...new Set([...connections.map((c) => c.locationId), ...settings.map((s) => s.id)])].sort();

  const locations = await Promise.all(
    ids.map(async (id) => {
      const conn = connections.find((c) => c.locationId === id);
      const c = counts.find((x) => x.locationId === id);
      const jobs: Record<string, unknown> = {};
      let health: Health = 'healthy';
      const problems: string[] = [];
      for (const kind of SYNC_KINDS) {
        const [last] = await deps.db.select().from(syncRuns).where(and(eq(syncRuns.locationId, id), eq(syncRuns.kind, kind))).orderBy(desc(syncRuns.startedAt)).limit(1);
        const [ok] = await deps.db
          .select()
          .from(syncRuns)
          .where(and(eq(syncRuns.locationId, id), eq(syncRuns.kind, kind), eq(syncRuns.outcome, 'ok')))
          .orderBy(desc(syncRuns.startedAt))
          .limit(1);
        jobs[kind] = { last_run: runView(last, now), last_success: runView(ok, now) };
        if (kind === 'incremental' && conn?.status === 'active') {
          const since = ok?.finishedAt?.getTime() ?? conn.createdAt.getTime();
          if (now - since > deps.config.SYNC_STALE_AFTER_MS) {
            health = worst(health, 'degraded');
            problems.push('no successful incremental sync recently');
          }
          if (last && last.outcome === 'failed') {
            health = worst(health, 'failing');
            problems.push(`last incremental failed: ${last.error ?? ''}`.trim());
          }
        }
      }
      if (!conn) problems.push('not connected to GHL');
      else if (conn.status !== 'active') {
        health = worst(health, 'failing');
        problems.push(`connection ${conn.status}`);
      }
      const hold = holds.find((h) => h.locationId === id);
      if (hold) {
        health = worst(health, 'degraded');
        problems.push(`a sweep that would cancel ${hold.citaIds.length} of ${hold.candidates} citas is held for review`);
      }
      if ((c?.failed ?? 0) > 0) {
        health = worst(health, 'degraded');
        problems.push(`${c!.failed} citas failed to sync`);
      }
      return {
        location_id: id,
        health,
        problems,
        connection: conn ? { status: conn.status, auth_type: conn.authType, last_error: conn.lastError } : null,
        citas: { pending_sync: c?.pending ?? 0, sync_failed: c?.failed ?? 0, conflicts: c?.conflicts ?? 0 },
        held_sweep: hold ? holdView(hold) : null,
        jobs,
      };
    }),
  );
  const overall = locations.reduce<Health>((h, l) => worst(h, l.health), 'healthy');
  return { overall, generated_at: new Date(now).toISOString(), webhooks: { first_delivery: webhooks }, locations };
}

function runView(r: SyncRunRow | undefined, now: number) {
  if (!r) return null;
  return {
    id: r.id,
    outcome: r.outcome,
    started_at: r.startedAt.toISOString(),
    finished_at: r.finishedAt?.toISOString() ?? null,
    age_seconds: Math.round((now - (r.finishedAt ?? r.startedAt).getTime()) / 1000),
    counts: r.counts,
    error: r.error,
  };
}

const RANK: Record<Health, number> = { healthy: 0, degraded: 1, failing: 2 };
function worst(a: Health, b: Health): Health {
  return RANK[a] >= RANK[b] ? a : b;
}
