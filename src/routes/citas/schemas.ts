import * as z from 'zod/v4';
import { CITA_STATUSES, SYNC_STATUSES, CITA_SOURCES } from '../../db/schema';
import { externalId } from '../../domain/ids';
import { AppError } from '../../errors';
import { jsonDepth } from '../../domain/text';
import { patientFields } from '../contacts/schemas';

const title = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters').meta({ example: 'Control - Ana Pérez' });
const notes = z.string().max(10_000, 'at most 10000 characters').nullable();
/** Free-form data RV3 keeps with a cita; bounded so one cita cannot carry a document. */
const EXTRAS_MAX_DEPTH = 5;
const EXTRAS_MAX_BYTES = 8 * 1024;
const extras = z
  .record(z.string().max(100), z.unknown())
  .superRefine((v, ctx) => {
    // Depth first: measuring the size of a value nested thousands deep would overflow the stack.
    if (jsonDepth(v, EXTRAS_MAX_DEPTH) > EXTRAS_MAX_DEPTH) ctx.addIssue({ code: 'custom', message: `nested at most ${EXTRAS_MAX_DEPTH} levels deep` });
    else if (new TextEncoder().encode(JSON.stringify(v)).length > EXTRAS_MAX_BYTES) ctx.addIssue({ code: 'custom', message: `at most ${EXTRAS_MAX_BYTES} bytes as JSON` });
  })
  .meta({ description: `Free-form data kept with the cita (at most ${EXTRAS_MAX_DEPTH} levels, ${EXTRAS_MAX_BYTES} bytes).` });
// Times stay strings here: their meaning depends on the location's zone, which the service knows.
const time = (example: string) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .meta({
      description: 'ISO-8601 with an offset (`2026-12-14T09:30:00-05:00`, `Z`) or a wall time in the location zone (`2026-12-14T09:30`). Years 1900–2199.',
      example,
    });
const seriesScope = z
  .enum(['this', 'following', 'all'])
  .meta({ description: 'For a cita in a series: `this` occurrence only (the default), this and the `following` ones, or `all` of them. A time change moves each by the same wall-clock shift.' });
const openStatus = z.enum(CITA_STATUSES).refine((s) => s !== 'cancelled', {
  message: 'create the cita, then cancel it with POST /api/citas/{id}/cancel',
});

/** A contact by its details, upserted in GHL before the push (when RV3 has no GHL contact id). */
const contact = z
  .strictObject(patientFields)
  .refine((c) => c.email || c.phone, { message: 'needs an email or a phone to find or create the GHL contact' })
  .meta({ id: 'ContactDetails',  description: 'A contact by its details (matched in GHL by email or phone), when RV3 has no GHL contact id.' });

/** The patient as a cita shows it. */
const citaContactSchema = z
  .object({
    id: z.string().nullable().meta({ description: "GHL's contact id; null until a cita created by details reaches GHL." }),
    name: z.string().nullable().meta({ example: 'Ana Pérez Quispe' }),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    phone: z.string().nullable().meta({ example: '+51987654321' }),
    email: z.string().nullable(),
    deleted: z.boolean().meta({ description: 'The contact was deleted in GHL: the cita stays, with the last known name.' }),
  })
  .meta({
    id: 'CitaContact',
    description: "Who is coming, as GHL last told us (names, phone, email are kept current from GHL's contact); null fields are not known yet (fetched from GHL within seconds).",
  });

const repeat = z
  .strictObject({
    freq: z.enum(['daily', 'weekly', 'monthly']),
    interval: z.number().int().min(1, 'at least 1').max(12, 'at most 12').optional().meta({ description: 'Every how many days, weeks or months (1).' }),
    count: z.number().int().min(2, 'at least 2').max(24, 'at most 24').optional().meta({ description: 'How many occurrences, the first included.' }),
    until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD').optional().meta({ description: "The last day an occurrence may fall on (the location's zone)." }),
  })
  .refine((r) => (r.count === undefined) !== (r.until === undefined), { message: 'send count or until, one of them' })
  .meta({ id: 'Repeat', description: 'Makes a series: the cita again every `interval` days, weeks or months (the weekday and time of day of the first), at most 24 times.' });

export const createCitaBody = z
  .strictObject({
    location_id: externalId().meta({ example: 'demo-location' }),
    calendar_id: externalId().optional().meta({ description: "GHL calendar; the location's default when omitted." }),
    title,
    contact_id: externalId().optional().meta({ description: 'GHL contact id; or send `contact`.', example: 'demo-contact-ana' }),
    contact: contact.optional(),
    assigned_user_id: externalId().nullable().optional(),
    start_time: time('2026-12-14T09:30'),
    end_time: time('2026-12-14T10:00'),
    notes: notes.optional(),
    status: openStatus.optional(),
    extras: extras.optional(),
    force: z.boolean().optional().meta({ description: 'Book even though the time is blocked (`409 slot_blocked`) or outside the calendar\'s working hours (`422 outside_working_hours`): the cita records who forced it (`booking_override`).' }),
    repeat: repeat.optional(),
    on_conflict: z.enum(['fail', 'skip']).optional().meta({ description: 'With `repeat`: `fail` (the default) books all occurrences or none (`409 series_conflict` lists every colliding one); `skip` books the free ones and lists the others in `skipped`.' }),
  })
  .refine((b) => b.contact_id || b.contact, { message: 'send contact_id or contact', path: ['contact_id'] })
  .refine((b) => b.on_conflict === undefined || b.repeat !== undefined, { message: 'only with repeat', path: ['on_conflict'] })
  .meta({ id: 'CitaCreate' });

