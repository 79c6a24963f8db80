/**
 * Issue 21, «the page, as a front desk uses it»: the keyboard stays on the card after a cancel, a
 * 375 px phone never scrolls sideways, and what the service says in English for developers (field
 * messages, sync errors, the 409) reaches the desk once, in Spanish.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../src/ui/browser/clinic-time';
import { cards, chosenPatient, citaDialog, createCita, fieldError, fillCitaForm, openNewCita, patientBox, patientOptions, saveCita, showDay, signIn, textBecomes, textOf } from './support/agenda';
import { CAL_GOMEZ, CAL_SALA_2, DEMO_LOCATION, DEMO_PATIENT, createCitaViaApi, ghl, setCalendars } from './support/backends';
import { launchBrowser, openAgenda, shotIfFailed, type AgendaTab } from './support/browser';

const LIMA = 'America/Lima';
const day = addDays(todayIn(LIMA), 11);
const failDay = addDays(todayIn(LIMA), 12);
const phoneDay = addDays(todayIn(LIMA), 13);

/** Words of the service's English that must never be read at the desk. */
const ENGLISH = /\b(Invalid|expected|received|must|Service Unavailable|server:|the|not|address)\b/;

let browser: Browser;
let tab: AgendaTab;

beforeAll(async () => {
  await setCalendars(DEMO_LOCATION, CAL_GOMEZ.id, [CAL_GOMEZ.id, CAL_SALA_2.id]);
  browser = await launchBrowser();
  tab = await openAgenda(browser, 'front-desk');
  await signIn(tab.page);
});
afterEach(async ({ task }) => {
  await shotIfFailed(tab, task);
  await tab.page.evaluate(() => document.querySelectorAll('dialog[open]').forEach((d) => (d as HTMLDialogElement).close()));
});
afterAll(async () => {
  await ghl.clearFaults().catch(() => {});
  await browser?.close();
});

async function focused(page: Page): Promise<{ id: string; tag: string; focus: string | null; text: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { id: el?.id ?? '', tag: el?.tagName ?? '', focus: el?.dataset.focus ?? null, text: el?.textContent?.trim() ?? '' };
  });
}

