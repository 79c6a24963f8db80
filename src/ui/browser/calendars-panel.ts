/**
 * The calendar selector: the location's GHL calendars, which are synced (and shown in the agenda)
 * and which one new citas go to. Inactive calendars are listed but cannot be chosen. The same form
 * says whether GHL's automations message patients about what is pushed from here.
 */
import type { Calendar, Settings } from './api';
import { h } from './dom';

export interface CalendarChoice {
  default_calendar_id: string | null;
  synced_calendar_ids: string[];
  notify_patients: boolean;
}

const NOTIFY = 'avisar-pacientes';

export function renderCalendars(tbody: HTMLElement, calendars: Calendar[], settings: Settings): void {
  const synced = new Set(settings.synced_calendar_ids);
  const notify = tbody.closest('form')?.querySelector<HTMLInputElement>(`#${NOTIFY}`);
  if (notify) notify.checked = settings.notify_patients;
  tbody.replaceChildren(
    ...calendars.map((cal) => {
      const nameId = `calendario-${cal.id}`;
      const sync = h('input', {
        type: 'checkbox',
        name: 'sincronizar',
        value: cal.id,
        'aria-labelledby': `sincronizar-${cal.id} ${nameId}`,
        checked: cal.active && synced.has(cal.id),
        disabled: !cal.active,
      });
      const byDefault = h('input', {
        type: 'radio',
        name: 'predeterminado',
        value: cal.id,
        'aria-labelledby': `predeterminado-${cal.id} ${nameId}`,
        checked: cal.active && settings.default_calendar_id === cal.id,
        disabled: !cal.active,
        // The default calendar is always synced: choosing it ticks its box.
        on: { change: () => (sync.checked = true) },
      });
      return h(
        'tr',
        { class: cal.active ? '' : 'inactive', data: { calendarId: cal.id } },
        h('td', {}, h('span', { id: nameId }, cal.name), cal.active ? null : h('span', { class: 'hint' }, ' (inactivo en GHL: no se puede elegir)')),
        h('td', { class: 'center' }, h('span', { id: `sincronizar-${cal.id}`, class: 'sr-only' }, 'Sincronizar'), sync),
        h('td', { class: 'center' }, h('span', { id: `predeterminado-${cal.id}`, class: 'sr-only' }, 'Predeterminado'), byDefault),
      );
    }),
  );
}

/** What the form says, checked before saving: a default, and the default among the synced. */
export function readCalendarChoice(form: HTMLFormElement): { choice: CalendarChoice; error: string | null } {
  const checked = (name: string) => [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked:not(:disabled)`)].map((i) => i.value);
  const byDefault = checked('predeterminado')[0] ?? null;
  const synced = checked('sincronizar');
  if (byDefault && !synced.includes(byDefault)) synced.unshift(byDefault);
  const error = byDefault ? null : 'Elija el calendario predeterminado (donde van las citas nuevas).';
  const notify = form.querySelector<HTMLInputElement>(`#${NOTIFY}`)?.checked ?? true;
  return { choice: { default_calendar_id: byDefault, synced_calendar_ids: synced, notify_patients: notify }, error };
}