export const updateCitaBody = z
  .strictObject({
    calendar_id: externalId().optional(),
    title: title.optional(),
    contact_id: externalId().optional(),
    assigned_user_id: externalId().nullable().optional(),
    start_time: time('2026-12-14T11:00').optional().meta({ description: 'Moving only the start keeps the duration.' }),
    end_time: time('2026-12-14T11:30').optional(),
    notes: notes.optional(),
    status: z.enum(CITA_STATUSES).optional(),
    extras: extras.optional(),
    force: z.boolean().optional().meta({ description: 'Book even though the time is blocked (`409 slot_blocked`) or outside the calendar\'s working hours (`422 outside_working_hours`): the cita records who forced it (`booking_override`).' }),
    scope: seriesScope.optional(),
  })
  .refine((b) => Object.entries(b).some(([k, v]) => k !== 'force' && k !== 'scope' && v !== undefined), { message: 'send at least one field to change' })
  .meta({ id: 'CitaUpdate' });

/** `?scope=` of a cancel, documented (handlers read it: see ifMatchParameter for why). */
export const scopeParameter = {
  name: 'scope',
  in: 'query' as const,
  required: false,
  description: 'For a cita in a series: `this` occurrence only (the default), this and the `following` ones, or `all` of them.',
  schema: { type: 'string' as const, enum: ['this', 'following', 'all'] },
};

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item).min(1));

const statusList = csv(z.enum(CITA_STATUSES)).optional();

export const listCitasQuery = z
  .strictObject({
    location_id: externalId().meta({ example: 'demo-location' }),
    desde: z.string().trim().min(1).optional().meta({ description: 'From: a date (whole days in the location zone, inclusive) or a date-time.', example: '2026-12-14' }),
    hasta: z.string().trim().min(1).optional().meta({ description: 'To: a date (inclusive) or a date-time.', example: '2026-12-20' }),
    status: statusList.meta({ description: 'Comma-separated statuses, e.g. `new,confirmed`.', example: 'new,confirmed' }),
    estado: statusList.meta({ description: 'Spanish alias of `status`.', deprecated: true }),
    calendar_id: csv(externalId()).optional().meta({ description: 'Comma-separated calendar ids.' }),
    /** Only citas flagged as overlapping (appointments from GHL kept despite a clash). */
    conflict: z.enum(['true', 'false']).transform((v) => v === 'true').optional().meta({ description: '`true`: only citas for a person to look at (overlapping another, or in blocked time).' }),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().min(1).optional().meta({ description: 'From `next_cursor` of the previous page.' }),
  })
  .refine((q) => !(q.status && q.estado), { message: 'send status or its alias estado, not both', path: ['estado'] });

export const citaIdParams = z.object({ id: z.uuid({ message: 'not a cita id' }).meta({ param: { name: 'id', in: 'path' }, example: '0b7c1a52-3f0e-4d1a-9a8e-5f2b7c9d1e20' }) });

/**
 * Optional headers, documented as OpenAPI parameters rather than validated as a schema: a schema
 * would make every typed-client call pass `header: {}`. The handlers read and check them.
 */
export const ifMatchParameter = {
  name: 'If-Match',
  in: 'header' as const,
  required: false,
  description: 'The version you read, as its ETag (`"3"`): a stale one is a 412 instead of a silent overwrite.',
  schema: { type: 'string' as const, example: '"1"' },
};

export const ifNoneMatchParameter = {
  name: 'If-None-Match',
  in: 'header' as const,
  required: false,
  description: 'The list’s last `ETag`: when nothing in the location changed since, the answer is a 304 without a body.',
  schema: { type: 'string' as const, example: 'W/"1.42.5891234.a1b2c3d4e5f6"' },
};

export const idempotencyParameter = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  required: false,
  description: 'Retry safely: the same key and body within 24 h returns the first answer (`Idempotent-Replayed: true`); the same key with another body is a 422.',
  schema: { type: 'string' as const, maxLength: 255, example: '4f8b1c2e-retry-1' },
};

const instant = z.string().meta({ example: '2026-12-14T09:30:00-05:00' });
const utc = z.string().meta({ example: '2026-12-14T14:30:00Z' });

