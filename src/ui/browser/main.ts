/**
 * The agenda page's script: the key entry, the location and its calendars, the agenda, and the
 * create / edit / cancel / retry / history actions, all through /api with the typed client.
 * Bundled by scripts/ui-build.ts into src/ui/generated/agenda-script.ts.
 */
import { agendaApi, type AgendaApi, type AuditEntry, type Block, type Calendar, type Cita, type CitaPage, type ListQuery, type LocationInfo, type SavedBlock, type Settings } from './api';
import { renderAgenda } from './agenda-view';
import { askToRemoveBlock, BlockDialog, wireRemoveBlockDialog, type BlockMode } from './block-dialog';
import { blockBody, blockedSentence, blockFieldOf, blockPatch, blockValuesOf, conflictText, outsideHoursSentence, overlapSentence, validateBlockForm, type BlockFieldErrors, type BlockFormValues, type BlockTimes, type WorkingHoursOfDay } from './block-rules';
import { askToForce, wireForceDialog } from './force-dialog';
import { candidateLabel, collisionLine, collisionsOf, seriesCreatedSentence, seriesUpdatedSentence, type Collision, type MatchCandidate } from './series-rules';
import { askAboutCollisions, wireSeriesDialog } from './series-dialog';
import { renderFreeSlots, type Slot } from './free-slots';
import { closedStretches } from './working-hours';
import { showAudit, wireAuditDialog } from './audit-dialog';
import { readCalendarChoice, renderCalendars } from './calendars-panel';
import { askToCancel, wireCancelDialog } from './cancel-dialog';
import { CitaDialog, type FormMode } from './cita-dialog';
import { addDays, daysShown, formatDay, formatPeriod, formatTime, isDay, step, todayIn, wallIn, zoneLabel, type AgendaView, type Day } from './clinic-time';
import { byId, count, h } from './dom';
import { createBody, formFieldOf, patchBody, validateCitaForm, valuesOf, type CitaFormValues, type FieldErrors } from './form-rules';
import { STATUS_FILTERS } from './labels';
import { patientName } from './patients';
import { startPolling, type Poller } from './poller';
import { ApiProblem, fieldLine, fieldMessage, problemMessage, type ProblemContext } from './problems';
import { session } from './session';

const POLL_EVERY_MS = 5_000;
const POLL_MIN_GAP_MS = 3_000;
/** Blocks have no ETag: re-read with every change of the citas, after any action, and at least this often. */
const BLOCKS_EVERY_MS = 30_000;

const state = {
  api: null as AgendaApi | null,
  locations: [] as LocationInfo[],
  locationId: null as string | null,
  settings: null as Settings | null,
  calendars: [] as Calendar[],
  zone: 'America/Lima',
  view: 'semana' as AgendaView,
  anchor: null as Day | null,
  statusFilter: '',
  citas: [] as Cita[],
  conflicts: [] as Cita[],
  /** The list's ETag and the query it belongs to: a poll of the same query sends it back. */
  etag: null as string | null,
  etagQuery: '',
  /** Only the newest load may draw: an older poll finishing late must not undo a fresher one. */
  loadSeq: 0,
  editing: null as { cita: Cita; before: CitaFormValues } | null,
  lastCreate: null as { body: string; key: string } | null,
  blocks: [] as Block[],
  /** When the blocks were last read, and for which days and calendars. */
  blocksReadAt: 0,
  blocksQuery: '',
  /** The calendar whose working hours are greyed and whose free slots are listed («Horario de»). */
  hoursCalendarId: '',
  editingBlock: null as { block: Block; before: BlockFormValues } | null,
  lastBlockCreate: null as { body: string; key: string } | null,
  /** Only the newest free-slots answer may draw. */
  slotsSeq: 0,
  poller: null as Poller | null,
};

const dialog = new CitaDialog((values, mode) => void submitCita(values, mode), {
  search: (q, signal) => state.api!.searchContacts(state.locationId!, q, signal),
  create: (body) => state.api!.createContact(body),
  locationId: () => state.locationId!,
  keyProblem: (err) => backToKeyIfNeeded(err),
});

const blockDialog = new BlockDialog((values, mode) => void submitBlock(values, mode));

// ── Messages ──────────────────────────────────────────────────────────────────────────────────

function notice(text: string): void {
  byId('alerta').textContent = '';
  byId('aviso').textContent = text;
}

function alertText(text: string): void {
  byId('alerta').textContent = text;
}

function describeSlot(c: { start_time: string; end_time: string }): string {
  return `${formatDay(wallIn(c.start_time, state.zone).day)}, ${formatTime(c.start_time, state.zone)} – ${formatTime(c.end_time, state.zone)}`;
}