describe('the keyboard', () => {
  it('after cancelling a cita from the keyboard, the focus stays on its card (never on <body>)', async () => {
    const { page } = tab;
    const made = await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Cancelar con teclado', start_time: `${day}T08:00`, end_time: `${day}T08:30` });
    await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'La siguiente', start_time: `${day}T09:00`, end_time: `${day}T09:30` });
    await showDay(page, day, 'Día');
    const card = page.locator(`article.cita[data-cita-id="${made.id}"]`);
    await card.waitFor({ timeout: 20_000 });

    // Only keys from here: Tab to the card's «Cancelar», Enter, Shift+Tab to «Sí, cancelar», Enter.
    await card.getByRole('button', { name: 'Editar' }).focus();
    await page.keyboard.press('Tab');
    expect((await focused(page)).focus).toBe(`${made.id}|${day}|cancel`);
    await page.keyboard.press('Enter');
    const question = page.getByRole('dialog', { name: '¿Cancelar la cita?' });
    await question.waitFor();
    await page.keyboard.press('Shift+Tab');
    expect((await focused(page)).id).toBe('confirmar-cancelar');
    await page.keyboard.press('Enter');
    await question.waitFor({ state: 'hidden' });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 20_000 }).toBe('cancelled');

    // The cancelled card has no «Cancelar» any more: its «Historial» holds the keyboard.
    await expect.poll(async () => (await focused(page)).focus, { timeout: 5_000 }).toBe(`${made.id}|${day}|audit`);
    await tab.shot('cancel-keyboard-focus');
    // The next poll redraws the agenda: the focus survives it.
    await page.waitForTimeout(6_000);
    expect(await focused(page)).toMatchObject({ tag: 'BUTTON', focus: `${made.id}|${day}|audit` });
    // And the keyboard goes on from there: Enter opens that cita's history.
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Historial de «Cancelar con teclado»' }).waitFor();
    await page.keyboard.press('Escape');
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('Spanish for what the service says in English', () => {
  it('an email the service refuses (ana.pérez@correo.pe) is explained in Spanish beside the field', async () => {
    const { page } = tab;
    await showDay(page, day);
    await openNewCita(page);
    await fillCitaForm(page, { title: 'Primera consulta - Ana Pérez', day, start: '11:00', duration: '30 min' });
    await patientBox(page).fill('Ana Pérez Rengifo');
    await patientOptions(page).filter({ hasText: 'Nuevo paciente' }).click();
    const newPatient = citaDialog(page).getByRole('group', { name: 'Nuevo paciente' });
    await newPatient.getByLabel('Correo').fill('ana.pérez@correo.pe');
    const refused = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/contacts');
    await newPatient.getByRole('button', { name: 'Crear paciente' }).click();
    // The service refused it, in English for developers…
    const answer = await refused;
    expect(answer.status()).toBe(422);
    expect(JSON.stringify(await answer.json())).toContain('Invalid email address');
    // …and the desk reads Spanish: beside the field, and in the summary.
    await textBecomes(page.locator('#paciente-email-error'), /^El email no es válido: .*sin tildes ni ñ/);
    expect(await newPatient.getByLabel('Correo').getAttribute('aria-invalid')).toBe('true');
    expect(await textOf(page.locator('#paciente-nuevo-error'))).toBe('Revise los campos marcados.');
    const dialogText = await textOf(citaDialog(page).locator('form'));
    expect(dialogText).not.toMatch(ENGLISH);
    await tab.shot('email-invalid');

    await newPatient.getByLabel('Correo').fill('ana.perez@correo.pe');
    await newPatient.getByRole('button', { name: 'Crear paciente' }).click();
    await textBecomes(chosenPatient(page), 'Ana Pérez Rengifo · ana.perez@correo.pe');
    await saveCita(page);
    await cards(page, 'Primera consulta - Ana Pérez').waitFor();
  });

  it('a taken slot (409) is said once: in the summary, with «Inicio» marked and focused', async () => {
    const { page } = tab;
    await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Ortodoncia - Raúl Soto', start_time: `${day}T14:00`, end_time: `${day}T14:30` });
    await showDay(page, day);
    await openNewCita(page);
    await fillCitaForm(page, { title: 'Control - Inés Paz', patient: DEMO_PATIENT, calendar: CAL_GOMEZ.name, day, start: '14:15', end: '14:45' });
    await saveCita(page, false);
    const summary = citaDialog(page).getByRole('alert');
    await textBecomes(summary, /Ese horario ya está ocupado en este calendario por «Ortodoncia - Raúl Soto»/);
    const text = await textOf(citaDialog(page).locator('form'));
    expect(text.match(/ocupado/g)).toHaveLength(1);
    expect(await textOf(fieldError(page, 'start'))).toBe('');
    expect(await citaDialog(page).getByLabel('Inicio', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect((await focused(page)).id).toBe('cita-start');
    await tab.shot('slot-taken-once');
  });

  it('a push GHL refused is explained in Spanish: what happened and when it is tried again', async () => {
    const { page } = tab;
    await ghl.fail('503', { path: '/calendars/events/appointments', method: 'POST' });
    await showDay(page, failDay);
    const card = await createCita(page, { title: 'GHL caído', patient: DEMO_PATIENT, day: failDay, start: '10:00', duration: '30 min' });
    const note = card.locator('.sync-error');
    await textBecomes(note, /^GHL aún no la recibió: GHL tuvo un error en su servidor \(código 503\)\. La cita está guardada y se volverá a enviar automáticamente en unos segundos o minutos \(van 1 de 3 intentos\); si fallan los 3 intentos, quedará como «Falló el envío a GHL»\.$/);
    expect(await textOf(card)).not.toMatch(ENGLISH);
    await tab.shot('sync-error-spanish');
    await ghl.clearFaults();
  });
});

describe('on a 375 px phone', () => {
  /** The page's width against the screen's, and what sticks out (to say what to fix). */
  async function overflow(page: Page): Promise<{ scrollWidth: number; viewport: number; wide: string[] }> {
    return page.evaluate(() => {
      const viewport = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll<HTMLElement>('body *')]
        .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > viewport + 0.5)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} → ${Math.round(el.getBoundingClientRect().right)}px`);
      return { scrollWidth: document.documentElement.scrollWidth, viewport, wide: wide.slice(0, 12) };
    });
  }

  async function fits(phone: AgendaTab, state: string): Promise<void> {
    const o = await overflow(phone.page);
    await phone.shot(`375-${state}`);
    expect(o.viewport, state).toBe(375);
    expect(o.wide, `${state}: what sticks out`).toEqual([]);
    expect(o.scrollWidth, state).toBeLessThanOrEqual(o.viewport);
  }

  it('nothing is wider than the screen: key entry, agenda, form with errors, cancel question', async () => {
    const phone = await openAgenda(browser, 'phone');
    const { page } = phone;
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      await fits(phone, 'key-entry');
      await signIn(page);
      await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Control de ortodoncia con un motivo largo - María Fernanda Quispe Huamán', start_time: `${phoneDay}T09:00`, end_time: `${phoneDay}T09:30` });
      await showDay(page, phoneDay);
      await cards(page, 'Control de ortodoncia con un motivo largo - María Fernanda Quispe Huamán').waitFor({ timeout: 20_000 });
      await fits(phone, 'agenda-week');
      // The longest «Mostrar» choice selected: the select is as wide as it ever gets.
      await page.getByLabel('Mostrar').selectOption({ label: 'Activas (nuevas y confirmadas)' });
      await fits(phone, 'agenda-filter');
      await page.getByRole('button', { name: 'Día', exact: true }).click();
      await fits(phone, 'agenda-day');

      await openNewCita(page);
      await citaDialog(page).getByRole('button', { name: 'Guardar cita' }).click();
      await textBecomes(citaDialog(page).getByRole('alert'), 'Revise los campos marcados.');
      await fits(phone, 'form-errors');
      await page.keyboard.press('Escape');

      await cards(page, 'Control de ortodoncia con un motivo largo - María Fernanda Quispe Huamán').getByRole('button', { name: 'Cancelar' }).click();
      await page.getByRole('dialog', { name: '¿Cancelar la cita?' }).waitFor();
      await fits(phone, 'cancel-question');
      expect(phone.pageErrors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });
});
