import * as z from 'zod';
import { CITA_STATUSES } from '../../db/schema';
import { externalId as id } from '../../domain/ids';
import { jsonDepth } from '../../domain/text';
const title = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');
const notes = z.string().max(10_000, 'at most 10000 characters').nullable();
/** Free-form data RV3 keeps with a cita; bounded so one cita cannot carry a document. */
const EXTRAS_MAX_DEPTH = 5;
const EXTRAS_MAX_BYTES = 8 * 1024;
const extras = z
  .record(z.string().max(100), z.unknown())
  .refine((v) => jsonDepth(v, EXTRAS_MAX_DEPTH) <= EXTRAS_MAX_DEPTH, { message: `nested at most ${EXTRAS_MAX_DEPTH} levels deep` })
  .refine((v) => new TextEncoder().encode(JSON.stringify(v)).length <= EXTRAS_MAX_BYTES, { message: `at most ${EXTRAS_MAX_BYTES} bytes as JSON` });
// Times stay strings here: their meaning depends on the location's zone, which the service knows.
const time = z.string().trim().min(1, 'must not be empty');
const openStatus = z.enum(CITA_STATUSES).refine((s) => s !== 'cancelled', {
  message: 'create the cita, then cancel it with POST /api/citas/{id}/cancel',
});

/** A contact by its details, upserted in GHL before the push (when RV3 has no GHL contact id). */
const contact = z
  .strictObject({
    first_name: z.string().trim().min(1).max(100).optional(),
    last_name: z.string().trim().min(1).max(100).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().optional(),
    phone: z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'a phone number such as +51999000111').optional(),
  })
  .refine((c) => c.email || c.phone, { message: 'needs an email or a phone to find or create the GHL contact' });

export const createCitaBody = z.strictObject({
  location_id: id,
  calendar_id: id.optional(),
  title,
  contact_id: id.optional(),
  contact: contact.optional(),
  assigned_user_id: id.nullable().optional(),
  start_time: time,
  end_time: time,
  notes: notes.optional(),
  status: openStatus.optional(),
  extras: extras.optional(),
}).refine((b) => b.contact_id || b.contact, { message: 'send contact_id or contact', path: ['contact_id'] });

export const updateCitaBody = z
  .strictObject({
    calendar_id: id.optional(),
    title: title.optional(),
    contact_id: id.optional(),
    assigned_user_id: id.nullable().optional(),
    start_time: time.optional(),
    end_time: time.optional(),
    notes: notes.optional(),
    status: z.enum(CITA_STATUSES).optional(),
    extras: extras.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'send at least one field to change' });

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item).min(1));

export const listCitasQuery = z.strictObject({
  location_id: id,
  desde: z.string().trim().min(1).optional(),
  hasta: z.string().trim().min(1).optional(),
  estado: csv(z.enum(CITA_STATUSES)).optional(),
  calendar_id: csv(id).optional(),
  /** Only citas flagged as overlapping (appointments from GHL kept despite a clash). */
  conflict: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).optional(),
});

export const citaIdParam = z.uuid({ message: 'not a cita id' });

/** `If-Match: "3"` (also W/"3" or a bare 3): the version the client last read. */
export function parseIfMatch(header: string | undefined): number | undefined | null {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  return m ? Number(m[1]) : null;
}