function messageOf(err: unknown, context: ProblemContext = 'general'): string {
  return err instanceof ApiProblem ? problemMessage(err, context, describeSlot) : `Error inesperado en la página: ${String(err)}`;
}

/**
 * A wrong, revoked or insufficient key sends the user back to the key entry; anything else is
 * the caller's to show. Answers whether it took the user back.
 */
function backToKeyIfNeeded(err: unknown): boolean {
  if (!(err instanceof ApiProblem) || !err.needsKey) return false;
  session.forgetKey();
  showKeyEntry(problemMessage(err));
  return true;
}

// ── Key entry ─────────────────────────────────────────────────────────────────────────────────

function showKeyEntry(message = ''): void {
  state.poller?.stop();
  state.poller = null;
  state.api = null;
  for (const id of ['dialogo-forzar', 'dialogo-serie', 'dialogo-cita', 'dialogo-cancelar', 'dialogo-historial', 'dialogo-bloqueo', 'dialogo-quitar-bloqueo']) {
    const d = byId<HTMLDialogElement>(id);
    if (d.open) d.close();
  }
  byId('app').hidden = true;
  byId('sesion').hidden = true;
  byId('entrada').hidden = false;
  byId('clave-error').textContent = message;
  const input = byId<HTMLInputElement>('clave');
  input.value = '';
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  input.focus();
}

async function enter(key: string): Promise<void> {
  const api = agendaApi(key);
  let locations: LocationInfo[];
  try {
    locations = await api.locations();
  } catch (err) {
    if (err instanceof ApiProblem && err.needsKey) session.forgetKey();
    return showKeyEntry(messageOf(err));
  }
  if (!locations.length) return showKeyEntry('Esta clave no tiene ninguna sede asignada. Pida una clave con acceso a su sede.');
  session.rememberKey(key);
  state.api = api;
  state.locations = locations;
  byId('entrada').hidden = true;
  byId('app').hidden = false;
  byId('sesion').hidden = false;
  byId('sede').replaceChildren(...locations.map((l) => h('option', { value: l.location_id }, l.ghl_connected ? l.location_id : `${l.location_id} (sin conexión a GHL)`)));
  const remembered = session.location();
  const first = locations.find((l) => l.location_id === remembered) ?? locations[0]!;
  byId<HTMLSelectElement>('sede').value = first.location_id;
  await openLocation(first.location_id);
  state.poller = startPolling(() => loadAgenda(), { everyMs: POLL_EVERY_MS, minGapMs: POLL_MIN_GAP_MS });
}

// ── Location and calendars ────────────────────────────────────────────────────────────────────

async function openLocation(locationId: string): Promise<void> {
  const api = state.api!;
  state.locationId = locationId;
  session.rememberLocation(locationId);
  state.etag = null;
  // Another location chosen while this one loads: its answers are no longer wanted.
  const current = () => state.locationId === locationId;
  let settings: Settings;
  try {
    settings = await api.settings(locationId);
  } catch (err) {
    if (current() && !backToKeyIfNeeded(err)) alertText(`No se pudo abrir la sede: ${messageOf(err)}`);
    return;
  }
  let calendars: Calendar[] = [];
  let calendarsError = '';
  try {
    calendars = await api.calendars(locationId);
  } catch (err) {
    if (backToKeyIfNeeded(err)) return;
    calendarsError = `No se pudieron leer los calendarios de GHL: ${messageOf(err)}`;
  }
  if (!current()) return;
  state.settings = settings;
  state.calendars = calendars;
  state.zone = settings.time_zone;
  state.anchor = todayIn(state.zone);
  state.blocks = [];
  state.blocksQuery = '';
  byId('calendarios-error').textContent = calendarsError;
  renderCalendars(byId('lista-calendarios'), calendars, settings);
  fillHoursCalendars(settings.default_calendar_id ?? '');
  byId<HTMLInputElement>('libres-dia').value = state.anchor;
  await loadAgenda();
  await loadFreeSlots();
}

/** «Horario de»: the calendars a cita can go to; the one chosen stays chosen while it is there. */
function fillHoursCalendars(preferred: string): void {
  const options = choosableCalendars();
  const keep = [state.hoursCalendarId, preferred].find((id) => id && options.some((c) => c.id === id));
  state.hoursCalendarId = keep ?? options[0]?.id ?? '';
  const select = byId<HTMLSelectElement>('calendario-horario');
  select.replaceChildren(...options.map((c) => h('option', { value: c.id }, c.name)));
  select.value = state.hoursCalendarId;
}

