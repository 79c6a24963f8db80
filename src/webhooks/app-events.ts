import type { Deps } from '../deps';
import type { Tx } from '../db/client';
import type { WebhookOutcome } from '../db/schema';
import { findConnection, markConnection } from '../ghl/connections-repo';

/**
 * GHL's UNINSTALL for a location, emitted at `at`: the app's OAuth grant is gone, so its
 * connection is `uninstalled` (pushes wait; a new install revives it). Not when:
 * - the connection is a private integration token: that is the location's own grant, which GHL
 *   does not revoke with the app (the location goes on syncing; only the app's webhooks stop);
 * - its tokens were issued after `at`: the location installed the app again since, and this is a
 *   late delivery (GHL re-delivers after a 429 for up to an hour) that must not undo it → `stale`;
 * - there is none (or the event names no location: an agency-level uninstall) → `ignored`.
 */
export async function applyUninstall(tx: Tx, deps: Pick<Deps, 'clock' | 'logger'>, locationId: string | null, at: Date): Promise<WebhookOutcome> {
  const conn = locationId ? await findConnection(tx, locationId) : null;
  if (!locationId || !conn) return 'ignored';
  if (conn.authType !== 'oauth') {
    deps.logger.warn('the GHL app was uninstalled; the private integration token still works, but GHL sends no more webhooks', { location_id: locationId });
    return 'ignored';
  }
  if (conn.lastRefreshedAt && conn.lastRefreshedAt.getTime() > at.getTime()) return 'stale';
  await markConnection(tx, locationId, 'uninstalled', 'the app was uninstalled in GHL', deps.clock.now());
  return 'applied';
}
