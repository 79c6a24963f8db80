/** What a receptionist does on the agenda page, in the words the page shows. */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
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
