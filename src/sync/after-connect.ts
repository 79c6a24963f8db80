import type { Deps } from '../deps';
import { matchUnlinkedCitas } from './connect-match';
import { sweepPending } from './outbound';
import { backfillLocation } from './backfill';

/**
 * What follows a location's connection (an OAuth install or a token set by an admin), after the
 * answer: first its citas made before the connection are matched to what GHL already holds
 * (connect-match.ts), then the rest are pushed, then its history is imported (backfill.ts, the
 * last 90 days). Each step's failure is logged and leaves the next to run: the hourly jobs push
 * what is still pending, and the backfill can be run again by hand.
 */
export async function afterConnect(deps: Deps, locationId: string): Promise<void> {
  const step = async (name: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (err) {
      deps.logger.warn(`after connecting: ${name} failed`, { location_id: locationId, err });
    }
  };
  await step('matching citas to GHL', () => matchUnlinkedCitas(deps, locationId));
  await step('pushing pending citas', () => sweepPending(deps, { locationId }));
  await step('importing history', () => backfillLocation(deps, { locationId }));
}
