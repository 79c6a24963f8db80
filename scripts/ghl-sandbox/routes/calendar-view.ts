import { Hono, type Context } from 'hono';
import type { SandboxCore } from '../core';
import type { AppointmentRecord, BlockRecord } from '../store';
import type { AppointmentStatus, Calendar } from '../types';

/**
 * `GET /_sandbox/view/calendar?locationId=…[&date=YYYY-MM-DD]`: GHL's side of a location, for a
 * person to look at (the demo video shows it beside the agenda). Read-only: each of the location's
 * calendars with the appointments the sandbox holds on it (cancelled ones too, as GHL keeps them)
 * and its blocked time (grey, with its title), in the location's zone, with `date` limiting them to one day there. Under /_sandbox, so like the
 * rest of the control plane it needs no token and is never counted, limited or faulted.
 */

const STATUS_ES: Record<AppointmentStatus, string> = {
  new: 'Nueva',
  confirmed: 'Confirmada',
  cancelled: 'Cancelada',
  showed: 'Asistió',
  noshow: 'No asistió',
  invalid: 'Inválida',
};

const STYLE = `
body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f2f4f8}
header{background:#1f3b73;color:#fff;padding:14px 20px}
header h1{margin:0;font-size:1.35rem}
header p{margin:4px 0 0;font-size:.95rem;opacity:.9}
main{padding:14px 20px;display:grid;gap:14px}
section{background:#fff;border:1px solid #cfd6e4;border-radius:8px;padding:10px 14px}
h2{margin:0 0 6px;font-size:1.1rem}
h2 small{font-weight:normal;color:#5a6478}
ul{list-style:none;margin:0;padding:0;display:grid;gap:8px}
li{border-left:5px solid #2f6fdf;background:#f6f8fc;padding:6px 10px;border-radius:4px}
li.cancelled{border-color:#b3261e;background:#fbf1f0}
li.cancelled .when{text-decoration:line-through}
.when{font-weight:600}
.status{float:right;font-size:.85rem;font-weight:600;padding:1px 8px;border-radius:10px;background:#dfe8fb}
li.cancelled .status{background:#f5d5d2;color:#8c1d18}
li.block{border-color:#8a8f99;background:#eceef1;color:#4a4f59}
li.block .status{background:#d5d8de;color:#3b3f47}
.meta{font-size:.82rem;color:#5a6478}
.empty{color:#5a6478;font-style:italic;margin:0}
`;

export function calendarViewRoutes(core: SandboxCore) {
  const app = new Hono();

  app.get('/_sandbox/view/calendar', (c) => {
    const locationId = c.req.query('locationId') ?? '';
    const date = c.req.query('date');
    const location = core.store.locations.get(locationId);
    if (!location) return page(c, 404, 'GHL (sandbox)', `<p class="empty">No hay ninguna sede «${esc(locationId)}» en el sandbox.</p>`);
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      return page(c, 400, 'GHL (sandbox)', '<p class="empty">La fecha va como AAAA-MM-DD.</p>');
    }

    const zone = location.timezone;
    const dayOf = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    // A series shows as its occurrences, as GHL's calendar does.
    const appointments = core.store
      .liveEvents()
      .filter((a) => a.locationId === locationId && (date === undefined || dayOf.format(a.startMs) === date))
      .sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));
    // A block shows on every day it covers, so a day off reaches the days after its first.
    const blocks = core.store
      .liveBlocks()
      .filter((b) => b.locationId === locationId && (date === undefined || (dayOf.format(b.startMs) <= date && dayOf.format(b.endMs - 1) >= date)))
      .sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));
    const calendars = [...core.store.calendars.values()].filter((cal) => cal.locationId === locationId);

    const sections = calendars
      .map((cal) => calendarSection(core, cal, appointments.filter((a) => a.calendarId === cal.id), blocks.filter((b) => b.calendarId === cal.id), zone))
      .join('');
    const day = date ? ` · ${esc(new Intl.DateTimeFormat('es-PE', { timeZone: 'UTC', dateStyle: 'full' }).format(Date.parse(`${date}T12:00:00Z`)))}` : '';
    const header = `<p>${esc(location.name)} · ${esc(zone)}${day} · vista de solo lectura del GHL local</p>`;
    return page(c, 200, 'GHL (sandbox) · Calendarios', `${calendars.length ? sections : '<p class="empty">Esta sede no tiene calendarios.</p>'}`, header);
  });

  return app;
}

function calendarSection(core: SandboxCore, cal: Calendar, appts: AppointmentRecord[], blocks: BlockRecord[], zone: string): string {
  // Appointments and blocks in one line-up by start, as GHL's own calendar shows them.
  const items = [
    ...appts.map((a) => ({ startMs: a.startMs, html: appointmentItem(core, a, zone) })),
    ...blocks.map((b) => ({ startMs: b.startMs, html: blockItem(b, zone) })),
  ]
    .sort((x, y) => x.startMs - y.startMs)
    .map((i) => i.html)
    .join('');
  return `<section data-calendar-id="${esc(cal.id)}"><h2>${esc(cal.name)} <small>${cal.isActive ? '' : '(inactivo) '}${esc(cal.id)}</small></h2>${
    items ? `<ul>${items}</ul>` : '<p class="empty">Sin citas.</p>'
  }</section>`;
}

function blockItem(b: BlockRecord, zone: string): string {
  const time = new Intl.DateTimeFormat('es-PE', { timeZone: zone, hour: 'numeric', minute: '2-digit' });
  const day = new Intl.DateTimeFormat('es-PE', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short' });
  const sameDay = day.format(b.startMs) === day.format(b.endMs - 1);
  return `<li class="block" data-block-id="${esc(b.id)}">
<span class="status">Bloqueado</span>
<div class="when">${esc(day.format(b.startMs))}, ${esc(time.format(b.startMs))} – ${sameDay ? '' : `${esc(day.format(b.endMs))}, `}${esc(time.format(b.endMs))}</div>
<div>${esc(b.title || 'Horario bloqueado')}</div>
<div class="meta">id ${esc(b.id)}</div></li>`;
}

function appointmentItem(core: SandboxCore, a: AppointmentRecord, zone: string): string {
  const time = new Intl.DateTimeFormat('es-PE', { timeZone: zone, hour: 'numeric', minute: '2-digit' });
  const day = new Intl.DateTimeFormat('es-PE', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short' });
  const stamp = new Intl.DateTimeFormat('es-PE', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const contact = core.store.contacts.get(a.contactId);
  const who = contact?.name ?? ([contact?.firstName, contact?.lastName].filter(Boolean).join(' ') || a.contactId);
  return `<li class="${a.status}" data-appointment-id="${esc(a.id)}" data-status="${a.status}">
<span class="status">${STATUS_ES[a.status]}</span>
<div class="when">${esc(day.format(a.startMs))}, ${esc(time.format(a.startMs))} – ${esc(time.format(a.endMs))}</div>
<div>${esc(a.title)} · ${esc(who)}</div>
<div class="meta">id ${esc(a.id)} · actualizada ${esc(stamp.format(a.updatedMs))}</div></li>`;
}

function page(c: Context, status: 200 | 400 | 404, title: string, body: string, header = '') {
  const html = `<!doctype html><html lang="es-PE"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><h1>GHL (sandbox)</h1>${header}</header><main>${body}</main></body></html>`;
  return c.html(html, status, { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'", 'Cache-Control': 'no-store' });
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
