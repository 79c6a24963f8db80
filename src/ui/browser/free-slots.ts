/**
 * «Horarios libres» (issue 23): GHL's free slots of the chosen calendar on a day, as buttons;
 * clicking one starts a cita there. GHL decides what is free (its slot length, buffers, limits,
 * blocks and appointments): the page only shows it.
 */
import type { FreeSlots } from './api';
import { formatDay, formatTime, wallIn } from './clinic-time';
import { h } from './dom';

export interface Slot {
  day: string;
  start: string;
  end: string;
  endsNextDay: boolean;
}

/** A free slot as the form wants it: wall times in the clinic's zone. */
export function slotValues(slot: { start_time: string; end_time: string }, zone: string): Slot {
  const start = wallIn(slot.start_time, zone);
  const end = wallIn(slot.end_time, zone);
  return { day: start.day, start: start.time, end: end.time, endsNextDay: end.day !== start.day };
}

export function renderFreeSlots(list: HTMLElement, status: HTMLElement, answer: FreeSlots, zone: string, pick: (slot: Slot) => void): void {
  const day = formatDay(answer.fecha);
  status.textContent = answer.slots.length ? `${answer.slots.length === 1 ? '1 horario libre' : `${answer.slots.length} horarios libres`} el ${day}. Elija uno para agendar una cita.` : `No hay horarios libres el ${day}.`;
  list.replaceChildren(
    ...answer.slots.map((s) => {
      const text = `${formatTime(s.start_time, zone)} – ${formatTime(s.end_time, zone)}`;
      return h('li', {}, h('button', { type: 'button', 'aria-label': `Agendar el ${day} de ${text}`, data: { start: s.start_time }, on: { click: () => pick(slotValues(s, zone)) } }, text));
    }),
  );
}
