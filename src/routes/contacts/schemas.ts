import * as z from 'zod/v4';
import { externalId } from '../../domain/ids';

export const contactSchema = z
  .object({
    id: z.string().meta({ description: "GHL's contact id.", example: 'demo-contact-ana' }),
    location_id: z.string(),
    name: z.string().nullable().meta({ description: 'The name a person reads (GHL full name, else first and last).', example: 'Ana Pérez Quispe' }),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    phone: z.string().nullable().meta({ example: '+51987654321' }),
    email: z.string().nullable(),
    deleted: z.boolean().meta({ description: 'Deleted in GHL: kept with its last known details, for the citas that name it.' }),
    updated_at: z.string(),
  })
  .meta({ id: 'Contact' });

export const contactListSchema = z
  .object({
    data: z.array(contactSchema),
    ghl_search: z.enum(['used', 'not_needed', 'unavailable']).meta({
      description: "Whether GHL's own contact search completed ours: `not_needed` when ours filled the page (or the query is under 3 characters), `unavailable` when GHL could not answer (ours only).",
    }),
  })
  .meta({ id: 'ContactList' });

export const searchContactsQuery = z.object({
  location_id: externalId().meta({ example: 'demo-location' }),
  q: z.string().trim().max(100, 'at most 100 characters').default('').meta({ description: 'Name, phone or email, or part of them; accents and case do not matter. Empty: the first patients by name.', example: 'ana' }),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const contactIdParams = z.object({ id: externalId().meta({ param: { name: 'id', in: 'path' }, example: 'demo-contact-ana' }) });
export const contactLocationQuery = z.object({ location_id: externalId().meta({ example: 'demo-location' }) });

/** A patient's details as a request gives them: here, and as a create cita's `contact`. */
export const patientFields = {
  first_name: z.string().trim().min(1).max(100).optional().meta({ example: 'Rosa' }),
  last_name: z.string().trim().min(1).max(100).optional().meta({ example: 'Huamán Torres' }),
  name: z.string().trim().min(1).max(200).optional(),
  email: z.email().optional(),
  phone: z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'a phone number such as +51999000111').optional(),
};

export const createContactBody = z
  .strictObject({ location_id: externalId().meta({ example: 'demo-location' }), ...patientFields })
  .refine((c) => c.email || c.phone, { message: 'needs an email or a phone (GHL finds the same patient by them)', path: ['phone'] })
  .refine((c) => c.first_name || c.last_name || c.name, { message: 'needs a name', path: ['first_name'] })
  .meta({ id: 'ContactCreate' });
