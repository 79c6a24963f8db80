import { Hono } from 'hono';
import * as z from 'zod';
import { ghlUserActions } from '../actions';
import type { SandboxCore } from '../core';
import { APPOINTMENT_STATUSES } from '../types';
import { parseControlBody as parse } from './control-body';

/**
 * `/_sandbox/webhooks/*` and `/_sandbox/actions/*`: webhook wiring and GHL-user actions over HTTP,
 * for `npm start` and other processes. Mounted by controlRoutes, so the same no-auth rule applies.
 */

const configBody = z.object({
  // null turns webhooks off.
  url: z.url().nullable(),
  scheme: z.enum(['ed25519', 'rsa', 'both']).optional(),
  retryDelayMs: z.number().nonnegative().optional(),
  maxRetries: z.number().int().nonnegative().optional(),
});

const idBody = z.object({ id: z.string().min(1) });
const status = z.enum(APPOINTMENT_STATUSES).optional();

const createBody = z.object({
  locationId: z.string().min(1),
  calendarId: z.string().min(1),
  contactId: z.string().min(1),
  startTime: z.string(),
  endTime: z.string(),
  title: z.string().optional(),
  appointmentStatus: status,
  assignedUserId: z.string().optional(),
  notes: z.string().optional(),
  rrule: z.string().optional(),
});

const locationBody = z.object({ locationId: z.string().min(1) });
const installBody = locationBody.extend({ scopes: z.array(z.string()).optional() });

const moveBody = idBody.extend({ startTime: z.string(), endTime: z.string().optional() });

const editBody = idBody.extend({
  title: z.string().optional(),
  notes: z.string().optional(),
  assignedUserId: z.string().optional(),
  calendarId: z.string().min(1).optional(),
  appointmentStatus: status,
});

export function webhookControlRoutes(core: SandboxCore) {
  const app = new Hono();
  const actions = ghlUserActions(core);

  app.post('/_sandbox/webhooks/config', async (c) => {
    const { url, ...rest } = await parse(c, configBody);
    core.configureWebhooks(url === null ? null : { url, ...rest });
    return c.json({ ok: true });
  });
  app.post('/_sandbox/webhooks/series-ids', async (c) => {
    const { seriesWebhookIds } = await parse(c, z.object({ seriesWebhookIds: z.enum(['master', 'instance']) }));
    core.seriesWebhookIds = seriesWebhookIds;
    return c.json({ ok: true, seriesWebhookIds });
  });
  app.get('/_sandbox/webhooks/keys', async (c) => c.json(await core.webhookKeys()));
  app.get('/_sandbox/webhooks/log', (c) => c.json({ log: core.webhooks.log() }));
  // By hand, nobody waits GHL's 10 minutes to see a 429'd webhook come back.
  app.post('/_sandbox/webhooks/retry-now', (c) => {
    core.webhooks.retryNow();
    return c.json({ ok: true });
  });

  app.post('/_sandbox/actions/create', async (c) => c.json({ appointment: actions.createAppointment(await parse(c, createBody)) }));
  app.post('/_sandbox/actions/move', async (c) => {
    const { id, ...to } = await parse(c, moveBody);
    return c.json({ appointment: actions.moveAppointment(id, to) });
  });
  app.post('/_sandbox/actions/edit', async (c) => {
    const { id, ...changes } = await parse(c, editBody);
    return c.json({ appointment: actions.editAppointment(id, changes) });
  });
  app.post('/_sandbox/actions/cancel', async (c) => c.json({ appointment: actions.cancelAppointment((await parse(c, idBody)).id) }));
  app.post('/_sandbox/actions/delete', async (c) => c.json({ appointment: actions.deleteAppointment((await parse(c, idBody)).id) }));
  app.post('/_sandbox/actions/install', async (c) => {
    const { locationId, scopes } = await parse(c, installBody);
    return c.json(actions.installApp(locationId, { scopes }));
  });
  app.post('/_sandbox/actions/uninstall', async (c) => c.json(actions.uninstallApp((await parse(c, locationBody)).locationId)));

  return app;
}