function hoursCalendar(): Calendar | undefined {
  return state.calendars.find((c) => c.id === state.hoursCalendarId);
}

async function saveCalendars(): Promise<void> {
  const { choice, error } = readCalendarChoice(byId<HTMLFormElement>('form-calendarios'));
  const slot = byId('calendarios-error');
  if (error) {
    slot.textContent = error;
    return;
  }
  slot.textContent = '';
  const button = byId<HTMLButtonElement>('guardar-calendarios');
  button.disabled = true;
  try {
    state.settings = await state.api!.saveSettings(state.locationId!, choice);
    renderCalendars(byId('lista-calendarios'), state.calendars, state.settings);
    fillHoursCalendars(state.settings.default_calendar_id ?? '');
    notice(`Calendarios guardados. Las citas nuevas irán a «${calendarName(choice.default_calendar_id ?? '')}».`);
    await loadAgenda();
  } catch (err) {
    if (backToKeyIfNeeded(err)) return;
    const fields = err instanceof ApiProblem && err.status < 500 ? err.fields.map(fieldLine) : [];
    slot.textContent = [messageOf(err), ...fields].join(' ');
  } finally {
    button.disabled = false;
  }
}

function calendarName(id: string): string {
  return state.calendars.find((c) => c.id === id)?.name ?? id;
}

/** The calendars a cita can go to: the synced ones that are active in GHL. */
function choosableCalendars(): { id: string; name: string }[] {
  const synced = state.settings?.synced_calendar_ids ?? [];
  if (!state.calendars.length) return synced.map((id) => ({ id, name: id }));
  return state.calendars.filter((c) => c.active && synced.includes(c.id)).map((c) => ({ id: c.id, name: c.name }));
}

// ── Agenda ────────────────────────────────────────────────────────────────────────────────────

function shownDays(): Day[] {
  return daysShown(state.view, state.anchor ?? todayIn(state.zone));
}

function listQuery(): ListQuery {
  const days = shownDays();
  const synced = state.settings?.synced_calendar_ids ?? [];
  return {
    location_id: state.locationId!,
    desde: days[0]!,
    hasta: days[days.length - 1]!,
    ...(state.statusFilter ? { status: state.statusFilter } : {}),
    ...(synced.length ? { calendar_id: synced.join(',') } : {}),
  };
}

/**
 * Reads the shown days (a 304 when nothing changed since the last look) and redraws; the blocks
 * of those days too, when the citas changed, the days or calendars did, or a while has passed.
 */
async function loadAgenda(): Promise<void> {
  const api = state.api;
  if (!api || !state.locationId) return;
  const seq = ++state.loadSeq;
  const query = listQuery();
  const queryKey = JSON.stringify(query);
  const etag = state.etagQuery === queryKey ? state.etag : null;
  const blocksKey = JSON.stringify([query.location_id, query.desde, query.hasta, query.calendar_id ?? '']);
  try {
    const first = await api.listCitas(query, etag);
    const blocksDue = first.changed || blocksKey !== state.blocksQuery || Date.now() - state.blocksReadAt > BLOCKS_EVERY_MS;
    if ((!first.changed && !blocksDue) || seq !== state.loadSeq) return;
    let citas = state.citas;
    let conflicts = state.conflicts;
    if (first.changed) {
      citas = [...first.page.data];
      let page: CitaPage = first.page;
      while (page.next_cursor) {
        const next = await api.listCitas({ ...query, cursor: page.next_cursor });
        if (!next.changed) break;
        page = next.page;
        citas.push(...page.data);
      }
      const listed = await api.listCitas({ location_id: query.location_id, desde: todayIn(page.time_zone), hasta: addDays(todayIn(page.time_zone), 92), conflict: 'true', status: 'new,confirmed' });
      conflicts = listed.changed ? listed.page.data : [];
    }
    // The agenda still shows the citas when the blocks cannot be read; the alert says what is missing.
    let blocks = state.blocks;
    let blocksError = '';
    const readAt = Date.now();
    try {
      blocks = await api.blocks(query.location_id, query.desde, query.hasta, query.calendar_id ? query.calendar_id.split(',') : []);
    } catch (err) {
      if (backToKeyIfNeeded(err)) return;
      blocksError = `No se pudieron leer los bloqueos de horario: ${messageOf(err)}`;
    }
    if (seq !== state.loadSeq || query.location_id !== state.locationId) return;
    if (first.changed) {
      state.etag = first.etag;
      state.etagQuery = queryKey;
      state.zone = first.page.time_zone;
      state.citas = citas;
      state.conflicts = conflicts;
    }
    if (!blocksError) {
      state.blocks = blocks;
      state.blocksReadAt = readAt;
      state.blocksQuery = blocksKey;
    }
    byId('alerta').textContent = blocksError;
    render();
  } catch (err) {
    if (!backToKeyIfNeeded(err)) alertText(`No se pudo actualizar la agenda: ${messageOf(err)}`);
  }
}