export const citaSchema = z
  .object({
    id: z.uuid(),
    location_id: z.string(),
    calendar_id: z.string(),
    ghl_appointment_id: z.string().nullable(),
    title: z.string(),
    contact_id: z.string().nullable(),
    contact: citaContactSchema.nullable(),
    assigned_user_id: z.string().nullable(),
    start_time: instant.meta({ description: 'In the location zone, with its offset.' }),
    end_time: instant,
    start_time_utc: utc,
    end_time_utc: utc,
    time_zone: z.string().meta({ example: 'America/Lima' }),
    status: z.enum(CITA_STATUSES),
    conflict: z.boolean().meta({ description: 'For a person to look at: an appointment from GHL kept despite overlapping an active cita, or a cita in blocked time (`conflict_reason`).' }),
    conflict_reason: z.enum(['overlap', 'blocked', 'ambiguous_match']).nullable().meta({ description: '`overlap`: another active cita holds the slot; `blocked`: it sits in `blocked_by`; `ambiguous_match`: see `match_candidates`.' }),
    blocked_by: z
      .object({ id: z.uuid(), title: z.string(), start_time: instant, end_time: instant })
      .nullable()
      .meta({ id: 'BlockRef', description: 'The block this cita sits in (it came from GHL into blocked time, or was booked before the block was made).' }),
    booking_override: z
      .object({ by: z.string().meta({ description: 'The API client that forced it.' }), at: z.string(), rules: z.array(z.enum(['slot_blocked', 'outside_working_hours'])) })
      .nullable()
      .meta({ id: 'BookingOverride', description: 'Booked on purpose (`force`) past these rules; null when the rules held.' }),
    series: z
      .object({
        id: z.string(),
        rule: z.string().meta({ example: 'RRULE:FREQ=WEEKLY;COUNT=10' }),
        index: z.number().int().nullable().meta({ description: 'This occurrence, from 1 («Sesión 3 de 10»).' }),
        count: z.number().int().nullable().meta({ description: 'How many the series has; null: open-ended, or not known yet (GHL\'s webhooks carry no rule: the next listing brings it).' }),
        source: z.enum(CITA_SOURCES).meta({ description: '`ghl`: a recurring appointment in GHL; `rv3`: booked here with `repeat` (each occurrence its own appointment in GHL).' }),
      })
      .nullable()
      .meta({ id: 'CitaSeries', description: 'The recurring series this cita is one occurrence of.' }),
    match_candidates: z
      .array(z.object({ ghl_appointment_id: z.string(), title: z.string().nullable(), start_time: z.string(), end_time: z.string(), contact_id: z.string().nullable() }))
      .nullable()
      .meta({ description: 'When the location connected, GHL held more than one appointment that could be this cita: link one (`POST /api/citas/{id}/link`).' }),
    notes: z.string().nullable(),
    source: z.enum(CITA_SOURCES),
    extras: z.record(z.string(), z.unknown()),
    sync: z.object({
      status: z.enum(SYNC_STATUSES),
      error: z.string().nullable(),
      retries: z.number().int(),
      last_synced_at: z.string().nullable(),
    }),
    version: z.number().int().meta({ description: 'Optimistic-concurrency version; the ETag is `"<version>"`.' }),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
    cancelled_at: z.string().nullable(),
  })
  .meta({ id: 'Cita' });

/** A create's answer: the cita, and with `repeat` every occurrence made and those skipped. */
export const citaCreatedSchema = citaSchema
  .extend({
    series_citas: z.array(citaSchema).optional().meta({ description: 'With `repeat`: every occurrence created, in order (this one first).' }),
    skipped: z
      .array(z.object({ index: z.number().int(), start_time: z.string(), end_time: z.string(), reason: z.enum(['slot_taken', 'slot_blocked', 'outside_working_hours']) }))
      .optional()
      .meta({ description: 'With `on_conflict: skip`: the occurrences not booked, and why.' }),
  })
  .meta({ id: 'CitaCreated' });

/** An edit's or a cancel's answer: the cita, and how many other occurrences its scope changed. */
export const citaChangedSchema = citaSchema
  .extend({ series_updated: z.number().int().optional().meta({ description: 'With a `scope`: how many other occurrences changed.' }) })
  .meta({ id: 'CitaChanged' });

export const linkCitaBody = z.strictObject({ ghl_appointment_id: externalId().meta({ description: 'One of the cita\'s `match_candidates`.' }) }).meta({ id: 'CitaLink' });

export const citaPageSchema = z
  .object({ time_zone: z.string(), data: z.array(citaSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'CitaPage' });

export const auditTrailSchema = z
  .object({
    cita_id: z.uuid(),
    entries: z.array(
      z.object({
        at: z.string(),
        actor: z.enum(['api', 'webhook', 'job']),
        action: z.string().meta({ example: 'update' }),
        changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })),
        request_id: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'AuditTrail' });

/** `If-Match: "3"` (also W/"3" or a bare 3): the version the client last read. */
export function parseIfMatch(header: string | undefined): number | undefined | null {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  return m ? Number(m[1]) : null;
}

/** The version `If-Match` names (undefined without one); a malformed one is a 400, on every route that takes it. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  const v = parseIfMatch(header);
  if (v === null) throw new AppError(400, 'invalid_if_match', 'If-Match must carry the version as an ETag, e.g. If-Match: "3".');
  return v;
}
