import { Hono } from 'hono';
import type { SandboxCore } from '../core';
import { GhlError, traceId } from '../errors';
import { readJsonObject, requireLocation, requireScope } from '../guards';
import { ghlId } from '../ids';
import { buildContact, contactView, emptyContact } from '../store';

const CONTACT_FIELDS = ['firstName', 'lastName', 'name', 'email', 'phone'] as const;

export function contactRoutes(core: SandboxCore) {
  const app = new Hono();
  const { store } = core;

  /** Finds the location's contact with the same email or phone and updates it, or creates one. */
  app.post('/contacts/upsert', async (c) => {
    requireScope(c, 'contacts.write');
    const body = await readJsonObject(c);
    const problems: string[] = [];
    if (typeof body.locationId !== 'string' || body.locationId === '') problems.push('locationId should not be empty');
    for (const f of CONTACT_FIELDS) {
      if (body[f] !== undefined && body[f] !== null && typeof body[f] !== 'string') problems.push(`${f} must be a string`);
    }
    if (problems.length > 0) throw GhlError.unprocessable(problems);
    const locationId = body.locationId as string;
    requireLocation(c, locationId);

    const input: Partial<Record<(typeof CONTACT_FIELDS)[number], string>> = {};
    for (const f of CONTACT_FIELDS) if (typeof body[f] === 'string' && body[f] !== '') input[f] = body[f] as string;
    const existing = store.findContactFor(locationId, input.email?.trim().toLowerCase() ?? null, input.phone ?? null);
    const contact = buildContact(existing ?? emptyContact(ghlId(), locationId), input);
    store.contacts.set(contact.id, contact);
    return c.json({ new: !existing, contact: contactView(contact), traceId: traceId() }, 200);
  });

  app.get('/contacts/:contactId', (c) => {
    requireScope(c, 'contacts.readonly');
    const contact = store.contacts.get(c.req.param('contactId'));
    if (!contact) throw GhlError.notFound('Contact not found');
    requireLocation(c, contact.locationId);
    return c.json({ contact: contactView(contact), traceId: traceId() });
  });

  return app;
}
