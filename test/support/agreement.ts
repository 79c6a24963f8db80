import { eq } from 'drizzle-orm';
import type { GhlSandbox } from '../../scripts/ghl-sandbox';
import { calendarBlocks, citas } from '../../src/db/schema';
import type { TestEnv } from './harness';

/**
 * Where our database and the GHL sandbox disagree for a location: every live GHL appointment (each
 * occurrence of a series) must
 * be a cita with the same times, status and calendar; a cita whose appointment GHL deleted, or that
 * never reached GHL, must be cancelled. An empty list means the two sides agree.
 */
export async function disagreements(t: TestEnv, sandbox: GhlSandbox, locationId: string): Promise<string[]> {
  // Occurrence by occurrence: a GHL series counts as each of its instances, as GHL lists them.
  const ghl = sandbox.occurrences({ locationId });
  const rows = await t.deps.db.select().from(citas).where(eq(citas.locationId, locationId));
  const byGhl = new Map(rows.filter((r) => r.ghlAppointmentId).map((r) => [r.ghlAppointmentId!, r]));
  const out: string[] = [];
  for (const a of ghl) {
    const r = byGhl.get(a.id);
    if (!r) {
      out.push(`${a.id} (${a.title}) exists in GHL only`);
      continue;
    }
    if (r.startTime.getTime() !== Date.parse(a.startTime) || r.endTime.getTime() !== Date.parse(a.endTime)) out.push(`${a.id}: times ${r.startTime.toISOString()} vs ${a.startTime}`);
    if (r.status !== a.appointmentStatus) out.push(`${a.id}: status ${r.status} vs ${a.appointmentStatus}`);
    if (r.ghlCalendarId !== a.calendarId) out.push(`${a.id}: calendar ${r.ghlCalendarId} vs ${a.calendarId}`);
  }
  const live = new Set(ghl.map((a) => a.id));
  for (const r of rows) {
    if (r.ghlAppointmentId && !live.has(r.ghlAppointmentId) && r.status !== 'cancelled') out.push(`cita ${r.id} active, its GHL appointment deleted`);
    if (!r.ghlAppointmentId && r.status !== 'cancelled') out.push(`cita ${r.id} never reached GHL (${r.syncStatus}: ${r.syncError})`);
  }
  return out;
}

/**
 * Where a cita's patient disagrees with GHL's contact: a live contact's name and phone must be what
 * the cita shows; a contact GHL no longer has must show as deleted (with whatever name was last known).
 */
export async function patientDisagreements(t: TestEnv, sandbox: GhlSandbox, locationId: string): Promise<string[]> {
  const live = new Map(sandbox.contacts({ locationId }).map((c) => [c.id, c]));
  const rows = await t.deps.db.select().from(citas).where(eq(citas.locationId, locationId));
  const out: string[] = [];
  for (const r of rows) {
    if (!r.contactId) continue;
    const c = live.get(r.contactId);
    const shown = r.contact ?? {};
    if (!c) {
      if (!shown.deleted) out.push(`cita ${r.id}: contact ${r.contactId} deleted in GHL, shown as alive`);
      continue;
    }
    const name = c.name ?? ([c.firstName, c.lastName].filter(Boolean).join(' ') || undefined);
    if (shown.deleted) out.push(`cita ${r.id}: contact ${r.contactId} alive in GHL, shown as deleted`);
    if (shown.name !== name) out.push(`cita ${r.id}: contact ${r.contactId} named ${JSON.stringify(shown.name)} vs ${JSON.stringify(name)}`);
    if ((shown.phone ?? undefined) !== (c.phone ?? undefined)) out.push(`cita ${r.id}: contact ${r.contactId} phone ${shown.phone} vs ${c.phone}`);
  }
  return out;
}

/**
 * Where the two sides disagree on blocked time: every live GHL block is a live block here with the
 * same calendar, title and times, and every live block here is one GHL has (a block made here and
 * never pushed, or removed here and still in GHL, is a disagreement).
 */
export async function blockDisagreements(t: TestEnv, sandbox: GhlSandbox, locationId: string): Promise<string[]> {
  const ghl = sandbox.blocks({ locationId });
  const rows = (await t.deps.db.select().from(calendarBlocks).where(eq(calendarBlocks.locationId, locationId))).filter((b) => !b.deletedAt);
  const ours = new Map(rows.filter((b) => b.ghlBlockId).map((b) => [b.ghlBlockId!, b]));
  const out: string[] = [];
  for (const g of ghl) {
    const b = ours.get(g.id);
    if (!b) {
      out.push(`block ${g.id} (${g.title}) in GHL only`);
      continue;
    }
    if (b.startTime.getTime() !== Date.parse(g.startTime) || b.endTime.getTime() !== Date.parse(g.endTime)) out.push(`block ${g.id}: times ${b.startTime.toISOString()} vs ${g.startTime}`);
    if (b.title !== g.title) out.push(`block ${g.id}: title ${b.title} vs ${g.title}`);
    if (b.calendarId !== g.calendarId) out.push(`block ${g.id}: calendar ${b.calendarId} vs ${g.calendarId}`);
  }
  const live = new Set(ghl.map((g) => g.id));
  for (const b of rows) {
    if (!b.ghlBlockId) out.push(`block ${b.id} (${b.title}) never reached GHL (${b.syncStatus}: ${b.syncError})`);
    else if (!live.has(b.ghlBlockId)) out.push(`block ${b.id} live here, deleted in GHL`);
  }
  return out;
}
