/**
 * Draws the agenda: one column per clinic day, each cita as a card on every day it touches (one
 * crossing midnight shows on both), times in the clinic's zone, with its sync state and actions.
 * Between the cards, in time order, grey bands: the calendars' blocked time (issue 23), and the
 * hours the chosen calendar is closed. Each band says in words what it is, not only in grey.
 */
import { dayBounds } from '../../domain/time';
import type { Block, Cita } from './api';
import { conflictText, OVERRIDE_TEXT } from './block-rules';
import { daysTouched, formatDay, formatShortDay, formatTime, type Day } from './clinic-time';
import { h } from './dom';
import { BLOCK_SYNC_LABEL, STATUS_LABEL, SYNC_LABEL } from './labels';
import { patientText } from './patients';
import { sessionLabel } from './series-rules';
import { blockSyncNote, syncNote } from './sync-notes';
import type { Stretch } from './working-hours';

export interface AgendaModel {
  days: Day[];
  today: Day;
  zone: string;
  citas: Cita[];
  calendarName: (id: string) => string;
  /** Live blocks of the shown calendars. */
  blocks?: Block[];
  /** The chosen calendar's closed stretches of a day, and that calendar's name ([] when its hours are unknown). */
  closed?: { of: (day: Day) => Stretch[]; calendar: string };
}

export interface BlockActions {
  edit(block: Block): void;
  remove(block: Block): void;
}

export interface CitaActions {
  edit(cita: Cita): void;
  cancel(cita: Cita): void;
  audit(cita: Cita): void;
  retry(cita: Cita): void;
}

const INACTIVE = new Set(['cancelled', 'invalid']);


function card(cita: Cita, day: Day, model: AgendaModel, actions: CitaActions): HTMLElement {
  const days = daysTouched(cita.start_time_utc, cita.end_time_utc, model.zone);
  const titleId = `cita-${cita.id}-${day}`;
  const inactive = INACTIVE.has(cita.status);
  const note = syncNote(cita.sync);
  const canRetry = cita.sync.status === 'sync_failed' || (cita.sync.status === 'pending_sync' && !!cita.sync.error);
  const conflict = conflictText(cita);
  // Issue 24: a session of a series says which («Sesión 3 de 10»).
  const session = sessionLabel(cita.series);
  const action = (label: string, name: string, run: (c: Cita) => void) =>
    h('button', { type: 'button', 'aria-describedby': titleId, data: { focus: `${cita.id}|${day}|${name}` }, on: { click: () => run(cita) } }, label);

  return h(
    'article',
    {
      class: `cita ${inactive ? 'cancelled' : ''} ${cita.conflict ? 'conflict' : ''} ${cita.conflict_reason === 'blocked' ? 'in-block' : ''}`.replace(/\s+/g, ' ').trim(),
      'aria-labelledby': titleId,
      data: { citaId: cita.id, day, status: cita.status, sync: cita.sync.status, ...(cita.series?.index ? { session: String(cita.series.index) } : {}) },
    },
    h(
      'p',
      { class: 'when' },
      h('time', { datetime: cita.start_time_utc }, formatTime(cita.start_time_utc, model.zone)),
      ' – ',
      h('time', { datetime: cita.end_time_utc }, formatTime(cita.end_time_utc, model.zone)),
      day !== days[0] ? h('span', { class: 'continues' }, ` (desde el ${formatShortDay(days[0]!)})`) : null,
      day !== days[days.length - 1] ? h('span', { class: 'continues' }, ` (hasta el ${formatShortDay(days[days.length - 1]!)})`) : null,
    ),
    h('h4', { id: titleId }, cita.title),
    session ? h('p', { class: 'session' }, session) : null,
    h('p', { class: `patient${cita.contact?.deleted ? ' deleted' : ''}` }, `Paciente: ${patientText(cita.contact)}`),
    h('p', {}, `Calendario: ${model.calendarName(cita.calendar_id)}`),
    h(
      'p',
      { class: 'badges' },
      h('span', { class: `badge status ${cita.status}` }, STATUS_LABEL[cita.status] ?? cita.status),
      h('span', { class: `badge ${cita.sync.status}` }, SYNC_LABEL[cita.sync.status] ?? cita.sync.status),
      conflict ? h('span', { class: 'badge conflict' }, conflict) : null,
    ),
    cita.booking_override ? h('p', { class: 'override' }, OVERRIDE_TEXT) : null,
    note ? h('p', { class: 'sync-error' }, note) : null,
    h(
      'div',
      { class: 'actions' },
      inactive ? null : action('Editar', 'edit', actions.edit),
      inactive ? null : action('Cancelar', 'cancel', actions.cancel),
      action('Historial', 'audit', actions.audit),
      canRetry ? action('Reintentar envío', 'retry', actions.retry) : null,
    ),
  );
}

