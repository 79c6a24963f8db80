/**
 * Draws the agenda: one column per clinic day, each cita as a card on every day it touches (one
 * crossing midnight shows on both), times in the clinic's zone, with its sync state and actions.
 */
import type { Cita } from './api';
import { daysTouched, formatDay, formatShortDay, formatTime, type Day } from './clinic-time';
import { h } from './dom';
import { STATUS_LABEL, SYNC_LABEL } from './labels';
import { patientText } from './patients';
import { syncNote } from './sync-notes';

export interface AgendaModel {
  days: Day[];
  today: Day;
  zone: string;
  citas: Cita[];
  calendarName: (id: string) => string;
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
  const action = (label: string, name: string, run: (c: Cita) => void) =>
    h('button', { type: 'button', 'aria-describedby': titleId, data: { focus: `${cita.id}|${day}|${name}` }, on: { click: () => run(cita) } }, label);

  return h(
    'article',
    {
      class: `cita ${inactive ? 'cancelled' : ''} ${cita.conflict ? 'conflict' : ''}`.trim(),
      'aria-labelledby': titleId,
      data: { citaId: cita.id, day, status: cita.status, sync: cita.sync.status },
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
    h('p', { class: `patient${cita.contact?.deleted ? ' deleted' : ''}` }, `Paciente: ${patientText(cita.contact)}`),
    h('p', {}, `Calendario: ${model.calendarName(cita.calendar_id)}`),
    h(
      'p',
      { class: 'badges' },
      h('span', { class: `badge status ${cita.status}` }, STATUS_LABEL[cita.status] ?? cita.status),
      h('span', { class: `badge ${cita.sync.status}` }, SYNC_LABEL[cita.sync.status] ?? cita.sync.status),
      cita.conflict ? h('span', { class: 'badge conflict' }, 'Conflicto: se superpone con otra cita') : null,
    ),
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

export function renderAgenda(container: HTMLElement, model: AgendaModel, actions: CitaActions): void {
  // Redrawn every time something changes (a poll, a save): keep the keyboard where it was.
  const place = focusPlaceOf(document.activeElement);
  const byDay = new Map<Day, Cita[]>(model.days.map((d) => [d, []]));
  for (const cita of model.citas) {
    for (const day of daysTouched(cita.start_time_utc, cita.end_time_utc, model.zone)) byDay.get(day)?.push(cita);
  }
  container.style.setProperty('--cols', String(model.days.length));
  container.replaceChildren(
    ...model.days.map((day) => {
      const citas = byDay.get(day)!;
      const headingId = `dia-${day}`;
      return h(
        'section',
        { class: `day ${day === model.today ? 'today' : ''}`.trim(), 'aria-labelledby': headingId, data: { day } },
        h('h3', { id: headingId }, formatDay(day), ...(day === model.today ? [' ', h('span', { class: 'tag-today' }, 'Hoy')] : [])),
        citas.length
          ? h('ol', {}, ...citas.map((c) => h('li', {}, card(c, day, model, actions))))
          : h('p', { class: 'empty' }, 'Sin citas'),
      );
    }),
  );
  if (place) restoreFocus(container, place);
}
