/**
 * A randomized two-sided scenario: hundreds of operations on RV3 and in GHL (creates, moves,
 * edits, cancels, deletes; recurring series and their occurrences; blocked time made, moved and
 * removed), with webhooks dropped, duplicated and reordered and GHL faults
 * injected. After one full sync both sides must agree on every appointment: ids, times, status,
 * calendar. Seeded and reproducible: SCENARIO_SEEDS=n runs seeds 1..n, a-b seeds a..b (CI runs more).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createGhlSandbox } from '../../scripts/ghl-sandbox';
import { mulberry32 } from '../../scripts/ghl-sandbox/prng';
import { citas } from '../../src/db/schema';
import { createTestEnv, type TestEnv } from '../support/harness';
import { blockDisagreements, disagreements, patientDisagreements } from '../support/agreement';

const LOC = 'loc-scn';
const CALS = ['cal-a', 'cal-b'];
/** SCENARIO_SEEDS: `n` runs seeds 1..n, `a-b` seeds a..b (CI runs ranges side by side). */
const [FIRST_SEED, LAST_SEED] = (() => {
  const spec = process.env.SCENARIO_SEEDS ?? '3';
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) return [Number(range[1]), Number(range[2])];
  if (!/^\d+$/.test(spec)) throw new Error(`SCENARIO_SEEDS must be n or a-b, got ${spec}`);
  return [1, Number(spec)];
})();
const OPS = Number(process.env.SCENARIO_OPS ?? 150);
const DAY = 86_400_000;
const PATIENTS = [
  { firstName: 'Ana', lastName: 'Pérez Quispe', phone: '+51987000001' },
  { firstName: 'José', lastName: 'Huamán Flores', phone: '+51987000002' },
  { firstName: 'Rosa', lastName: 'Mamani Condori', phone: '+51987000003' },
  { firstName: 'Luis', lastName: 'Quispe Ramos', phone: '+51987000004' },
];