/** After a change made here: the next look reads the blocks again. */
function reloadAll(): Promise<void> {
  state.blocksReadAt = 0;
  return loadAgenda();
}

function render(): void {
  const days = shownDays();
  const today = todayIn(state.zone);
  const zone = zoneLabel(state.zone);
  byId('zona').textContent = `Hora de la clínica: ${zone}`;
  byId('periodo').textContent = `${formatPeriod(days)} · ${count(state.citas.length, 'cita', 'citas')} · hora de la clínica: ${zone}`;
  byId('vista-dia').setAttribute('aria-pressed', String(state.view === 'dia'));
  byId('vista-semana').setAttribute('aria-pressed', String(state.view === 'semana'));
  byId('anterior').setAttribute('aria-label', state.view === 'dia' ? 'Día anterior' : 'Semana anterior');
  byId('siguiente').setAttribute('aria-label', state.view === 'dia' ? 'Día siguiente' : 'Semana siguiente');
  byId<HTMLInputElement>('ir-a').value = state.anchor ?? today;
  const hours = hoursCalendar();
  const closed = hours?.open_hours ? { of: (day: Day) => closedStretches(hours.open_hours, day, state.zone), calendar: hours.name } : undefined;
  renderAgenda(
    byId('dias'),
    { days, today, zone: state.zone, citas: state.citas, calendarName, blocks: state.blocks, ...(closed ? { closed } : {}) },
    { edit: editCita, cancel: cancelCita, audit: auditCita, retry: retryCita },
    { edit: editBlock, remove: removeBlock },
  );
  renderConflicts();
}

function renderConflicts(): void {
  const list = byId('lista-conflictos');
  if (!state.conflicts.length) {
    list.replaceChildren(h('li', {}, 'Sin conflictos en los próximos tres meses.'));
    return;
  }
  list.replaceChildren(
    ...state.conflicts.map((c) => {
      const day = wallIn(c.start_time_utc, state.zone).day;
      return h(
        'li',
        { data: { citaId: c.id } },
        `${formatDay(day)}, ${formatTime(c.start_time_utc, state.zone)}: «${c.title}» (${calendarName(c.calendar_id)}) `,
        c.conflict_reason === 'blocked' || c.conflict_reason === 'ambiguous_match' ? h('span', { class: 'badge conflict' }, conflictText(c)) : null,
        ' ',
        h('button', { type: 'button', on: { click: () => goTo(day, 'dia') } }, 'Ver en la agenda'),
        c.conflict_reason === 'ambiguous_match' ? candidatesOf(c) : null,
      );
    }),
  );
}

/**
 * A cita the connection could not match alone (issue 24): the GHL appointments that could be it,
 * each with «Vincular», which makes that one this cita's copy in GHL.
 */
function candidatesOf(c: Cita): HTMLElement {
  const candidates = (c.match_candidates ?? []) as MatchCandidate[];
  const headingId = `candidatas-${c.id}`;
  return h(
    'div',
    { class: 'candidates' },
    h('p', { id: headingId }, candidates.length ? 'Posibles citas en GHL:' : 'Posibles citas en GHL: ninguna a la vista.'),
    candidates.length
      ? h(
          'ul',
          { 'aria-labelledby': headingId },
          ...candidates.map((m) => {
            const label = candidateLabel(m, describeSlot);
            return h(
              'li',
              { data: { ghlId: m.ghl_appointment_id } },
              `${label} `,
              h('button', { type: 'button', 'aria-label': `Vincular «${c.title}» con ${label}`, on: { click: (e) => void linkCita(c, m, e.currentTarget as HTMLButtonElement) } }, 'Vincular'),
            );
          }),
        )
      : null,
  );
}

async function linkCita(c: Cita, m: MatchCandidate, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    await state.api!.linkCita(c.id, m.ghl_appointment_id);
    notice(`Cita «${c.title}» vinculada con la cita de GHL «${m.title || 'sin motivo'}» (${describeSlot(m)}).`);
    await reloadAll();
  } catch (err) {
    button.disabled = false;
    if (!backToKeyIfNeeded(err)) alertText(`No se pudo vincular «${c.title}»: ${messageOf(err, 'cita')}`);
  }
}

