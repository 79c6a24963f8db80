import { buildContact, emptyContact, normalizeEmail, phoneDigits } from './contact-model';
import { formatGhl, isValidZone, nextSecond, parseIsoWithOffset } from './ghl-time';
import { ghlId } from './ids';
import { openHoursProblem } from './open-hours';
import { formatRule, liveStarts, parseRule, ruleStarts, type Rule } from './rrule';
import {
  APPOINTMENT_STATUSES,
  type Appointment,
  type AppointmentStatus,
  type AppointmentWriteResult,
  type Block,
  type BlockWriteResult,
  type Calendar,
  type Contact,
  type Location,
  type SeedAppointment,
  type SeedBlock,
  type SeedContact,
  type SeedData,
} from './types';

/**
 * The sandbox's GHL data: locations, calendars, contacts, appointments. Instants are kept as epoch
 * ms and turned into GHL's offset strings only in the views, with the location's zone.
 */

export const DEFAULT_TIMEZONE = 'America/Lima';
export const SANDBOX_COMPANY_ID = 'sandboxCompany000001';
export const SANDBOX_COMPANY_NAME = 'Sandbox Agency';

export interface AppointmentRecord {
  id: string;
  locationId: string;
  calendarId: string;
  contactId: string;
  title: string;
  status: AppointmentStatus;
  assignedUserId: string;
  users: string[];
  notes: string;
  description: string;
  address: string;
  groupId: string;
  startMs: number;
  endMs: number;
  addedMs: number;
  updatedMs: number;
  createdBy: { userId: string; source: string };
  deleted: boolean;
  /**
   * A series' rule (an `RRULE:` line, then EXDATE lines): the record is the master, its times are
   * the first occurrence's (DTSTART), and the listing shows its occurrences instead of it.
   */
  rrule?: string;
  /** Occurrences edited on their own, keyed by their start under the rule (epoch ms, as a string). */
  overrides?: Record<string, OccurrenceOverride>;
}

/** What one occurrence changed on its own; the rest comes from the master. */
export type OccurrenceOverride = Partial<
  Pick<AppointmentRecord, 'title' | 'status' | 'assignedUserId' | 'notes' | 'description' | 'address' | 'calendarId' | 'groupId' | 'startMs' | 'endMs'>
> & { updatedMs: number };

/**
 * One occurrence of a series as the listing shows it: a record of its own (built, not stored),
 * its id the instance id `<masterId>_<ruleStartMs>_<durationSeconds>`. The id comes from where the
 * rule put it (RFC 5545's RECURRENCE-ID), so it stays when that occurrence alone is moved.
 */
export type OccurrenceRecord = AppointmentRecord & { masterEventId: string; ruleStartMs: number };

/** What an id names: a one-off appointment, a series (its master), or one occurrence of a series. */
export type ResolvedEvent =
  | { kind: 'single'; rec: AppointmentRecord }
  | { kind: 'master'; rec: AppointmentRecord }
  | { kind: 'occurrence'; rec: AppointmentRecord; occ: OccurrenceRecord };

/** Time a calendar is blocked (GHL's "blocked slot"): no contact, no status, no webhook. */
export interface BlockRecord {
  id: string;
  locationId: string;
  calendarId: string;
  /** '' for a calendar's block. */
  assignedUserId: string;
  title: string;
  startMs: number;
  endMs: number;
  addedMs: number;
  updatedMs: number;
  deleted: boolean;
}

/** Thrown for control-plane mistakes (bad seed data, unknown location): the caller's bug, not GHL behaviour. */
export class SandboxUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUsageError';
  }
}

export function isAppointmentStatus(value: unknown): value is AppointmentStatus {
  return typeof value === 'string' && (APPOINTMENT_STATUSES as readonly string[]).includes(value);
}

/** Everything GHL holds, as plain data: what `npm start` keeps across restarts. */
export interface SandboxData {
  locations: Location[];
  calendars: Calendar[];
  contacts: Contact[];
  appointments: AppointmentRecord[];
  /** Absent in data saved before the sandbox had blocks. */
  blocks?: BlockRecord[];
}