/** Where the keyboard was in the agenda: the action (`cita|day|action`) and its card's place in the day. */
export interface FocusPlace {
  key: string;
  index: number;
}

export function focusPlaceOf(el: Element | null): FocusPlace | null {
  const key = el instanceof HTMLElement ? el.dataset.focus : undefined;
  if (!key) return null;
  // Also for a button already redrawn away: its old card still knows its place.
  const li = el!.closest('li');
  return { key, index: li?.parentElement ? [...li.parentElement.children].indexOf(li) : 0 };
}

/**
 * Puts the keyboard back after a redraw or a dialog: on the same action if it is still there;
 * else on another action of the same card (a cancelled cita keeps «Historial»); else on the card
 * now in its place that day (or the day's last); else on the agenda itself. Never on <body>.
 */
export function restoreFocus(container: HTMLElement, place: FocusPlace): void {
  const [citaId, day] = place.key.split('|');
  const exact = container.querySelector<HTMLElement>(`[data-focus="${CSS.escape(place.key)}"]`);
  const sameCard = container.querySelector<HTMLElement>(`[data-focus^="${CSS.escape(`${citaId}|${day}|`)}"]`);
  const cards = container.querySelectorAll<HTMLElement>(`section.day[data-day="${CSS.escape(day ?? '')}"] li`);
  const inItsPlace = cards[Math.min(place.index, cards.length - 1)]?.querySelector<HTMLElement>('[data-focus]');
  (exact ?? sameCard ?? inItsPlace ?? document.getElementById('agenda'))?.focus();
}

/** A grey band for a block: its reason and times in words, its calendar, its sync state and its actions. */
function blockBand(block: Block, day: Day, model: AgendaModel, actions: BlockActions): HTMLElement {
  const days = daysTouched(block.start_time_utc, block.end_time_utc, model.zone);
  const titleId = `bloqueo-${block.id}-${day}`;
  const note = blockSyncNote(block.sync);
  const action = (label: string, name: string, run: (b: Block) => void) =>
    h('button', { type: 'button', 'aria-describedby': titleId, data: { focus: `${block.id}|${day}|${name}` }, on: { click: () => run(block) } }, label);
  return h(
    'article',
    { class: 'block', 'aria-labelledby': titleId, data: { blockId: block.id, day, sync: block.sync.status, calendarId: block.calendar_id } },
    h(
      'p',
      { class: 'when' },
      h('time', { datetime: block.start_time_utc }, formatTime(block.start_time_utc, model.zone)),
      ' – ',
      h('time', { datetime: block.end_time_utc }, formatTime(block.end_time_utc, model.zone)),
      day !== days[0] ? h('span', { class: 'continues' }, ` (desde el ${formatShortDay(days[0]!)})`) : null,
      day !== days[days.length - 1] ? h('span', { class: 'continues' }, ` (hasta el ${formatShortDay(days[days.length - 1]!)})`) : null,
    ),
    h('h4', { id: titleId }, `Bloqueado: ${block.title}`),
    h('p', {}, `Calendario: ${model.calendarName(block.calendar_id)}`),
    h('p', { class: 'badges' }, h('span', { class: `badge ${block.sync.status}` }, BLOCK_SYNC_LABEL[block.sync.status] ?? block.sync.status)),
    note ? h('p', { class: 'sync-error' }, note) : null,
    h('div', { class: 'actions' }, action('Editar bloqueo', 'edit', actions.edit), action('Quitar bloqueo', 'remove', actions.remove)),
  );
}

