/** A cita's audit trail: who changed what and when, times in the clinic's zone. */
import type { AuditEntry, Cita } from './api';
import { formatDateTime } from './clinic-time';
import { byId, h } from './dom';
import { ACTION_LABEL, ACTOR_LABEL, FIELD_LABEL, STATUS_LABEL, SYNC_LABEL } from './labels';

const TIME_FIELDS = new Set(['start_time', 'end_time', 'cancelled_at', 'ghl_deleted_at']);
const CALENDAR_FIELDS = new Set(['ghl_calendar_id', 'calendar_id']);

/** How a history names things: calendars and patients by name (never a GHL id). */
export interface Namers {
  calendarName: (id: string) => string;
  patientName: (id: string) => string;
}

/** A before/after value as people read it: instants in the clinic's zone, names for codes and ids. */
function shown(field: string, value: unknown, zone: string, names: Namers): string {
  if (value === null || value === undefined || value === '') return '—';
  if (field === 'contact_id' && typeof value === 'string') return names.patientName(value);
  // The cita's own id in GHL says nothing to the desk: that it got one does.
  if (field === 'ghl_appointment_id') return 'registrada en GHL';
  if (TIME_FIELDS.has(field) && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return formatDateTime(value, zone);
  if (field === 'status' && typeof value === 'string') return STATUS_LABEL[value] ?? value;
  if (field === 'sync_status' && typeof value === 'string') return SYNC_LABEL[value] ?? value;
  if (CALENDAR_FIELDS.has(field) && typeof value === 'string') return names.calendarName(value);
  if (typeof value === 'boolean') return value ? 'sí' : 'no';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A creation lists every field; the empty ones (no extras, no conflict) say nothing. */
function worthShowing(change: { before: unknown; after: unknown }): boolean {
  const empty = (v: unknown) => v === null || v === undefined || v === '' || v === false || (typeof v === 'object' && Object.keys(v as object).length === 0);
  return !(empty(change.before) && empty(change.after));
}

export function showAudit(cita: Cita, entries: AuditEntry[], zone: string, calendarName: (id: string) => string, patientName: (id: string) => string): void {
  const names: Namers = { calendarName, patientName };
  byId('historial-titulo').textContent = `Historial de «${cita.title}»`;
  const rows = entries.map((e) =>
    h(
      'tr',
      {},
      h('td', {}, formatDateTime(e.at, zone)),
      h('td', {}, ACTOR_LABEL[e.actor] ?? e.actor),
      h('td', {}, ACTION_LABEL[e.action] ?? e.action),
      h(
        'td',
        {},
        h(
          'ul',
          {},
          ...Object.entries(e.changes)
            .filter(([, change]) => worthShowing(change))
            .map(([field, change]) =>
              h('li', {}, `${FIELD_LABEL[field] ?? field}: ${shown(field, change.before, zone, names)} → ${shown(field, change.after, zone, names)}`),
            ),
        ),
      ),
    ),
  );
  byId('historial-contenido').replaceChildren(
    entries.length
      ? h(
          'table',
          { class: 'audit' },
          h('caption', { class: 'sr-only' }, `Cambios de la cita, del más antiguo al más reciente (hora de ${zone})`),
          h('thead', {}, h('tr', {}, ...['Cuándo', 'Quién', 'Qué', 'Cambios'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...rows),
        )
      : h('p', {}, 'Sin cambios registrados.'),
  );
  const dialog = byId<HTMLDialogElement>('dialogo-historial');
  if (!dialog.open) dialog.showModal();
  byId('cerrar-historial').focus();
}

export function wireAuditDialog(): void {
  byId('cerrar-historial').addEventListener('click', () => byId<HTMLDialogElement>('dialogo-historial').close());
}