export class GhlStore {
  readonly locations = new Map<string, Location>();
  readonly calendars = new Map<string, Calendar>();
  readonly contacts = new Map<string, Contact>();
  readonly appointmentRecords = new Map<string, AppointmentRecord>();
  readonly blockRecords = new Map<string, BlockRecord>();
  private readonly seriesCache = new Map<string, { key: string; value: { rule: Rule; starts: number[]; live: number[] } }>();

  exportData(): SandboxData {
    return structuredClone({
      locations: [...this.locations.values()],
      calendars: [...this.calendars.values()],
      contacts: [...this.contacts.values()],
      appointments: [...this.appointmentRecords.values()],
      blocks: [...this.blockRecords.values()],
    });
  }

  /** Replaces everything with `data` (from exportData; contacts saved before they had dates get `nowMs`). */
  importData(data: SandboxData, nowMs: number): void {
    this.clear();
    for (const l of data.locations) this.locations.set(l.id, structuredClone(l));
    for (const c of data.calendars) this.calendars.set(c.id, structuredClone(c));
    for (const c of data.contacts) this.contacts.set(c.id, { ...emptyContact(c.id, c.locationId, nowMs), ...structuredClone(c) });
    for (const a of data.appointments) this.appointmentRecords.set(a.id, structuredClone(a));
    for (const b of data.blocks ?? []) this.blockRecords.set(b.id, structuredClone(b));
  }

  clear(): void {
    this.locations.clear();
    this.calendars.clear();
    this.contacts.clear();
    this.appointmentRecords.clear();
    this.blockRecords.clear();
    this.seriesCache.clear();
  }

  zoneOf(locationId: string): string {
    return this.locations.get(locationId)?.timezone ?? DEFAULT_TIMEZONE;
  }

  /** Live (not deleted) appointment, or undefined. */
  liveAppointment(id: string): AppointmentRecord | undefined {
    const rec = this.appointmentRecords.get(id);
    return rec && !rec.deleted ? rec : undefined;
  }

  liveAppointments(): AppointmentRecord[] {
    return [...this.appointmentRecords.values()].filter((a) => !a.deleted);
  }

  /** Live (not deleted) block, or undefined. */
  liveBlock(id: string): BlockRecord | undefined {
    const rec = this.blockRecords.get(id);
    return rec && !rec.deleted ? rec : undefined;
  }

  liveBlocks(): BlockRecord[] {
    return [...this.blockRecords.values()].filter((b) => !b.deleted);
  }

  blockView(b: BlockRecord): Block {
    const zone = this.zoneOf(b.locationId);
    return {
      id: b.id,
      title: b.title,
      calendarId: b.calendarId,
      locationId: b.locationId,
      contactId: '',
      groupId: this.calendars.get(b.calendarId)?.groupId ?? '',
      appointmentStatus: '',
      assignedUserId: b.assignedUserId,
      users: [],
      isRecurring: false,
      startTime: formatGhl(b.startMs, zone),
      endTime: formatGhl(b.endMs, zone),
      dateAdded: formatGhl(b.addedMs, zone),
      dateUpdated: formatGhl(b.updatedMs, zone),
    };
  }

  blockWriteView(b: BlockRecord): BlockWriteResult {
    const zone = this.zoneOf(b.locationId);
    return {
      id: b.id,
      locationId: b.locationId,
      title: b.title,
      startTime: formatGhl(b.startMs, zone),
      endTime: formatGhl(b.endMs, zone),
      calendarId: b.calendarId,
      ...(b.assignedUserId ? { assignedUserId: b.assignedUserId } : {}),
    };
  }

  /**
   * A live, non-cancelled appointment or occurrence on `calendarId` overlapping [startMs, endMs),
   * other than `exceptId` (an appointment, an occurrence, or a whole series by its master id).
   */
  conflicting(calendarId: string, startMs: number, endMs: number, exceptId?: string): AppointmentRecord | undefined {
    return this.liveEvents().find(
      (a) =>
        a.calendarId === calendarId &&
        (exceptId === undefined || (a.id !== exceptId && (a as Partial<OccurrenceRecord>).masterEventId !== exceptId)) &&
        a.status !== 'cancelled' &&
        a.startMs < endMs &&
        a.endMs > startMs,
    );
  }

  /** What the listing shows: one-off appointments as they are, each series as its live occurrences. */
  liveEvents(): AppointmentRecord[] {
    return this.liveAppointments().flatMap((a) => this.listed(a));
  }