function goTo(day: Day, view: AgendaView = state.view): void {
  const moved = day !== state.anchor;
  state.anchor = day;
  state.view = view;
  void loadAgenda();
  // «Horarios libres» follows the day the agenda went to.
  if (moved) {
    byId<HTMLInputElement>('libres-dia').value = day;
    void loadFreeSlots();
  }
}

// ── Citas ─────────────────────────────────────────────────────────────────────────────────────

function newCita(slot?: Slot): void {
  const days = shownDays();
  const today = todayIn(state.zone);
  state.editing = null;
  const prefill = slot ? { calendarId: state.hoursCalendarId, day: slot.day, start: slot.start, end: slot.end, endsNextDay: slot.endsNextDay } : {};
  dialog.open({
    mode: 'crear',
    zoneLabel: zoneLabel(state.zone),
    calendars: choosableCalendars(),
    values: {
      title: '',
      patient: null,
      calendarId: state.settings?.default_calendar_id ?? choosableCalendars()[0]?.id ?? '',
      day: days.includes(today) ? today : days[0]!,
      start: '09:00',
      end: '09:30',
      endsNextDay: false,
      status: 'new',
      notes: '',
      ...prefill,
    },
  });
}

function editCita(cita: Cita): void {
  const before = valuesOf(cita, state.zone);
  state.editing = { cita, before };
  dialog.open({ mode: 'editar', zoneLabel: zoneLabel(state.zone), calendars: choosableCalendars(), values: before, patientFixed: !!cita.ghl_appointment_id, series: cita.series });
}

async function submitCita(values: CitaFormValues, mode: FormMode): Promise<void> {
  const errors = validateCitaForm(values, state.zone, mode);
  if (Object.keys(errors).length) return dialog.showErrors(errors, 'Revise los campos marcados.');
  await sendCita(values, mode, false);
}

/** «Solo las sesiones libres»: a series sent again skipping the colliding sessions (issue 24). */
type OnConflict = 'fail' | 'skip';

/**
 * Sends the form. A time that is blocked or outside working hours is refused unless `force`:
 * the person is asked, and «Agendar de todos modos» sends it again forced.
 */
async function sendCita(values: CitaFormValues, mode: FormMode, force: boolean, onConflict: OnConflict = 'fail'): Promise<void> {
  const api = state.api!;
  dialog.setBusy(true);
  try {
    if (mode === 'crear') {
      const single = createBody(values, state.locationId!);
      const body = single.repeat && onConflict === 'skip' ? { ...single, on_conflict: 'skip' as const } : single;
      const text = JSON.stringify({ body, force });
      // The same form sent again (a double click, a retry after a lost answer) makes one cita.
      const key = state.lastCreate?.body === text ? state.lastCreate.key : crypto.randomUUID();
      state.lastCreate = { body: text, key };
      const cita = force ? await api.createCitaForced(body, key) : await api.createCita(body, key);
      state.lastCreate = null;
      dialog.close();
      if (cita.series_citas) {
        const first = formatDay(wallIn(cita.start_time_utc, state.zone).day);
        notice(seriesCreatedSentence(cita.title, cita.series_citas.length, `${first}, ${formatTime(cita.start_time_utc, state.zone)}`, cita.skipped ?? []));
      } else notice(`Cita «${cita.title}» creada para el ${describeSlot({ start_time: cita.start_time_utc, end_time: cita.end_time_utc })}; se envía a GHL en segundo plano.`);
      showDayOf(cita);
    } else {
      const editing = state.editing!;
      const patch = patchBody(values, editing.before);
      if (!Object.keys(patch).length) return dialog.showErrors({}, 'No hay cambios que guardar.');
      // A session of a series: the sessions chosen in «¿A qué sesiones aplicar los cambios?».
      const scope = editing.cita.series ? dialog.scope : 'this';
      const json = scope === 'this' ? patch : { ...patch, scope };
      const cita = force ? await api.updateCitaForced(editing.cita.id, editing.cita.version, json) : await api.updateCita(editing.cita.id, editing.cita.version, json);
      dialog.close();
      notice([`Cita «${cita.title}» guardada para el ${describeSlot({ start_time: cita.start_time_utc, end_time: cita.end_time_utc })}.`, seriesUpdatedSentence(cita.series_updated, 'edit')].filter(Boolean).join(' '));
      showDayOf(cita);
    }
    await reloadAll();
    void loadFreeSlots();
  } catch (err) {
    if (backToKeyIfNeeded(err)) return;
    if (err instanceof ApiProblem && err.code === 'series_conflict' && onConflict === 'fail') {
      const problem = err;
      const collisions = collisionsOf(problem.extra);
      dialog.setBusy(false);
      return askAboutCollisions(
        seriesConflictSentence(collisions, values),
        collisions.map((c) => collisionLine(c, describeSlot)),
        () => sendCita(values, mode, force, 'skip'),
        () => dialog.showErrors({ start: '' }, problemMessage(problem, 'cita', describeSlot)),
      );
    }
    const sentence = !force && err instanceof ApiProblem ? bookingRuleSentence(err) : null;
    if (sentence) {
      const problem = err as ApiProblem;
      dialog.setBusy(false);
      return askToForce(
        sentence,
        () => sendCita(values, mode, true),
        // Back to the form: the start is what to change, marked and focused; the reason in the summary.
        () => dialog.showErrors({ start: '' }, problemMessage(problem, 'cita', describeSlot)),
      );
    }
    await showFormProblem(err);
  } finally {
    dialog.setBusy(false);
  }
}

