/**
 * Scenario 4 of issue 11: what the front desk is told when something is wrong — a taken slot, an
 * end before the start, a stale edit, too many requests, a wrong or revoked key, GHL failing —
 * each in Spanish, next to the field it concerns, with the way out.
 */
import type { Browser, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../src/ui/browser/clinic-time';
import {
  attributeBecomes,
  cards,
  chosenPatient,
  citaDialog,
  createCita,
  enterKey,
  fieldError,
  fillCitaForm,
  openNewCita,
  patientBox,
  patientOptions,
  saveCita,
  showDay,
  signIn,
  textBecomes,
  textOf,
} from './support/agenda';
import { CAL_GOMEZ, CAL_SALA_2, DEMO_LOCATION, DEMO_PATIENT, cita, createCitaViaApi, ghl, service, setCalendars } from './support/backends';
import { launchBrowser, openAgenda, shotIfFailed, type AgendaTab } from './support/browser';

const LIMA = 'America/Lima';
const day = addDays(todayIn(LIMA), 6);
const failDay = addDays(todayIn(LIMA), 7);

let browser: Browser;
let tab: AgendaTab;
/** POST /api/citas requests the page sent. */
const creates: Request[] = [];

beforeAll(async () => {
  await setCalendars(DEMO_LOCATION, CAL_GOMEZ.id, [CAL_GOMEZ.id, CAL_SALA_2.id]);
  browser = await launchBrowser();
  tab = await openAgenda(browser, 'errors');
  tab.page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/citas') creates.push(r);
  });
  await signIn(tab.page);
  await showDay(tab.page, day);
});
// One test's failure must not leave a modal dialog over the next one's page.
afterEach(async ({ task }) => {
  await shotIfFailed(tab, task);
  await tab.page.evaluate(() => document.querySelectorAll('dialog[open]').forEach((d) => (d as HTMLDialogElement).close()));
});
afterAll(async () => {
  await ghl.clearFaults().catch(() => {});
  await browser?.close();
});

