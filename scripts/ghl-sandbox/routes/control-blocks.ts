import { Hono } from 'hono';
import * as z from 'zod';
import { blockActions } from '../block-actions';
import type { SandboxCore } from '../core';
import { parseControlBody as parse } from './control-body';

/**
 * `/_sandbox/blocks` and the availability actions under `/_sandbox/actions/block*` and
 * `/_sandbox/actions/hours`: a staff member blocking time and setting working hours in GHL, over
 * HTTP. Mounted by controlRoutes (no auth). No webhooks: GHL sends none for these.
 */

/** calendars.json OpenHour[]; the action checks the ranges and says what is wrong. */
export const openHoursSchema = z.array(
  z.object({
    daysOfTheWeek: z.array(z.number()),
    hours: z.array(z.object({ openHour: z.number(), openMinute: z.number(), closeHour: z.number(), closeMinute: z.number() })),
  }),
);

const createBody = z.object({
  locationId: z.string().min(1),
  calendarId: z.string().min(1),
  startTime: z.string(),
  endTime: z.string(),
  title: z.string().optional(),
});
const editBody = z.object({ id: z.string().min(1), startTime: z.string().optional(), endTime: z.string().optional(), title: z.string().optional() });
const idBody = z.object({ id: z.string().min(1) });
const hoursBody = z.object({ calendarId: z.string().min(1), openHours: openHoursSchema.nullable() });

export function blockControlRoutes(core: SandboxCore) {
  const app = new Hono();
  const actions = blockActions(core);

  app.get('/_sandbox/blocks', (c) => c.json({ blocks: core.blocks({ locationId: c.req.query('locationId'), calendarId: c.req.query('calendarId') }) }));
  app.post('/_sandbox/actions/block', async (c) => c.json({ block: actions.createBlock(await parse(c, createBody)) }));
  app.post('/_sandbox/actions/block-edit', async (c) => {
    const { id, ...changes } = await parse(c, editBody);
    return c.json({ block: actions.editBlock(id, changes) });
  });
  app.post('/_sandbox/actions/block-delete', async (c) => c.json({ deleted: true, block: actions.deleteBlock((await parse(c, idBody)).id) }));
  app.post('/_sandbox/actions/hours', async (c) => {
    const { calendarId, openHours } = await parse(c, hoursBody);
    return c.json({ calendar: actions.setOpenHours(calendarId, openHours) });
  });

  return app;
}