  /** One record as the listing shows it: itself, or a series' occurrences. */
  listed(a: AppointmentRecord): AppointmentRecord[] {
    return a.rrule === undefined ? [a] : this.occurrences(a);
  }

  /** The series' rule and every start it makes (EXDATE not applied), cached per rule, start, end and zone. */
  series(master: AppointmentRecord): { rule: Rule; starts: number[]; live: number[] } {
    const zone = this.zoneOf(master.locationId);
    const key = `${master.rrule}|${master.startMs}|${master.endMs}|${zone}`;
    const hit = this.seriesCache.get(master.id);
    if (hit && hit.key === key) return hit.value;
    const rule = parseRule(master.rrule!, zone);
    const starts = ruleStarts(rule, master.startMs, zone);
    const value = { rule, starts, live: liveStarts(rule, starts, zone) };
    if (this.seriesCache.size >= 5_000) this.seriesCache.clear();
    this.seriesCache.set(master.id, { key, value });
    return value;
  }

  /** A series' live occurrences (EXDATE left out, each one's own edits applied), in rule order. */
  occurrences(master: AppointmentRecord): OccurrenceRecord[] {
    return this.series(master).live.map((ms) => this.occurrence(master, ms));
  }

  occurrence(master: AppointmentRecord, ruleStartMs: number): OccurrenceRecord {
    const duration = master.endMs - master.startMs;
    const own = master.overrides?.[String(ruleStartMs)];
    const { overrides: _o, ...base } = master;
    return {
      ...base,
      users: [...master.users],
      startMs: ruleStartMs,
      endMs: ruleStartMs + duration,
      ...(own ?? {}),
      updatedMs: Math.max(master.updatedMs, own?.updatedMs ?? 0),
      id: instanceId(master, ruleStartMs),
      masterEventId: master.id,
      ruleStartMs,
    };
  }

  /** What `id` names among live appointments: a one-off, a series' master, or a live occurrence. */
  resolve(id: string): ResolvedEvent | undefined {
    const rec = this.liveAppointment(id);
    if (rec) return rec.rrule === undefined ? { kind: 'single', rec } : { kind: 'master', rec };
    const m = /^(.+)_(\d{1,16})_(\d{1,10})$/.exec(id);
    if (!m) return undefined;
    const master = this.liveAppointment(m[1]!);
    if (!master || master.rrule === undefined) return undefined;
    const ruleStartMs = Number(m[2]);
    if (instanceId(master, ruleStartMs) !== id || !this.series(master).live.includes(ruleStartMs)) return undefined;
    return { kind: 'occurrence', rec: master, occ: this.occurrence(master, ruleStartMs) };
  }

  /**
   * GHL's duplicate rule (upsert's match, and what its UI refuses to create twice): a live contact
   * of the location with the same email (any case) or the same phone digits, other than `exceptId`.
   */
  findContactFor(locationId: string, email: string | null, phone: string | null, exceptId?: string): Contact | undefined {
    const wanted = email !== null ? normalizeEmail(email) : null;
    const digits = phone ? phoneDigits(phone) : '';
    for (const c of this.contacts.values()) {
      if (c.deleted || c.locationId !== locationId || c.id === exceptId) continue;
      if ((wanted !== null && c.email === wanted) || (digits !== '' && c.phone !== null && phoneDigits(c.phone) === digits)) return c;
    }
    return undefined;
  }

  /** Live (not deleted) contact, or undefined. */
  liveContact(id: string): Contact | undefined {
    const c = this.contacts.get(id);
    return c && !c.deleted ? c : undefined;
  }