/** A grey band for hours the chosen calendar is closed. */
function closedBand(stretch: Stretch, whole: boolean, model: AgendaModel): HTMLElement {
  const calendar = model.closed!.calendar;
  return h(
    'p',
    { class: 'closed-hours' },
    whole
      ? `Cerrado todo el día (${calendar}): fuera del horario de atención.`
      : `Fuera del horario de atención (${calendar}): ${formatTime(new Date(stretch.start), model.zone)} – ${formatTime(new Date(stretch.end), model.zone)}`,
  );
}

interface Item {
  /** Where it starts on this day (a cita or block from the day before starts at midnight here). */
  at: number;
  /** Bands first when they start together with a cita. */
  rank: number;
  el: () => HTMLElement;
}

export function renderAgenda(container: HTMLElement, model: AgendaModel, actions: CitaActions, blockActions?: BlockActions): void {
  // Redrawn every time something changes (a poll, a save): keep the keyboard where it was.
  const place = focusPlaceOf(document.activeElement);
  const byDay = new Map<Day, Item[]>(model.days.map((d) => [d, []]));
  const citaCount = new Map<Day, number>(model.days.map((d) => [d, 0]));
  const startOf = new Map<Day, number>(model.days.map((d) => [d, dayBounds(d, model.zone)?.start.getTime() ?? 0]));
  const place_ = (day: Day, start: string | number, rank: number, el: (day: Day) => HTMLElement) => {
    const list = byDay.get(day);
    if (!list) return;
    list.push({ at: Math.max(typeof start === 'number' ? start : Date.parse(start), startOf.get(day)!), rank, el: () => el(day) });
  };
  for (const cita of model.citas) {
    for (const day of daysTouched(cita.start_time_utc, cita.end_time_utc, model.zone)) {
      if (!byDay.has(day)) continue;
      citaCount.set(day, citaCount.get(day)! + 1);
      place_(day, cita.start_time_utc, 2, (d) => card(cita, d, model, actions));
    }
  }
  if (blockActions) {
    for (const block of model.blocks ?? []) {
      for (const day of daysTouched(block.start_time_utc, block.end_time_utc, model.zone)) place_(day, block.start_time_utc, 1, (d) => blockBand(block, d, model, blockActions));
    }
  }
  const closedAll = new Set<Day>();
  if (model.closed) {
    for (const day of model.days) {
      const stretches = model.closed.of(day);
      const bounds = dayBounds(day, model.zone);
      const whole = stretches.length === 1 && !!bounds && stretches[0]!.start === bounds.start.getTime() && stretches[0]!.end === bounds.end.getTime();
      if (whole) closedAll.add(day);
      for (const s of stretches) place_(day, s.start, 0, () => closedBand(s, whole, model));
    }
  }
  container.style.setProperty('--cols', String(model.days.length));
  container.replaceChildren(
    ...model.days.map((day) => {
      const items = byDay.get(day)!.sort((a, b) => a.at - b.at || a.rank - b.rank);
      const headingId = `dia-${day}`;
      return h(
        'section',
        { class: `day ${day === model.today ? 'today' : ''} ${closedAll.has(day) ? 'closed-day' : ''}`.replace(/\s+/g, ' ').trim(), 'aria-labelledby': headingId, data: { day } },
        h('h3', { id: headingId }, formatDay(day), ...(day === model.today ? [' ', h('span', { class: 'tag-today' }, 'Hoy')] : [])),
        citaCount.get(day) ? null : h('p', { class: 'empty' }, 'Sin citas'),
        items.length ? h('ol', {}, ...items.map((item) => h('li', { class: item.rank === 2 ? '' : 'band' }, item.el()))) : null,
      );
    }),
  );
  if (place) restoreFocus(container, place);
}