/** «No se agendó ninguna sesión: 2 de las 10 chocan con …»; the total when the form says it. */
function seriesConflictSentence(collisions: Collision[], values: CitaFormValues): string {
  const n = collisions.length;
  const total = values.repeat?.end === 'count' ? Number(values.repeat.count) : null;
  const which = total ? `${n} de las ${total} sesiones` : n === 1 ? '1 sesión' : `${n} sesiones`;
  return `No se agendó ninguna sesión: ${which} ${n === 1 ? 'choca' : 'chocan'} con otra cita, un bloqueo o el horario de atención. Puede agendar solo las sesiones libres, o volver y cambiar la fecha u hora.`;
}

/** What a booking rule the person may override says (issue 23); null for any other problem. */
function bookingRuleSentence(p: ApiProblem): string | null {
  if (p.code === 'slot_blocked') return blockedSentence(p.extra.block as BlockTimes | undefined);
  if (p.code === 'outside_working_hours') return outsideHoursSentence(p.extra.working_hours as WorkingHoursOfDay | undefined);
  return null;
}

/** After a save, the agenda shows the day the cita is on. */
function showDayOf(cita: Cita): void {
  const day = wallIn(cita.start_time_utc, state.zone).day;
  if (!shownDays().includes(day)) state.anchor = day;
}

/** The service's answer, in the form: each field's message beside it, the rest in the summary. */
async function showFormProblem(err: unknown): Promise<void> {
  if (!(err instanceof ApiProblem)) return dialog.showErrors({}, messageOf(err));
  const errors: FieldErrors = {};
  const unplaced: string[] = [];
  // A 5xx's fields name the service's own settings, not the form's: the message says enough.
  for (const f of err.status < 500 ? err.fields : []) {
    const name = formFieldOf(f.field);
    if (name && !errors[name]) errors[name] = fieldMessage(f.message);
    else unplaced.push(fieldLine(f));
  }
  const summary = [problemMessage(err, 'cita', describeSlot), ...unplaced].join(' ');
  // The start is what to change: marked and focused, its message said once, in the summary.
  if (err.code === 'slot_taken') errors.start = '';
  if (err.code === 'version_mismatch' && state.editing) {
    return dialog.showErrors(errors, summary, { label: 'Cargar la versión actual', run: () => void reloadEditing() });
  }
  dialog.showErrors(errors, summary);
}

async function reloadEditing(): Promise<void> {
  const editing = state.editing;
  if (!editing) return;
  try {
    const cita = await state.api!.getCita(editing.cita.id);
    const before = valuesOf(cita, state.zone);
    state.editing = { cita, before };
    dialog.fill(before, !!cita.ghl_appointment_id);
    dialog.showErrors({}, `Se cargó la versión actual (versión ${cita.version}). Vuelva a aplicar sus cambios y guarde.`);
  } catch (err) {
    if (!backToKeyIfNeeded(err)) dialog.showErrors({}, messageOf(err));
  }
}

function cancelCita(cita: Cita): void {
  askToCancel(cita, state.zone, async (scope) => {
    try {
      const answer = await state.api!.cancelCita(cita.id, cita.version, scope);
      notice([`Cita «${cita.title}» cancelada.`, seriesUpdatedSentence(answer.series_updated, 'cancel')].filter(Boolean).join(' '));
      return null;
    } catch (err) {
      if (backToKeyIfNeeded(err)) return null;
      if (err instanceof ApiProblem && err.code === 'version_mismatch') {
        await loadAgenda();
        return 'La cita cambió mientras tanto (la agenda ya muestra la versión actual). Revísela y vuelva a cancelar si corresponde.';
      }
      return messageOf(err, 'cita');
    }
  }, loadAgenda);
}

async function auditCita(cita: Cita): Promise<void> {
  try {
    const entries = await state.api!.audit(cita.id);
    showAudit(cita, entries, state.zone, calendarName, await patientsNamed(cita, entries));
  } catch (err) {
    if (!backToKeyIfNeeded(err)) alertText(`No se pudo leer el historial: ${messageOf(err)}`);
  }
}