let t: TestEnv | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('randomized two-sided scenario', () => {
  for (let seed = FIRST_SEED; seed <= LAST_SEED; seed++) {
    it(`seed ${seed}: ${OPS} operations, lossy webhooks, GHL faults → one full sync → agreement`, async () => {
      const rand = mulberry32(seed * 7919);
      const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[Math.floor(rand() * xs.length)] : undefined);
      const sandbox = createGhlSandbox({ seed, rateLimit: { max: 10_000, intervalMs: 1000 } });
      sandbox.seed({ locations: [{ id: LOC, timezone: 'America/Lima', calendars: CALS.map((id) => ({ id, name: id })), contacts: PATIENTS.map((p, k) => ({ id: `c-${k}`, ...p })) }] });
      const keys = await sandbox.webhookKeys();
      t = await createTestEnv({
        ghl: sandbox,
        env: { GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519PublicKeyPem, GHL_RATE_LIMIT_INTERVAL_MS: '1000', WEBHOOK_RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error' },
      });
      const env = t;
      await env.connectPit(LOC);
      await env.api('PUT', `/api/locations/${LOC}/settings`, { default_calendar_id: CALS[0], synced_calendar_ids: CALS });
      sandbox.configureWebhooks({ deliver: (req) => env.request(req), retryDelayMs: 5 });
      sandbox.injectFault({ kind: '429', match: { path: 'calendars/events' }, rate: 0.1 });
      sandbox.injectFault({ kind: '500', match: { path: 'calendars/events' }, rate: 0.05 });

      const base = Math.ceil(Date.now() / DAY) * DAY + 2 * DAY + 13 * 3600_000; // 08:00 Lima, in two days
      const slot = () => base + Math.floor(rand() * 5) * DAY + Math.floor(rand() * 20) * 1800_000;
      const iso = (ms: number) => new Date(ms).toISOString();
      const ours = async () => (await env.deps.db.select().from(citas).where(eq(citas.locationId, LOC))).filter((c) => c.status !== 'cancelled');
      const theirs = () => sandbox.appointments({ locationId: LOC }).filter((a) => a.appointmentStatus !== 'cancelled');
      const tally: Record<string, number> = {};

      for (let i = 0; i < OPS; i++) {
        const r = rand();
        // Webhook chaos, switched now and then.
        if (r < 0.06) sandbox.webhooks.setMode(pick([{ drop: true }, { duplicate: true }, { hold: true }, { delayMs: 3 }, {}])!);
        if (r > 0.97) sandbox.webhooks.release(rand() < 0.5 ? 'reverse' : 'fifo');
        const op = pick(['rv3.create', 'rv3.create', 'rv3.move', 'rv3.edit', 'rv3.cancel', 'ghl.create', 'ghl.move', 'ghl.edit', 'ghl.cancel', 'ghl.delete', 'ghl.patient.new', 'ghl.patient.rename', 'ghl.patient.delete', 'rv3.block', 'rv3.unblock', 'ghl.block', 'ghl.block.move', 'ghl.unblock', 'rv3.series', 'rv3.series.cancel', 'rv3.series.move', 'ghl.series', 'ghl.series.edit', 'ghl.series.delete'])!;
        tally[op] = (tally[op] ?? 0) + 1;
        const start = slot();
        // A patient GHL still has: the one a person picks, or GHL's staff books.
        const patient = () => pick(sandbox.contacts({ locationId: LOC }))?.id ?? sandbox.actions.createContact({ locationId: LOC, firstName: `P${i}`, phone: `+5198${String(i).padStart(7, '0')}` }).id;
        if (op === 'rv3.create') {
          // Some into blocked time on purpose (force): the rest are refused there (409) and never exist.
          await env.api('POST', '/api/citas', { location_id: LOC, calendar_id: pick(CALS), contact_id: patient(), title: `R${i}`, start_time: iso(start), end_time: iso(start + 1800_000), ...(rand() < 0.2 ? { force: true } : {}) });
        } else if (op === 'rv3.series') {
          // A short weekly series, the free occurrences only.
          await env.api('POST', '/api/citas', { location_id: LOC, calendar_id: pick(CALS), contact_id: patient(), title: `S${i}`, start_time: iso(start), end_time: iso(start + 1800_000), repeat: { freq: 'weekly', count: 2 + Math.floor(rand() * 3) }, on_conflict: 'skip' });
        } else if (op === 'rv3.series.cancel' || op === 'rv3.series.move') {
          const c = pick((await ours()).filter((x) => x.seriesId));
          if (!c) continue;
          if (op === 'rv3.series.cancel') await env.api('POST', `/api/citas/${c.id}/cancel?scope=${pick(['this', 'following', 'all'])}`);
          else await env.api('PATCH', `/api/citas/${c.id}`, { start_time: iso(c.startTime.getTime() + 1800_000), scope: pick(['this', 'following', 'all']) });
        } else if (op === 'ghl.series') {
          sandbox.actions.createAppointment({ locationId: LOC, calendarId: pick(CALS)!, contactId: patient(), title: `GS${i}`, startTime: iso(start), endTime: iso(start + 1800_000), rrule: `RRULE:FREQ=WEEKLY;COUNT=${2 + Math.floor(rand() * 3)}` });
        } else if (op === 'ghl.series.edit' || op === 'ghl.series.delete') {
          const o = pick(sandbox.occurrences({ locationId: LOC }).filter((x) => x.masterEventId && x.appointmentStatus !== 'cancelled'));
          if (!o) continue;
          // One occurrence, or the whole series through its master.
          const target = rand() < 0.5 ? o.id : o.masterEventId!;
          if (op === 'ghl.series.edit') sandbox.actions.editAppointment(target, { title: `GS${i}-edit` });
          else if (rand() < 0.5) sandbox.actions.cancelAppointment(target);
          else sandbox.actions.deleteAppointment(target);
        } else if (op === 'rv3.block') {
          await env.api('POST', '/api/blocks', { location_id: LOC, calendar_id: pick(CALS), title: `B${i}`, start_time: iso(start), end_time: iso(start + 3600_000) });
        } else if (op === 'rv3.unblock') {
          const live = (await env.api('GET', `/api/blocks?location_id=${LOC}&desde=${iso(base - DAY)}&hasta=${iso(base + 7 * DAY)}`).then((r) => r.json())) as { data: { id: string }[] };
          const b = pick(live.data);
          if (b) await env.api('DELETE', `/api/blocks/${b.id}`);
        } else if (op === 'ghl.block') {
          sandbox.actions.createBlock({ locationId: LOC, calendarId: pick(CALS)!, title: `GB${i}`, startTime: iso(start), endTime: iso(start + 3600_000) });
        } else if (op === 'ghl.block.move' || op === 'ghl.unblock') {
          const b = pick(sandbox.blocks({ locationId: LOC }));
          if (!b) continue;
          if (op === 'ghl.block.move') sandbox.actions.editBlock(b.id, { startTime: iso(start), title: `GB${i}-moved` });
          else sandbox.actions.deleteBlock(b.id);
        } else if (op.startsWith('rv3.')) {
          const c = pick(await ours());
          if (!c) continue;
          if (op === 'rv3.move') await env.api('PATCH', `/api/citas/${c.id}`, { start_time: iso(start), end_time: iso(start + 1800_000) });
          if (op === 'rv3.edit') await env.api('PATCH', `/api/citas/${c.id}`, { title: `R${i}-edit`, status: pick(['new', 'confirmed']) });
          if (op === 'rv3.cancel') await env.api('POST', `/api/citas/${c.id}/cancel`);
        } else if (op === 'ghl.create') {
          sandbox.actions.createAppointment({ locationId: LOC, calendarId: pick(CALS)!, contactId: patient(), title: `G${i}`, startTime: iso(start), endTime: iso(start + 1800_000) });
        } else if (op === 'ghl.patient.new') {
          sandbox.actions.createContact({ locationId: LOC, firstName: `Paciente ${i}`, lastName: 'Nuevo', phone: `+5197${String(i).padStart(7, '0')}` });
        } else if (op.startsWith('ghl.patient.')) {
          const c = pick(sandbox.contacts({ locationId: LOC }));
          if (!c) continue;
          if (op === 'ghl.patient.rename') sandbox.actions.editContact(c.id, rand() < 0.5 ? { lastName: `Apellido ${i}` } : { phone: `+5196${String(i).padStart(7, '0')}` });
          if (op === 'ghl.patient.delete') sandbox.actions.deleteContact(c.id);
        } else {
          const a = pick(theirs());
          if (!a) continue;
          if (op === 'ghl.move') sandbox.actions.moveAppointment(a.id, { startTime: iso(start) });
          if (op === 'ghl.edit') sandbox.actions.editAppointment(a.id, { title: `G${i}-edit`, ...(rand() < 0.3 ? { calendarId: pick(CALS) } : {}) });
          if (op === 'ghl.cancel') sandbox.actions.cancelAppointment(a.id);
          if (op === 'ghl.delete') sandbox.actions.deleteAppointment(a.id);
        }
        if (rand() < 0.3) await sandbox.webhooks.idle();
      }

      // The storm ends: held webhooks arrive (reversed), faults stop, everything in flight lands.
      sandbox.webhooks.setMode({});
      sandbox.webhooks.release('reverse');
      sandbox.clearFaults();
      for (let k = 0; k < 5; k++) {
        await sandbox.webhooks.idle();
        await env.settle();
      }
      const before = await disagreements(env, sandbox, LOC);
      const patientsBefore = await patientDisagreements(env, sandbox, LOC);

      const res = await env.job('/api/jobs/run', { kind: 'full', location_id: LOC });
      const run = (await res.json()) as any;
      expect(run.outcome).toBe('ok');
      await sandbox.webhooks.idle();
      await env.settle();
      const after = await disagreements(env, sandbox, LOC);
      console.log(`[scenario seed ${seed}] ops ${JSON.stringify(tally)}; disagreements before the full sync: ${before.length}, after: ${after.length}; patients before: ${patientsBefore.length}; run ${JSON.stringify(run.counts)}`);
      expect(after).toEqual([]);
      // …and on who is coming: every cita's patient as GHL has it (renamed, deleted) after the full sync.
      expect(await patientDisagreements(env, sandbox, LOC)).toEqual([]);
      // …and on blocked time: made, moved and removed on either side, one full sync later the same blocks.
      expect(await blockDisagreements(env, sandbox, LOC)).toEqual([]);
      // Nothing is left waiting once the queue is empty: a cita is pending only while a push for it
      // is still to come (GHL no longer holding its appointment settles it; there is nothing to push).
      const pending = (await env.deps.db.select().from(citas).where(eq(citas.locationId, LOC))).filter((c) => c.syncStatus === 'pending_sync');
      expect(pending.map((c) => ({ id: c.id, status: c.status, error: c.syncError, retries: c.syncRetries }))).toEqual([]);
    });
  }
});
