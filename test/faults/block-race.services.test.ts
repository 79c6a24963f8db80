/**
 * The block guard under concurrency, on the real PostgreSQL through Neon's driver (PGlite has one
 * connection: nothing there runs side by side). A block being written holds its calendar's lock
 * until it commits: bookings into it wait for it and then see it (409), instead of both slipping
 * past a block created between their check and their insert. Bookings already in flight when a
 * block arrives are there first, and get marked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { calendarBlocks, citas } from '../../src/db/schema';
import { citaBody, createTestEnv, type TestEnv } from '../support/harness';

const LOC = 'loc-race';
const CAL = 'cal-race';
const DAY = '2031-03-04';
const at = (hhmm: string) => `${DAY}T${hhmm}:00-05:00`;

const envs: TestEnv[] = [];
afterEach(async () => {
  await Promise.all(envs.splice(0).map((t) => t.close()));
});

async function setup() {
  // Not connected to GHL: the bookings judge by the stored blocks alone (no re-read from GHL).
  const t = await createTestEnv();
  envs.push(t);
  expect((await t.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CAL, synced_calendar_ids: [CAL] })).status).toBe(200);
  return t;
}

const book = (t: TestEnv, from: string, to: string) => t.api('POST', '/api/citas', citaBody({ location_id: LOC, calendar_id: CAL, contact_id: 'c-1', start_time: at(from), end_time: at(to) }));
const block = { locationId: LOC, calendarId: CAL, title: 'Curso', startTime: new Date(at('09:00')), endTime: new Date(at('12:00')), timeZone: 'America/Lima', source: 'ghl' as const };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two bookings racing a new block', () => {
  it('wait for the block being written, then are refused by it (409), not booked past it', async () => {
    const t = await setup();
    let committedAt = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const blockWritten = new Promise<void>((r) => (written = r));
    const writer = t.deps.db.transaction(async (tx) => {
      await tx.insert(calendarBlocks).values(block);
      written();
      await held;
    }).then(() => (committedAt = Date.now()));
    await blockWritten;
    const answers = Promise.all([book(t, '09:30', '10:00'), book(t, '10:00', '10:30')]).then((rs) => rs.map((r) => ({ status: r.status, at: Date.now() })));
    // The bookings are in the database now, waiting on the calendar's lock behind the open block.
    await sleep(700);
    release();
    await writer;
    const [a, b] = await answers;
    expect([a!.status, b!.status]).toEqual([409, 409]);
    // They answered only once the block had committed: they waited for it rather than missing it.
    expect(a!.at).toBeGreaterThanOrEqual(committedAt);
    expect(b!.at).toBeGreaterThanOrEqual(committedAt);
    expect(await t.deps.db.select().from(citas).where(eq(citas.locationId, LOC))).toEqual([]);
  });

  it('bookings that were first are kept, and the block marks them for a person to see', async () => {
    const t = await setup();
    const first = await Promise.all([book(t, '09:30', '10:00'), book(t, '10:00', '10:30')]);
    expect(first.map((r) => r.status)).toEqual([201, 201]);
    const [saved] = await t.deps.db.insert(calendarBlocks).values(block).returning();
    const rows = await t.deps.db.select().from(citas).where(eq(citas.locationId, LOC));
    expect(rows.map((r) => r.blockConflict?.id)).toEqual([saved!.id, saved!.id]);
    // Bookings from now on are refused.
    expect((await book(t, '11:00', '11:30')).status).toBe(409);
  });
});
