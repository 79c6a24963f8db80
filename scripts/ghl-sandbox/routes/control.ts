import { Hono } from 'hono';
import * as z from 'zod';
import type { SandboxCore } from '../core';
import type { FaultSpec, SeedData } from '../types';
import { ControlRequestError, parseControlBody } from './control-body';
import { blockControlRoutes, openHoursSchema } from './control-blocks';
import { contactControlRoutes } from './control-contacts';
import { webhookControlRoutes } from './control-webhooks';

/**
 * `/_sandbox/*`: the same control operations as the in-process GhlSandbox methods, over HTTP, for
 * `npm start`, demos and other processes. No auth at all: local use only, never expose it.
 */

const scopesBody = z.object({ locationId: z.string().min(1), scopes: z.array(z.string()).optional() });

const seedBody = z.object({
  locations: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().optional(),
      timezone: z.string().optional(),
      calendars: z
        .array(
          z.object({
            id: z.string().min(1).optional(),
            name: z.string(),
            isActive: z.boolean().optional(),
            calendarType: z.string().optional(),
            slotDuration: z.number().int().positive().optional(),
            slotInterval: z.number().int().positive().optional(),
            slotBuffer: z.number().int().nonnegative().optional(),
            preBuffer: z.number().int().nonnegative().optional(),
            appoinmentPerSlot: z.number().int().positive().optional(),
            openHours: openHoursSchema.optional(),
            autoConfirm: z.boolean().optional(),
            groupId: z.string().optional(),
            description: z.string().optional(),
            teamMembers: z
              .array(z.object({ userId: z.string(), isPrimary: z.boolean().optional(), priority: z.number().optional() }))
              .optional(),
          }),
        )
        .optional(),
      contacts: z
        .array(
          z.object({
            id: z.string().min(1).optional(),
            firstName: z.string().optional(),
            lastName: z.string().optional(),
            name: z.string().optional(),
            email: z.string().optional(),
            phone: z.string().optional(),
            // ISO-8601 with an offset; the store says what is wrong with one.
            dateAdded: z.string().optional(),
            dateUpdated: z.string().optional(),
          }),
        )
        .optional(),
      // The store checks the rest of an appointment (times, status, references) itself.
      appointments: z
        .array(z.looseObject({ calendarId: z.string(), contactId: z.string(), startTime: z.string(), endTime: z.string() }))
        .optional(),
      blocks: z
        .array(
          z.object({
            id: z.string().min(1).optional(),
            calendarId: z.string(),
            title: z.string().optional(),
            startTime: z.string(),
            endTime: z.string(),
            dateAdded: z.string().optional(),
            dateUpdated: z.string().optional(),
          }),
        )
        .optional(),
    }),
  ),
});

const faultBody = z.object({
  kind: z.enum(['429', '500', '502', '503', 'latency', 'timeout_after_write', 'network']),
  match: z.object({ method: z.string().optional(), path: z.string().optional() }).optional(),
  rate: z.number().min(0).max(1).optional(),
  count: z.number().int().positive().optional(),
  latencyMs: z.number().nonnegative().optional(),
  retryAfterSeconds: z.number().nonnegative().optional(),
});

export function controlRoutes(core: SandboxCore) {
  const app = new Hono();

  app.post('/_sandbox/seed', async (c) => {
    core.seed((await parseControlBody(c, seedBody)) as SeedData);
    return c.json({ ok: true });
  });
  app.post('/_sandbox/oauth/code', async (c) => {
    const body = await parseControlBody(c, scopesBody);
    return c.json({ code: core.issueAuthCode(body.locationId, { scopes: body.scopes }) });
  });
  app.post('/_sandbox/private-token', async (c) => {
    const body = await parseControlBody(c, scopesBody);
    return c.json({ token: core.createPrivateToken(body.locationId, { scopes: body.scopes }) });
  });
  app.post('/_sandbox/expire-tokens', async (c) => {
    const body = await parseControlBody(c, z.object({ locationId: z.string().min(1).optional() }));
    core.expireAccessTokens(body.locationId);
    return c.json({ ok: true });
  });
  app.post('/_sandbox/faults', async (c) => c.json({ id: core.injectFault((await parseControlBody(c, faultBody)) as FaultSpec) }));
  app.delete('/_sandbox/faults', (c) => {
    core.clearFaults();
    return c.json({ ok: true });
  });
  app.get('/_sandbox/stats', (c) => c.json(core.statsSnapshot()));
  app.get('/_sandbox/requests', (c) => c.json({ requests: core.requests.list({ call: c.req.query('call') }) }));
  // expand=1: as GET /calendars/events lists them (a series as its occurrences), optionally inside [from, to) (epoch ms).
  app.get('/_sandbox/appointments', (c) => {
    const filter = { locationId: c.req.query('locationId') || undefined, calendarId: c.req.query('calendarId') || undefined };
    const expand = c.req.query('expand');
    if (expand === undefined || expand === '0' || expand === 'false') return c.json({ appointments: core.appointments(filter) });
    const window: { from?: number; to?: number } = {};
    for (const name of ['from', 'to'] as const) {
      const value = c.req.query(name);
      if (value === undefined || value === '') continue;
      if (!/^\d{1,16}$/.test(value)) throw new ControlRequestError(`${name} must be epoch milliseconds`);
      window[name] = Number(value);
    }
    return c.json({ appointments: core.occurrences({ ...filter, ...window }) });
  });
  app.post('/_sandbox/reset', (c) => {
    core.reset();
    return c.json({ ok: true });
  });
  app.route('/', webhookControlRoutes(core));
  app.route('/', contactControlRoutes(core));
  app.route('/', blockControlRoutes(core));
  app.all('/_sandbox/*', (c) => c.json({ error: `no control route ${c.req.method} ${c.req.path}` }, 404));

  return app;
}