/**
 * The patients a history names (its contact_id changes) by name: the cita's own from the cita,
 * the others asked of the service (GET /api/contacts/{id}); one it cannot tell is «otro paciente».
 */
async function patientsNamed(cita: Cita, entries: AuditEntry[]): Promise<(id: string) => string> {
  const known = new Map<string, string>();
  if (cita.contact?.id && (cita.contact.name || cita.contact.deleted)) known.set(cita.contact.id, patientName(cita.contact));
  const ids = new Set<string>();
  for (const e of entries) {
    for (const v of [e.changes.contact_id?.before, e.changes.contact_id?.after]) if (typeof v === 'string' && !known.has(v)) ids.add(v);
  }
  await Promise.all(
    [...ids].map(async (id) => {
      const contact = await state.api!.getContact(state.locationId!, id).catch(() => null);
      if (contact) known.set(id, patientName(contact));
    }),
  );
  return (id) => known.get(id) ?? 'otro paciente';
}

async function retryCita(cita: Cita): Promise<void> {
  try {
    await state.api!.pushCita(cita.id);
    notice(`Se reintenta el envío de «${cita.title}» a GHL.`);
    await loadAgenda();
  } catch (err) {
    if (!backToKeyIfNeeded(err)) alertText(messageOf(err, 'cita'));
  }
}

// ── Blocks ────────────────────────────────────────────────────────────────────────────────────

function newBlock(): void {
  const days = shownDays();
  const today = todayIn(state.zone);
  const day = days.includes(today) ? today : days[0]!;
  state.editingBlock = null;
  blockDialog.open('crear', { calendarId: state.hoursCalendarId, day, from: '13:00', endDay: day, to: '14:00', title: '' }, choosableCalendars(), zoneLabel(state.zone));
}

function editBlock(block: Block): void {
  const before = blockValuesOf(block, state.zone);
  state.editingBlock = { block, before };
  blockDialog.open('editar', before, choosableCalendars(), zoneLabel(state.zone));
}

async function submitBlock(values: BlockFormValues, mode: BlockMode): Promise<void> {
  const errors = validateBlockForm(values, state.zone);
  if (Object.keys(errors).length) return blockDialog.showErrors(errors, 'Revise los campos marcados.');
  const api = state.api!;
  blockDialog.setBusy(true);
  try {
    let saved: SavedBlock;
    if (mode === 'crear') {
      const body = blockBody(values, state.locationId!);
      const text = JSON.stringify(body);
      const key = state.lastBlockCreate?.body === text ? state.lastBlockCreate.key : crypto.randomUUID();
      state.lastBlockCreate = { body: text, key };
      saved = await api.createBlock(body, key);
      state.lastBlockCreate = null;
    } else {
      const editing = state.editingBlock!;
      const patch = blockPatch(values, editing.before);
      if (!Object.keys(patch).length) return blockDialog.showErrors({}, 'No hay cambios que guardar.');
      saved = await api.updateBlock(editing.block.id, editing.block.version, patch);
    }
    blockDialog.close();
    const when = describeSlot({ start_time: saved.start_time_utc, end_time: saved.end_time_utc });
    const verb = mode === 'crear' ? 'creado' : 'guardado';
    notice([`Bloqueo «${saved.title}» ${verb} en ${calendarName(saved.calendar_id)} para el ${when}; se envía a GHL en segundo plano.`, overlapSentence(saved.overlapping_citas)].filter(Boolean).join(' '));
    const day = wallIn(saved.start_time_utc, state.zone).day;
    if (!shownDays().includes(day)) state.anchor = day;
    await reloadAll();
    void loadFreeSlots();
  } catch (err) {
    if (backToKeyIfNeeded(err)) return;
    showBlockProblem(err);
  } finally {
    blockDialog.setBusy(false);
  }
}

function showBlockProblem(err: unknown): void {
  if (!(err instanceof ApiProblem)) return blockDialog.showErrors({}, messageOf(err));
  const errors: BlockFieldErrors = {};
  const unplaced: string[] = [];
  for (const f of err.status < 500 ? err.fields : []) {
    const name = blockFieldOf(f.field);
    if (name && !errors[name]) errors[name] = fieldMessage(f.message);
    else unplaced.push(fieldLine(f));
  }
  const summary =
    err.code === 'version_mismatch'
      ? 'Otra persona cambió este bloqueo mientras usted lo editaba. Cierre, revise la agenda (ya muestra la versión actual) y vuelva a editarlo.'
      : [problemMessage(err, 'general', describeSlot), ...unplaced].join(' ');
  if (err.code === 'version_mismatch') void reloadAll();
  blockDialog.showErrors(errors, summary);
}