  /** A location's live contacts, oldest first (dateAdded, then id): the order search pages through. */
  liveContacts(locationId: string): Contact[] {
    return [...this.contacts.values()]
      .filter((c) => !c.deleted && c.locationId === locationId)
      .sort((a, b) => a.addedMs - b.addedMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * An appointment as GET shows it. A one-off has `isRecurring: false` and no series fields; a
   * series' master adds its `rrule`; an occurrence adds the rule and `masterEventId`.
   */
  eventView(a: AppointmentRecord): Appointment {
    const zone = this.zoneOf(a.locationId);
    const masterEventId = (a as Partial<OccurrenceRecord>).masterEventId;
    return {
      id: a.id,
      title: a.title,
      calendarId: a.calendarId,
      locationId: a.locationId,
      contactId: a.contactId,
      groupId: a.groupId,
      appointmentStatus: a.status,
      assignedUserId: a.assignedUserId,
      users: [...a.users],
      notes: a.notes,
      description: a.description,
      address: a.address,
      isRecurring: a.rrule !== undefined,
      ...(a.rrule !== undefined ? { rrule: a.rrule } : {}),
      startTime: formatGhl(a.startMs, zone),
      endTime: formatGhl(a.endMs, zone),
      dateAdded: formatGhl(a.addedMs, zone),
      dateUpdated: formatGhl(a.updatedMs, zone),
      createdBy: { ...a.createdBy },
      ...(masterEventId !== undefined ? { masterEventId } : {}),
    };
  }

  writeView(a: AppointmentRecord): AppointmentWriteResult {
    const zone = this.zoneOf(a.locationId);
    return {
      id: a.id,
      calendarId: a.calendarId,
      locationId: a.locationId,
      contactId: a.contactId,
      startTime: formatGhl(a.startMs, zone),
      endTime: formatGhl(a.endMs, zone),
      title: a.title,
      appointmentStatus: a.status,
      assignedUserId: a.assignedUserId,
      address: a.address,
      description: a.description,
      isRecurring: a.rrule !== undefined,
      ...(a.rrule !== undefined ? { rrule: a.rrule } : {}),
    };
  }

  /** Additive: anything with a known id is merged (given fields win), anything else is created. */
  seed(data: SeedData, nowMs: number): void {
    for (const loc of data.locations) {
      if (!loc.id) throw new SandboxUsageError('seed: every location needs an id');
      const timezone = loc.timezone ?? this.locations.get(loc.id)?.timezone ?? DEFAULT_TIMEZONE;
      if (!isValidZone(timezone)) throw new SandboxUsageError(`seed: ${timezone} is not an IANA time zone`);
      const existing = this.locations.get(loc.id);
      this.locations.set(loc.id, {
        id: loc.id,
        companyId: SANDBOX_COMPANY_ID,
        name: loc.name ?? existing?.name ?? loc.id,
        timezone,
      });
      for (const cal of loc.calendars ?? []) this.seedCalendar(loc.id, cal);
      for (const con of loc.contacts ?? []) this.seedContact(loc.id, con, nowMs);
      for (const apt of loc.appointments ?? []) this.seedAppointment(loc.id, apt, nowMs);
      for (const block of loc.blocks ?? []) this.seedBlock(loc.id, block, nowMs);
    }
  }

  private seedCalendar(locationId: string, input: NonNullable<SeedData['locations'][number]['calendars']>[number]): void {
    const id = input.id ?? ghlId();
    const existing = this.calendars.get(id);
    if (existing && existing.locationId !== locationId) {
      throw new SandboxUsageError(`seed: calendar ${id} already belongs to location ${existing.locationId}`);
    }
    const base: Calendar = existing ?? {
      id,
      locationId,
      name: input.name,
      description: '',
      slug: slugify(input.name),
      groupId: '',
      isActive: true,
      calendarType: 'event',
      eventTitle: '{{contact.name}}',
      teamMembers: [],
      slotDuration: 30,
      slotDurationUnit: 'mins',
      slotInterval: 30,
      slotIntervalUnit: 'mins',
      slotBuffer: 0,
      preBuffer: 0,
      appoinmentPerSlot: 1,
      autoConfirm: true,
      // None unless seeded: a calendar whose hours nobody gave has no known working hours.
      openHours: [],
    };
    if (input.openHours !== undefined) {
      const problem = openHoursProblem(input.openHours);
      if (problem) throw new SandboxUsageError(`seed: calendar ${id}: ${problem}`);
    }
    for (const field of ['slotDuration', 'slotInterval', 'appoinmentPerSlot'] as const) {
      const v = input[field];
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new SandboxUsageError(`seed: calendar ${id}: ${field} must be a positive whole number`);
    }
    for (const field of ['slotBuffer', 'preBuffer'] as const) {
      const v = input[field];
      if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new SandboxUsageError(`seed: calendar ${id}: ${field} must be a whole number ≥ 0`);
    }
    const teamMembers = input.teamMembers?.map((m, i) => ({
      userId: m.userId,
      priority: m.priority ?? 0.5,
      isPrimary: m.isPrimary ?? i === 0,
    }));
    this.calendars.set(id, {
      ...base,
      ...defined({
        name: input.name,
        isActive: input.isActive,
        calendarType: input.calendarType,
        slotDuration: input.slotDuration,
        slotInterval: input.slotInterval ?? input.slotDuration,
        slotBuffer: input.slotBuffer,
        preBuffer: input.preBuffer,
        appoinmentPerSlot: input.appoinmentPerSlot,
        openHours: input.openHours && structuredClone(input.openHours),
        autoConfirm: input.autoConfirm,
        groupId: input.groupId,
        description: input.description,
        teamMembers,
      }),
    });
  }

  /** Seeding a deleted contact's id brings it back: seed data is what GHL holds. */
  private seedContact(locationId: string, input: SeedContact, nowMs: number): void {
    const id = input.id ?? ghlId();
    const where = `seed: contact ${id}`;
    const existing = this.contacts.get(id);
    if (existing && existing.locationId !== locationId) {
      throw new SandboxUsageError(`${where} already belongs to location ${existing.locationId}`);
    }
    const instant = (value: string | undefined, field: string): number | undefined => {
      if (value === undefined) return undefined;
      const ms = parseIsoWithOffset(value);
      if (ms === null) throw new SandboxUsageError(`${where}: ${field} must be ISO-8601 with an offset`);
      return ms;
    };
    const addedMs = instant(input.dateAdded, 'dateAdded') ?? existing?.addedMs ?? nowMs;
    const updatedMs = instant(input.dateUpdated, 'dateUpdated') ?? (existing ? Math.max(nowMs, existing.updatedMs + 1) : addedMs);
    if (updatedMs < addedMs) throw new SandboxUsageError(`${where}: dateUpdated is before dateAdded`);
    const given = Object.fromEntries(
      (['firstName', 'lastName', 'name', 'email', 'phone'] as const).filter((f) => input[f] !== undefined).map((f) => [f, input[f]]),
    );
    const base = existing ?? emptyContact(id, locationId, addedMs);
    this.contacts.set(id, { ...buildContact(base, given), addedMs, updatedMs, deleted: false });
  }

  private seedAppointment(locationId: string, input: SeedAppointment, nowMs: number): void {
    const where = `seed: appointment ${input.id ?? `at ${input.startTime}`}`;
    if (input.locationId !== undefined && input.locationId !== locationId) {
      throw new SandboxUsageError(`${where} names location ${input.locationId} but is seeded under ${locationId}`);
    }
    const calendar = this.calendars.get(input.calendarId);
    if (!calendar || calendar.locationId !== locationId) throw new SandboxUsageError(`${where}: no calendar ${input.calendarId} in ${locationId}`);
    const contact = this.liveContact(input.contactId);
    if (!contact || contact.locationId !== locationId) throw new SandboxUsageError(`${where}: no contact ${input.contactId} in ${locationId}`);
    const startMs = parseIsoWithOffset(input.startTime);
    const endMs = parseIsoWithOffset(input.endTime);
    if (startMs === null || endMs === null || endMs <= startMs) {
      throw new SandboxUsageError(`${where}: startTime/endTime must be ISO-8601 with an offset, end after start`);
    }
    if (input.appointmentStatus !== undefined && !isAppointmentStatus(input.appointmentStatus)) {
      throw new SandboxUsageError(`${where}: unknown appointmentStatus ${String(input.appointmentStatus)}`);
    }
    const optionalMs = (value: string | undefined, field: string): number | undefined => {
      if (value === undefined) return undefined;
      const ms = parseIsoWithOffset(value);
      if (ms === null) throw new SandboxUsageError(`${where}: ${field} must be ISO-8601 with an offset`);
      return ms;
    };
    const id = input.id ?? ghlId();
    const existing = this.appointmentRecords.get(id);
    if (existing && existing.locationId !== locationId) {
      throw new SandboxUsageError(`${where} already belongs to location ${existing.locationId}`);
    }
    const addedMs = optionalMs(input.dateAdded, 'dateAdded') ?? existing?.addedMs ?? nextSecond(nowMs);
    const rec: AppointmentRecord = {
      id,
      locationId,
      calendarId: calendar.id,
      contactId: contact.id,
      title: input.title ?? existing?.title ?? contact.name ?? 'Appointment',
      status: input.appointmentStatus ?? existing?.status ?? (calendar.autoConfirm ? 'confirmed' : 'new'),
      assignedUserId: input.assignedUserId ?? existing?.assignedUserId ?? primaryUserId(calendar),
      users: input.users ?? existing?.users ?? [],
      notes: input.notes ?? existing?.notes ?? '',
      description: input.description ?? existing?.description ?? '',
      address: input.address ?? existing?.address ?? '',
      groupId: input.groupId ?? existing?.groupId ?? calendar.groupId,
      startMs,
      endMs,
      addedMs,
      updatedMs: optionalMs(input.dateUpdated, 'dateUpdated') ?? (existing ? nextSecond(nowMs, existing.updatedMs) : addedMs),
      createdBy: input.createdBy ?? existing?.createdBy ?? { userId: '', source: 'calendar_page' },
      deleted: false,
    };
    const rrule = input.rrule ?? existing?.rrule;
    if (rrule !== undefined) {
      try {
        rec.rrule = normalizeRule(rrule, startMs, this.zoneOf(locationId));
      } catch (err) {
        throw new SandboxUsageError(`${where}: ${(err as Error).message}`);
      }
      if (existing?.overrides && existing.startMs === startMs && existing.endMs === endMs) rec.overrides = existing.overrides;
    }
    this.appointmentRecords.set(id, rec);
  }

  private seedBlock(locationId: string, input: SeedBlock, nowMs: number): void {
    const where = `seed: block ${input.id ?? `at ${input.startTime}`}`;
    const calendar = this.calendars.get(input.calendarId);
    if (!calendar || calendar.locationId !== locationId) throw new SandboxUsageError(`${where}: no calendar ${input.calendarId} in ${locationId}`);
    const instant = (value: string | undefined, field: string): number | undefined => {
      if (value === undefined) return undefined;
      const ms = parseIsoWithOffset(value);
      if (ms === null) throw new SandboxUsageError(`${where}: ${field} must be ISO-8601 with an offset`);
      return ms;
    };
    const startMs = instant(input.startTime, 'startTime')!;
    const endMs = instant(input.endTime, 'endTime')!;
    if (endMs <= startMs) throw new SandboxUsageError(`${where}: endTime must be after startTime`);
    const id = input.id ?? ghlId();
    const existing = this.blockRecords.get(id);
    if (existing && existing.locationId !== locationId) throw new SandboxUsageError(`${where} already belongs to location ${existing.locationId}`);
    if (this.appointmentRecords.has(id)) throw new SandboxUsageError(`${where}: ${id} is an appointment's id`);
    const addedMs = instant(input.dateAdded, 'dateAdded') ?? existing?.addedMs ?? nextSecond(nowMs);
    this.blockRecords.set(id, {
      id,
      locationId,
      calendarId: calendar.id,
      assignedUserId: '',
      title: input.title ?? existing?.title ?? '',
      startMs,
      endMs,
      addedMs,
      updatedMs: instant(input.dateUpdated, 'dateUpdated') ?? (existing ? nextSecond(nowMs, existing.updatedMs) : addedMs),
      deleted: false,
    });
  }
}

/** A rule as the sandbox keeps and shows it (RRULE line as given, EXDATE in UTC); throws RruleError. */
export function normalizeRule(text: string, dtstartMs: number, zone: string): string {
  const rule = parseRule(text, zone);
  ruleStarts(rule, dtstartMs, zone);
  return formatRule(rule);
}

/** `<masterId>_<startMillis>_<durationSeconds>` (calendars.json CalendarEventDTO.id), from where the rule puts it. */
export function instanceId(master: AppointmentRecord, ruleStartMs: number): string {
  return `${master.id}_${ruleStartMs}_${Math.round((master.endMs - master.startMs) / 1000)}`;
}

export function primaryUserId(calendar: Calendar): string {
  return (calendar.teamMembers.find((m) => m.isPrimary) ?? calendar.teamMembers[0])?.userId ?? '';
}

function slugify(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