describe('messages the front desk can act on', () => {
  it('a taken slot names the cita holding it, next to the start', async () => {
    const { page } = tab;
    await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Endodoncia - Luis Rojas', start_time: `${day}T10:00`, end_time: `${day}T10:30` });
    await openNewCita(page);
    await fillCitaForm(page, { title: 'Control - Marta Díaz', patient: DEMO_PATIENT, calendar: CAL_GOMEZ.name, day, start: '10:15', end: '10:45' });
    await saveCita(page, false);
    const summary = citaDialog(page).getByRole('alert');
    await textBecomes(summary, /Ese horario ya está ocupado en este calendario por «Endodoncia - Luis Rojas» \(.+, 10:00 a\. ?m\. – 10:30 a\. ?m\.\)/);
    // Said once (issue 21): in the summary; «Inicio» is marked, with no second copy beside it.
    expect(await textOf(fieldError(page, 'start'))).toBe('');
    expect(await citaDialog(page).getByLabel('Inicio', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await tab.shot('slot-taken');

    // Another calendar is free at that time: the same form goes through.
    await citaDialog(page).getByLabel('Calendario', { exact: true }).selectOption({ label: CAL_SALA_2.name });
    await saveCita(page);
    await cards(page, 'Control - Marta Díaz').waitFor();
  });

  it('an end before the start, or a cita too short or too long, is stopped in the form before anything is sent', async () => {
    const { page } = tab;
    const sentBefore = creates.length;
    await openNewCita(page);
    await fillCitaForm(page, { title: 'Profilaxis', patient: DEMO_PATIENT, day, start: '12:00', end: '11:00' });
    await saveCita(page, false);
    await textBecomes(fieldError(page, 'end'), 'El fin debe ser posterior al inicio (si termina después de medianoche, marque «Termina al día siguiente»).');
    expect(await citaDialog(page).getByLabel('Fin', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // The keyboard lands on the field to fix.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('cita-end');
    await tab.shot('end-before-start');

    await citaDialog(page).getByLabel('Fin', { exact: true }).fill('12:03');
    await saveCita(page, false);
    await textBecomes(fieldError(page, 'end'), 'La cita debe durar al menos 5 minutos.');
    await citaDialog(page).getByLabel('Inicio', { exact: true }).fill('07:00');
    await citaDialog(page).getByLabel('Fin', { exact: true }).fill('19:30');
    await saveCita(page, false);
    await textBecomes(fieldError(page, 'end'), 'La cita puede durar como máximo 12 horas.');
    await citaDialog(page).getByLabel('Motivo').fill('');
    await saveCita(page, false);
    await textBecomes(fieldError(page, 'title'), 'Escriba el motivo de la cita.');
    expect(creates.length).toBe(sentBefore);
    await citaDialog(page).getByRole('button', { name: 'Cerrar' }).click();
  });

  it('a new patient needs a phone or an email, well formed; with one, GHL gets the patient and the cita', async () => {
    const { page } = tab;
    await openNewCita(page);
    await fillCitaForm(page, { title: 'Primera consulta - Rosa Quispe', day, start: '15:00', duration: '1 h' });
    await patientBox(page).fill('Rosa Quispe');
    await patientOptions(page).filter({ hasText: 'Nuevo paciente' }).click();
    const newPatient = citaDialog(page).getByRole('group', { name: 'Nuevo paciente' });
    await newPatient.getByRole('button', { name: 'Crear paciente' }).click();
    await textBecomes(page.locator('#paciente-phone-error'), 'Indique un teléfono o un correo: GHL reconoce por ellos a un paciente que ya tiene.');
    await newPatient.getByLabel('Teléfono').fill('51-99');
    await newPatient.getByLabel('Correo').fill('rosa@example.com');
    await newPatient.getByRole('button', { name: 'Crear paciente' }).click();
    await textBecomes(page.locator('#paciente-phone-error'), 'El teléfono no es válido (ejemplo: +51 999 000 111).');
    expect(await newPatient.getByLabel('Teléfono').getAttribute('aria-invalid')).toBe('true');
    await newPatient.getByLabel('Teléfono').fill('+51 988 777 666');
    await newPatient.getByRole('button', { name: 'Crear paciente' }).click();
    await textBecomes(chosenPatient(page), /^(Paciente creado en GHL y elegido|GHL ya tenía este paciente \(mismo teléfono o correo\): se eligió): Rosa Quispe · \+51 988 777 666$/);
    await saveCita(page);
    const card = cards(page, 'Primera consulta - Rosa Quispe');
    await attributeBecomes(card, 'data-sync', 'synced');
    expect(await textOf(card)).toContain('Paciente: Rosa Quispe · +51 988 777 666');
    const saved = await cita((await card.getAttribute('data-cita-id'))!);
    const inGhl = (await ghl.appointments(DEMO_LOCATION)).find((a) => a.id === saved.ghl_appointment_id);
    expect(inGhl?.contactId).toBe(saved.contact_id);
    expect(saved.contact).toMatchObject({ name: 'Rosa Quispe', email: 'rosa@example.com' });
  });

  it('an edit that crossed someone else’s (412) offers the current version, then saves', async () => {
    const { page } = tab;
    const made = await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Blanqueamiento', start_time: `${day}T16:30`, end_time: `${day}T17:00` });
    const card = page.locator(`article.cita[data-cita-id="${made.id}"]`);
    await card.waitFor({ timeout: 20_000 });
    await card.getByRole('button', { name: 'Editar' }).click();
    await citaDialog(page).waitFor();
    // Meanwhile, at another desk:
    const other = await service().api.citas[':id'].$patch({ param: { id: made.id }, json: { title: 'Blanqueamiento (2 sesiones)' } }, { headers: { 'If-Match': `"${made.version}"` } });
    expect(other.status).toBe(200);

    await citaDialog(page).getByLabel('Notas').fill('Traer férula');
    await saveCita(page, false);
    const summary = citaDialog(page).getByRole('alert');
    await textBecomes(summary, 'Otra persona cambió esta cita mientras usted la editaba.');
    await tab.shot('version-mismatch');
    await summary.getByRole('button', { name: 'Cargar la versión actual' }).click();
    await expect.poll(() => citaDialog(page).getByLabel('Motivo').inputValue()).toBe('Blanqueamiento (2 sesiones)');
    await textBecomes(summary, /Se cargó la versión actual \(versión \d+\)/);

    await citaDialog(page).getByLabel('Notas').fill('Traer férula');
    await saveCita(page);
    const saved = await cita(made.id);
    expect(saved).toMatchObject({ title: 'Blanqueamiento (2 sesiones)', notes: 'Traer férula' });
  });

  it('too many requests (429) says when to retry; sending again makes one cita', async () => {
    const { page } = tab;
    // The service's own limit is tested elsewhere; here, how the page reads a 429.
    let refused = 0;
    await page.route('**/api/citas', async (route) => {
      if (route.request().method() !== 'POST' || refused++ > 0) return route.continue();
      await route.fulfill({
        status: 429,
        headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '17' },
        body: JSON.stringify({ status: 429, code: 'rate_limited', detail: 'Too many requests.' }),
      });
    });
    const sentBefore = creates.length;
    await openNewCita(page);
    await fillCitaForm(page, { title: 'Curación - Pedro Díaz', patient: DEMO_PATIENT, day, start: '17:30', duration: '30 min' });
    await saveCita(page, false);
    await textBecomes(citaDialog(page).getByRole('alert'), 'Demasiadas solicitudes seguidas. Vuelva a intentar en 17 s.');
    await tab.shot('rate-limited');
    await saveCita(page);
    await page.unroute('**/api/citas');
    // Both attempts carried the same Idempotency-Key: one cita, however the first one ended.
    const keys = creates.slice(sentBefore).map((r) => r.headers()['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    await cards(page, 'Curación - Pedro Díaz').waitFor();
  });

  it('GHL failing: the cita is saved and shown pending with the reason; «Reintentar envío» sends it once GHL answers', async () => {
    const { page } = tab;
    await ghl.fail('503', { path: '/calendars/events/appointments', method: 'POST' });
    await showDay(page, failDay);
    const card = await createCita(page, { title: 'Cuando GHL falla', patient: DEMO_PATIENT, day: failDay, start: '09:00', duration: '30 min' });
    await textBecomes(card.locator('.sync-error'), 'La cita está guardada y se volverá a enviar automáticamente');
    expect(await card.getAttribute('data-sync')).toBe('pending_sync');
    expect(await textOf(card)).toContain('Pendiente de envío a GHL');
    await tab.shot('ghl-failing');
    const id = (await card.getAttribute('data-cita-id'))!;
    expect((await cita(id)).ghl_appointment_id).toBeNull();

    await ghl.clearFaults();
    await card.getByRole('button', { name: 'Reintentar envío' }).click();
    await textBecomes(page.getByRole('status'), 'Se reintenta el envío de «Cuando GHL falla» a GHL.');
    await attributeBecomes(card, 'data-sync', 'synced');
    expect(await card.locator('.sync-error').count()).toBe(0);
    const saved = await cita(id);
    expect((await ghl.appointments(DEMO_LOCATION)).some((a) => a.id === saved.ghl_appointment_id)).toBe(true);
    await tab.shot('ghl-back');
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('keys', () => {
  it('a wrong key stays at the key entry, told why', async () => {
    const other = await openAgenda(browser, 'wrong-key');
    await enterKey(other.page, 'clave-equivocada');
    await textBecomes(other.page.locator('#clave-error'), 'La clave no es válida o fue revocada. Ingrese una clave de API válida.');
    expect(await other.page.locator('#app').isHidden()).toBe(true);
    await other.shot('wrong-key');
    await other.context.close();
  });

  it('a key limited to one location sees only it; revoked mid-session, the page goes back to the key entry', async () => {
    const made = await service().api.admin['api-keys'].$post({ json: { name: 'recepción demo', location_ids: [DEMO_LOCATION] } });
    expect(made.status).toBe(201);
    const key = await made.json();
    const other = await openAgenda(browser, 'revoked-key');
    await signIn(other.page, key.key);
    expect(await other.page.getByLabel('Sede').locator('option').allTextContents()).toEqual([DEMO_LOCATION]);

    const revoked = await service().api.admin['api-keys'][':id'].$delete({ param: { id: key.id } });
    expect(revoked.status).toBe(200);
    // The next look at the agenda (a poll, within seconds) meets the 401.
    await other.page.locator('#entrada').waitFor({ timeout: 20_000 });
    await textBecomes(other.page.locator('#clave-error'), 'La clave no es válida o fue revocada.');
    await other.shot('revoked-key');
    // Forgotten, not just hidden: a reload asks again.
    await other.page.reload();
    await other.page.locator('#entrada').waitFor();
    expect(await other.page.evaluate(() => sessionStorage.getItem('citas-sync.api-key'))).toBeNull();
    await other.context.close();
  });
});
