import { Hono } from 'hono';
import * as z from 'zod';
import { contactActions } from '../contact-actions';
import type { SandboxCore } from '../core';
import { parseControlBody as parse } from './control-body';

/**
 * `/_sandbox/contacts` and the contact actions under `/_sandbox/actions/contact*`: a staff member
 * adding, editing and deleting patients in GHL, over HTTP. Mounted by controlRoutes (no auth).
 */

const fields = {
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  name: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
};
const createBody = z.object({ locationId: z.string().min(1), ...fields });
const editBody = z.object({ id: z.string().min(1), ...fields });
const idBody = z.object({ id: z.string().min(1) });

export function contactControlRoutes(core: SandboxCore) {
  const app = new Hono();
  const actions = contactActions(core);

  app.get('/_sandbox/contacts', (c) => c.json({ contacts: core.contacts({ locationId: c.req.query('locationId') }) }));
  app.post('/_sandbox/actions/contact', async (c) => c.json({ contact: actions.createContact(await parse(c, createBody)) }));
  app.post('/_sandbox/actions/contact-edit', async (c) => {
    const { id, ...changes } = await parse(c, editBody);
    return c.json({ contact: actions.editContact(id, changes) });
  });
  app.post('/_sandbox/actions/contact-delete', async (c) => c.json({ deleted: true, contact: actions.deleteContact((await parse(c, idBody)).id) }));

  return app;
}
