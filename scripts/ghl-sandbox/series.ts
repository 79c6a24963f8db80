import type { SandboxCore } from './core';
import { nextSecond } from './ghl-time';
import { formatRule, parseRule, ruleStarts } from './rrule';
import { normalizeRule, type AppointmentRecord, type OccurrenceOverride, type OccurrenceRecord } from './store';

/**
 * Changes to recurring series, shared by the API routes and the GHL-user actions: one occurrence
 * edited or deleted on its own, or the whole series edited (times, fields, a new rule) or deleted.
 * Rule mistakes throw RruleError; callers turn it into their own refusal.
 */

/** The fields an appointment change may carry, already checked and parsed. */
export type AppointmentChanges = Partial<
  Pick<AppointmentRecord, 'title' | 'status' | 'assignedUserId' | 'notes' | 'description' | 'address' | 'calendarId' | 'groupId' | 'startMs' | 'endMs'>
>;

const FIELDS = ['title', 'status', 'assignedUserId', 'notes', 'description', 'address', 'calendarId', 'groupId'] as const;

/** One occurrence changed on its own (moved, retitled, cancelled…): its instance id stays. Reports it. */
export function editOccurrence(core: SandboxCore, master: AppointmentRecord, occ: OccurrenceRecord, changes: AppointmentChanges): OccurrenceRecord {
  const key = String(occ.ruleStartMs);
  const own: OccurrenceOverride = { ...(master.overrides?.[key] ?? { updatedMs: 0 }) };
  for (const field of [...FIELDS, 'startMs', 'endMs'] as const) {
    if (changes[field] !== undefined) (own as Record<string, unknown>)[field] = changes[field];
  }
  own.updatedMs = nextSecond(core.now(), occ.updatedMs);
  master.overrides = { ...master.overrides, [key]: own };
  const after = core.store.occurrence(master, occ.ruleStartMs);
  core.appointmentChanged('AppointmentUpdate', after);
  return after;
}

/** One occurrence removed: an EXDATE on the series' rule (COUNT still counts it). Returns it as it was deleted. */
export function deleteOccurrence(core: SandboxCore, master: AppointmentRecord, occ: OccurrenceRecord): OccurrenceRecord {
  const zone = core.store.zoneOf(master.locationId);
  const rule = parseRule(master.rrule!, zone);
  rule.exdates.push(occ.ruleStartMs);
  master.rrule = formatRule(rule);
  if (master.overrides) {
    const { [String(occ.ruleStartMs)]: _gone, ...rest } = master.overrides;
    master.overrides = rest;
  }
  master.updatedMs = nextSecond(core.now(), master.updatedMs);
  const gone = { ...occ, updatedMs: nextSecond(core.now(), occ.updatedMs) };
  core.appointmentChanged('AppointmentDelete', gone);
  return gone;
}

/**
 * The series as it would be after `changes` (and a new rule, if given), not stored: the caller may
 * still refuse it (slot check). Fields changed for the series replace the occurrences' own values.
 * New times move every occurrence: EXDATEs and occurrence edits follow their occurrence by its
 * place in the rule, and occurrences moved on their own follow the series. A new rule replaces the
 * old one with its EXDATEs; occurrence edits are kept where the new rule still has their start.
 */
export function planSeriesEdit(core: SandboxCore, master: AppointmentRecord, changes: AppointmentChanges & { rrule?: string }): AppointmentRecord {
  const { store } = core;
  if (master.rrule === undefined && changes.rrule === undefined) throw new Error('planSeriesEdit: not a series and no rrule');
  const zone = store.zoneOf(master.locationId);
  const startMs = changes.startMs ?? master.startMs;
  const endMs = changes.endMs ?? master.endMs;
  const timesChanged = startMs !== master.startMs || endMs !== master.endMs;
  const oldStarts = master.rrule !== undefined ? store.series(master).starts : [];

  let rrule: string;
  if (changes.rrule !== undefined) {
    rrule = normalizeRule(changes.rrule, startMs, zone);
  } else {
    const rule = parseRule(master.rrule!, zone);
    if (timesChanged) {
      const newStarts = ruleStarts(rule, startMs, zone);
      rule.exdates = rule.exdates.flatMap((ms) => {
        const i = oldStarts.indexOf(ms);
        return i >= 0 && i < newStarts.length ? [newStarts[i]!] : [];
      });
    }
    rrule = formatRule(rule);
  }
  const newStarts = ruleStarts(parseRule(rrule, zone), startMs, zone);

  const overrides: Record<string, OccurrenceOverride> = {};
  for (const [key, own] of Object.entries(master.overrides ?? {})) {
    let target: number | undefined = Number(key);
    if (timesChanged) {
      const i = oldStarts.indexOf(target);
      target = i >= 0 ? newStarts[i] : undefined;
    }
    if (target === undefined || !newStarts.includes(target)) continue;
    const kept: OccurrenceOverride = { ...own };
    if (timesChanged) {
      delete kept.startMs;
      delete kept.endMs;
    }
    for (const field of FIELDS) if (changes[field] !== undefined) delete kept[field];
    if (Object.keys(kept).some((k) => k !== 'updatedMs')) overrides[String(target)] = kept;
  }

  const planned: AppointmentRecord = { ...master, users: [...master.users], startMs, endMs, rrule, overrides };
  for (const field of FIELDS) if (changes[field] !== undefined) (planned as unknown as Record<string, unknown>)[field] = changes[field];
  planned.updatedMs = nextSecond(core.now(), master.updatedMs);
  return planned;
}

/** Stores a planned series edit and reports it (one webhook or one per changed occurrence). */
export function commitSeriesEdit(core: SandboxCore, master: AppointmentRecord, planned: AppointmentRecord): AppointmentRecord {
  const before = core.store.listed(master);
  Object.assign(master, planned);
  core.seriesChanged('update', master, before, core.store.listed(master));
  return master;
}

/** The whole series deleted: every occurrence leaves the listing. */
export function deleteSeries(core: SandboxCore, master: AppointmentRecord): AppointmentRecord {
  const before = core.store.listed(master);
  master.deleted = true;
  master.updatedMs = nextSecond(core.now(), master.updatedMs);
  core.seriesChanged('delete', master, before, []);
  return master;
}

/** A new series stored: reported as created. */
export function seriesCreated(core: SandboxCore, master: AppointmentRecord): void {
  core.seriesChanged('create', master, [], core.store.listed(master));
}
