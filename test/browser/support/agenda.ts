/** What a receptionist does on the agenda page, in the words the page shows. */
import type { Locator, Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { ADMIN_KEY, DEMO_LOCATION } from './backends';

/** Text as a person reads it: Intl puts (narrow) no-break spaces in `9:30 a. m.`. */
export function plain(text: string | null): string {
  return (text ?? '').replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
}

export async function textOf(locator: Locator): Promise<string> {
  return plain(await locator.textContent());
}

export async function enterKey(page: Page, key: string): Promise<void> {
  await page.getByLabel('Clave de API', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Entrar' }).click();
}

/** Enters the key and waits for the agenda of the location to be drawn. */
export async function signIn(page: Page, key = ADMIN_KEY, locationId = DEMO_LOCATION): Promise<void> {
  await enterKey(page, key);
  await page.getByLabel('Sede').waitFor();
  if ((await page.getByLabel('Sede').inputValue()) !== locationId) await page.getByLabel('Sede').selectOption(locationId);
  await agendaShown(page);
}

/** The agenda has been drawn (at least one day column). */
export async function agendaShown(page: Page): Promise<void> {
  await page.locator('#dias section.day').first().waitFor();
}

export async function showDay(page: Page, day: string, view: 'Día' | 'Semana' = 'Semana'): Promise<void> {
  await page.getByRole('button', { name: view, exact: true }).click();
  await page.getByLabel('Ir a la fecha').fill(day);
  await page.locator(`#dias section.day[data-day="${day}"]`).waitFor();
}

export function citaDialog(page: Page): Locator {
  return page.locator('#dialogo-cita');
}

/** The cards of the cita with this title (one per day it touches). */
export function cards(page: Page, title: string): Locator {
  return page.locator('article.cita').filter({ has: page.getByRole('heading', { level: 4, name: title, exact: true }) });
}

export interface CitaInput {
  title: string;
  /** Typed in «Paciente», then the option showing that name picked; or what to type and the name to pick. */
  patient?: string | { search: string; pick: string };
  calendar?: string;
  day: string;
  start: string;
  end?: string;
  /** A duration shortcut instead of typing the end: '15 min', '30 min', '1 h'… */
  duration?: string;
}

export async function fillCitaForm(page: Page, c: CitaInput): Promise<void> {
  const form = citaDialog(page);
  await form.getByLabel('Motivo').fill(c.title);
  if (c.patient) {
    const { search, pick } = typeof c.patient === 'string' ? { search: c.patient, pick: c.patient } : c.patient;
    await pickPatient(page, search, pick);
  }
  if (c.calendar) await form.getByLabel('Calendario', { exact: true }).selectOption({ label: c.calendar });
  await form.getByLabel('Fecha', { exact: true }).fill(c.day);
  await form.getByLabel('Inicio', { exact: true }).fill(c.start);
  if (c.end) await form.getByLabel('Fin', { exact: true }).fill(c.end);
  if (c.duration) await form.getByRole('button', { name: `Duración ${c.duration}`, exact: true }).click();
}

/** «Paciente»: the combobox of the cita dialog. */
export function patientBox(page: Page): Locator {
  return citaDialog(page).getByRole('combobox', { name: 'Paciente', exact: true });
}

/** The options its list shows now. */
export function patientOptions(page: Page): Locator {
  return citaDialog(page).getByRole('listbox', { name: 'Pacientes encontrados' }).getByRole('option');
}

/** Under the box: the patient picked, by name and phone. */
export function chosenPatient(page: Page): Locator {
  return citaDialog(page).locator('#cita-patient-elegido');
}

/** Types in «Paciente» and clicks the option that shows `pick` (a name). */
export async function pickPatient(page: Page, search: string, pick = search): Promise<void> {
  await patientBox(page).fill(search);
  await patientOptions(page).filter({ hasText: pick }).first().click();
  await textBecomes(chosenPatient(page), `Paciente elegido: ${pick}`);
}

export async function openNewCita(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Nueva cita' }).click();
  await citaDialog(page).waitFor();
}

/** Sends the form; `closes: false` when an error is expected to keep it open. */
export async function saveCita(page: Page, closes = true): Promise<void> {
  await citaDialog(page).getByRole('button', { name: 'Guardar cita' }).click();
  if (closes) await citaDialog(page).waitFor({ state: 'hidden' });
}

/** Creates a cita through the form; its card, found by the id the service answered (titles repeat across specs). */
export async function createCita(page: Page, c: CitaInput): Promise<Locator> {
  await openNewCita(page);
  await fillCitaForm(page, c);
  const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/citas' && r.status() === 201);
  await saveCita(page);
  const { id } = (await (await created).json()) as { id: string };
  const card = page.locator(`article.cita[data-cita-id="${id}"]`);
  await card.waitFor();
  return card;
}

/** The message shown next to a form field (its error slot). */
export function fieldError(page: Page, field: string): Locator {
  return page.locator(`#cita-${field}-error`);
}

/** Waits until the locator's text (as read) matches. */
export async function textBecomes(locator: Locator, expected: RegExp | string, timeout = 20_000): Promise<void> {
  await expect
    .poll(() => textOf(locator), { timeout, interval: 200 })
    .toMatch(typeof expected === 'string' ? new RegExp(expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : expected);
}

export async function attributeBecomes(locator: Locator, name: string, expected: string, timeout = 20_000): Promise<void> {
  await expect.poll(() => locator.getAttribute(name), { timeout, interval: 200 }).toBe(expected);
}

// ── Issue 23: blocked time, working hours, free slots ─────────────────────────────────────────

/** A block's grey band (one per day it touches), by its reason. */
export function blockBands(page: Page, title: string): Locator {
  return page.locator('article.block').filter({ has: page.getByRole('heading', { level: 4, name: `Bloqueado: ${title}`, exact: true }) });
}

/** The grey bands of the hours the chosen calendar is closed, on a day. */
export function closedHours(page: Page, day: string): Locator {
  return page.locator(`#dias section.day[data-day="${day}"] .closed-hours`);
}

/** «Horario no disponible»: the question before booking into a block or outside working hours. */
export function forceDialog(page: Page): Locator {
  return page.getByRole('dialog', { name: 'Horario no disponible' });
}

export function blockDialog(page: Page): Locator {
  return page.locator('#dialogo-bloqueo');
}

export interface BlockInput {
  calendar?: string;
  day?: string;
  from?: string;
  to?: string;
  endDay?: string;
  title?: string;
}

/** Fills «Bloquear horario» / «Editar bloqueo» with what is given. */
export async function fillBlockForm(page: Page, b: BlockInput): Promise<void> {
  const form = blockDialog(page);
  if (b.calendar) await form.getByLabel('Calendario', { exact: true }).selectOption({ label: b.calendar });
  if (b.day) await form.getByLabel('Día', { exact: true }).fill(b.day);
  if (b.from) await form.getByLabel('Desde', { exact: true }).fill(b.from);
  if (b.to) await form.getByLabel('Hasta', { exact: true }).fill(b.to);
  if (b.endDay) await form.getByLabel('Día en que termina', { exact: true }).fill(b.endDay);
  if (b.title !== undefined) await form.getByLabel('Motivo', { exact: true }).fill(b.title);
}

/** «Horarios libres»: its slot buttons. */
export function freeSlotButtons(page: Page): Locator {
  return page.locator('#lista-libres button');
}

/** What the GHL sandbox holds and does about availability (a staff member in GHL's own UI). */
async function sandboxCall(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${inject('sandboxUrl')}/_sandbox${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

export interface GhlBlock {
  id: string;
  calendarId: string;
  title: string;
  startTime: string;
  endTime: string;
}

export interface GhlOpenHours {
  daysOfTheWeek: number[];
  hours: { openHour: number; openMinute: number; closeHour: number; closeMinute: number }[];
}

export const ghlAvailability = {
  block: async (b: { locationId: string; calendarId: string; startTime: string; endTime: string; title: string }) => ((await sandboxCall('/actions/block', b)) as { block: GhlBlock }).block,
  deleteBlock: (id: string) => sandboxCall('/actions/block-delete', { id }),
  blocks: async (locationId: string) => ((await sandboxCall(`/blocks?locationId=${encodeURIComponent(locationId)}`)) as { blocks: GhlBlock[] }).blocks,
  hours: (calendarId: string, openHours: GhlOpenHours[] | null) => sandboxCall('/actions/hours', { calendarId, openHours }),
};

/** The service's own answer to a call (the admin key), status and JSON body. */
export async function serviceCall(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${inject('baseUrl')}${path}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

/** The service asks GHL for the location's calendars now (their working hours), past its 5-minute cache. */
export async function refreshCalendars(locationId = DEMO_LOCATION): Promise<void> {
  const r = await serviceCall('GET', `/api/ghl/calendars?location_id=${encodeURIComponent(locationId)}&refresh=1`);
  if (r.status !== 200) throw new Error(`GET /api/ghl/calendars answered ${r.status}: ${JSON.stringify(r.body)}`);
}

// ── Issue 24: series ──────────────────────────────────────────────────────────────────────────

export interface RepeatInput {
  /** «Cada día», «Cada semana», «Cada mes». */
  every: 'Cada día' | 'Cada semana' | 'Cada mes';
  sessions?: number;
  /** The last day a session may fall on («Hasta el»). */
  until?: string;
}

/** «Repetir» of the new-cita form: how often, then a number of sessions or a last day (typing picks which). */
export async function fillRepeat(page: Page, r: RepeatInput): Promise<void> {
  const form = citaDialog(page);
  await form.getByLabel('Repetir', { exact: true }).selectOption({ label: r.every });
  if (r.sessions !== undefined) await form.getByLabel('Número de sesiones', { exact: true }).fill(String(r.sessions));
  if (r.until !== undefined) await form.getByLabel('Hasta el', { exact: true }).fill(r.until);
}

/** «Algunas sesiones no están disponibles»: a series that collides, session by session. */
export function seriesConflictDialog(page: Page): Locator {
  return page.getByRole('dialog', { name: 'Algunas sesiones no están disponibles' });
}

/** The scope radio group of the edit or cancel dialog («Solo esta sesión», «Esta y las siguientes», «Toda la serie»). */
export function scopeGroup(dialog: Locator, legend: string): Locator {
  return dialog.getByRole('group', { name: legend });
}

/** The cancel question. */
export function cancelDialog(page: Page): Locator {
  return page.getByRole('dialog', { name: '¿Cancelar la cita?' });
}