function removeBlock(block: Block): void {
  askToRemoveBlock(
    block,
    state.zone,
    async () => {
      try {
        await state.api!.deleteBlock(block.id);
        notice(`Bloqueo «${block.title}» quitado; ese horario queda libre. Se quita también en GHL.`);
        return null;
      } catch (err) {
        if (backToKeyIfNeeded(err)) return null;
        return messageOf(err);
      }
    },
    async () => {
      await reloadAll();
      void loadFreeSlots();
    },
  );
}

// ── Free slots ────────────────────────────────────────────────────────────────────────────────

async function loadFreeSlots(): Promise<void> {
  const api = state.api;
  const status = byId('libres-estado');
  const list = byId('lista-libres');
  const calendar = state.calendars.find((c) => c.id === state.hoursCalendarId);
  byId('libres-calendario').textContent = calendar ? `Calendario: ${calendar.name} (elíjalo en «Horario de»).` : '';
  const day = byId<HTMLInputElement>('libres-dia').value;
  if (!api || !state.locationId || !state.hoursCalendarId || !isDay(day, state.zone)) {
    list.replaceChildren();
    status.textContent = state.hoursCalendarId ? 'Elija un día.' : 'Elija un calendario en «Horario de».';
    return;
  }
  const seq = ++state.slotsSeq;
  status.textContent = 'Buscando horarios libres en GHL…';
  try {
    const answer = await api.freeSlots(state.locationId, state.hoursCalendarId, day);
    if (seq !== state.slotsSeq) return;
    renderFreeSlots(list, status, answer, state.zone, (slot) => newCita(slot));
  } catch (err) {
    if (seq !== state.slotsSeq || backToKeyIfNeeded(err)) return;
    list.replaceChildren();
    status.textContent = `No se pudieron leer los horarios libres: ${messageOf(err)}`;
  }
}

// ── Wiring ────────────────────────────────────────────────────────────────────────────────────

function wire(): void {
  byId('filtro-estado').replaceChildren(...STATUS_FILTERS.map((f) => h('option', { value: f.value }, f.label)));
  byId<HTMLFormElement>('form-clave').addEventListener('submit', (e) => {
    e.preventDefault();
    const key = byId<HTMLInputElement>('clave').value.trim();
    if (!key) return showKeyEntry('Pegue su clave de API.');
    void enter(key);
  });
  byId('cambiar-clave').addEventListener('click', () => {
    session.forgetKey();
    showKeyEntry();
  });
  byId<HTMLSelectElement>('sede').addEventListener('change', (e) => void openLocation((e.target as HTMLSelectElement).value));
  byId<HTMLFormElement>('form-calendarios').addEventListener('submit', (e) => {
    e.preventDefault();
    void saveCalendars();
  });
  byId('vista-dia').addEventListener('click', () => goTo(state.anchor ?? todayIn(state.zone), 'dia'));
  byId('vista-semana').addEventListener('click', () => goTo(state.anchor ?? todayIn(state.zone), 'semana'));
  byId('anterior').addEventListener('click', () => goTo(step(state.view, state.anchor ?? todayIn(state.zone), -1)));
  byId('siguiente').addEventListener('click', () => goTo(step(state.view, state.anchor ?? todayIn(state.zone), 1)));
  byId('hoy').addEventListener('click', () => goTo(todayIn(state.zone)));
  byId<HTMLInputElement>('ir-a').addEventListener('change', (e) => {
    const day = (e.target as HTMLInputElement).value;
    if (isDay(day, state.zone)) goTo(day);
  });
  byId<HTMLSelectElement>('filtro-estado').addEventListener('change', (e) => {
    state.statusFilter = (e.target as HTMLSelectElement).value;
    void loadAgenda();
  });
  byId('nueva-cita').addEventListener('click', () => newCita());
  byId('bloquear-horario').addEventListener('click', newBlock);
  byId<HTMLSelectElement>('calendario-horario').addEventListener('change', (e) => {
    state.hoursCalendarId = (e.target as HTMLSelectElement).value;
    render();
    void loadFreeSlots();
  });
  byId<HTMLInputElement>('libres-dia').addEventListener('change', () => void loadFreeSlots());
  wireForceDialog();
  wireSeriesDialog();
  wireRemoveBlockDialog();
  wireCancelDialog();
  wireAuditDialog();
}

wire();
const stored = session.apiKey();
if (stored) void enter(stored);
else showKeyEntry();
