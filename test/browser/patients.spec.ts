/**
 * Issue 22, «patients, not ids», as the front desk lives it: one «Paciente» field that finds a
 * patient by typing (accents and case ignored) and picks it from the keyboard; «Nuevo paciente»
 * creating one in GHL; an edit changing a cita's patient; a booking made in GHL showing its
 * patient's name (and the renames and the deletion GHL reports) without a reload; and nowhere on
 * the page a GHL contact id.
 */
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../src/ui/browser/clinic-time';
import { cards, chosenPatient, citaDialog, createCita, openNewCita, patientBox, patientOptions, pickPatient, saveCita, showDay, signIn, textBecomes, textOf } from './support/agenda';
import { CAL_GOMEZ, CAL_SALA_2, DEMO_LOCATION, DEMO_PATIENT, cita, eventually, ghl, service, setCalendars } from './support/backends';
import { launchBrowser, openAgenda, shotIfFailed, type AgendaTab } from './support/browser';

const LIMA = 'America/Lima';
const day = addDays(todayIn(LIMA), 15);
const editDay = addDays(todayIn(LIMA), 16);
const ghlDay = addDays(todayIn(LIMA), 17);

let browser: Browser;
let tab: AgendaTab;
/** Every GHL contact id these tests have met: none may ever be read on the page. */
const contactIds = new Set<string>(['demo-contact-ana', 'demo-contact-jose', 'demo-contact-carmen', 'demo-contact-jorge', 'demo-contact-rosa']);
/** GET /api/contacts searches the page sent. */
const searches: Request[] = [];

beforeAll(async () => {
  await setCalendars(DEMO_LOCATION, CAL_GOMEZ.id, [CAL_GOMEZ.id, CAL_SALA_2.id]);
  browser = await launchBrowser();
  tab = await openAgenda(browser, 'patients');
  tab.page.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/contacts') searches.push(r);
  });
  await signIn(tab.page);
});
afterEach(async ({ task }) => {
  await shotIfFailed(tab, task);
  await ghl.clearFaults().catch(() => {});
  await tab.page.evaluate(() => document.querySelectorAll('dialog[open]').forEach((d) => (d as HTMLDialogElement).close()));
});
afterAll(async () => {
  await browser?.close();
});

/** What a person can read on the page now (dialogs included when open) holds no GHL contact id. */
async function expectNoContactIds(page: Page, when: string): Promise<void> {
  const text = await page.evaluate(() => document.body.innerText);
  expect(text.length, when).toBeGreaterThan(100);
  for (const id of contactIds) expect(text, `${when}: the page shows the GHL contact id ${id}`).not.toContain(id);
}

async function focusedId(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.activeElement?.id);
}

/** The box's ARIA state: expanded, and the option aria-activedescendant points at (its text). */
async function comboState(page: Page): Promise<{ expanded: string | null; active: string | null }> {
  return page.evaluate(() => {
    const box = document.getElementById('cita-patient')!;
    const id = box.getAttribute('aria-activedescendant');
    const option = id ? document.getElementById(id) : null;
    return {
      expanded: box.getAttribute('aria-expanded'),
      active: option ? `${option.getAttribute('aria-selected') === 'true' ? '[x] ' : '[ ] '}${option.textContent!.replace(/\s+/g, ' ').trim()}` : null,
    };
  });
}

describe('finding a patient by typing', () => {
  it('part of a name, without accents, from the keyboard alone: arrows move, Enter picks, Enter then sends', async () => {
    const { page } = tab;
    await showDay(page, day, 'Día');
    await page.getByRole('button', { name: 'Nueva cita' }).focus();
    await page.keyboard.press('Enter');
    await citaDialog(page).waitFor();
    await page.keyboard.type('Control - teclado');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('cita-patient');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('combobox');

    // «José Huamán Flores», typed as «jose hua»: one search after the pause, not one per key.
    const before = searches.length;
    await page.keyboard.type('jose hua', { delay: 40 });
    const jose = patientOptions(page).filter({ hasText: 'José Huamán Flores' });
    await jose.waitFor();
    expect(searches.length - before).toBe(1);
    expect(new URL(searches.at(-1)!.url()).searchParams.get('q')).toBe('jose hua');
    expect(await textOf(jose)).toBe('José Huamán Flores · +51 987 654 321');
    expect(await comboState(page)).toEqual({ expanded: 'true', active: null });
    await tab.shot('list-open');

    // Down onto the first option, up past the top to the last («Nuevo paciente»), down again: wraps.
    await page.keyboard.press('ArrowDown');
    expect(await comboState(page)).toEqual({ expanded: 'true', active: '[x] José Huamán Flores · +51 987 654 321' });
    await page.keyboard.press('ArrowUp');
    expect((await comboState(page)).active).toBe('[x] Nuevo paciente: «jose hua»…');
    await page.keyboard.press('ArrowDown');
    expect((await comboState(page)).active).toBe('[x] José Huamán Flores · +51 987 654 321');
    // The keyboard never left the box.
    expect(await focusedId(page)).toBe('cita-patient');

    // Escape closes the list, not the dialog; ArrowDown opens it again.
    await page.keyboard.press('Escape');
    expect(await comboState(page)).toEqual({ expanded: 'false', active: null });
    expect(await citaDialog(page).isVisible()).toBe(true);
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await comboState(page)).active).toBe('[x] José Huamán Flores · +51 987 654 321');

    // Enter picks (and sends nothing yet).
    const posts: Request[] = [];
    page.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/citas' && posts.push(r));
    await page.keyboard.press('Enter');
    expect(await comboState(page)).toEqual({ expanded: 'false', active: null });
    expect(await patientBox(page).inputValue()).toBe('José Huamán Flores');
    await textBecomes(chosenPatient(page), 'Paciente elegido: José Huamán Flores · +51 987 654 321');
    expect(posts).toHaveLength(0);
    await expectNoContactIds(page, 'the dialog with José picked');

    // The list closed, Enter sends the cita: the day shown, 09:00–09:30 by default.
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/citas');
    await page.keyboard.press('Enter');
    const answer = await created;
    expect(answer.status()).toBe(201);
    expect(answer.request().postDataJSON()).toMatchObject({ contact_id: 'demo-contact-jose', title: 'Control - teclado' });
    const id = ((await answer.json()) as { id: string }).id;
    const card = page.locator(`article.cita[data-cita-id="${id}"]`);
    await card.waitFor();
    expect(await textOf(card.locator('.patient'))).toBe('Paciente: José Huamán Flores · +51 987 654 321');
    await tab.shot('day-with-patient');
    await page.getByRole('button', { name: 'Semana', exact: true }).click();
    await textBecomes(card.locator('.patient'), 'Paciente: José Huamán Flores · +51 987 654 321');
    await tab.shot('week-with-patient');
    await expectNoContactIds(page, 'the agenda');
    expect(tab.pageErrors).toEqual([]);
  });

  it('a search overtaken by more typing never replaces the newer list; a patient must be picked', async () => {
    const { page } = tab;
    await showDay(page, day);
    // The first search answers late (1.5 s); by then the person has typed something else.
    await page.route('**/api/contacts?*', async (route) => {
      if (new URL(route.request().url()).searchParams.get('q') === 'rosa') await new Promise((r) => setTimeout(r, 1_500));
      await route.continue().catch(() => {});
    });
    try {
      await openNewCita(page);
      await citaDialog(page).getByLabel('Motivo').fill('Sin paciente elegido');
      await patientBox(page).fill('rosa');
      await page.waitForTimeout(400);
      await patientBox(page).fill('jorge chavez');
      await patientOptions(page).filter({ hasText: 'Jorge Chávez Torres' }).waitFor();
      await page.waitForTimeout(1_800);
      expect(await patientOptions(page).allTextContents()).toEqual(['Jorge Chávez Torres · +51 965 432 198', 'Nuevo paciente: «jorge chavez»…']);
    } finally {
      await page.unroute('**/api/contacts?*');
    }
    // Typed but not picked: the form says so beside «Paciente», and sends nothing.
    await page.keyboard.press('Escape');
    await saveCita(page, false);
    await textBecomes(citaDialog(page).locator('#cita-patient-error'), 'Elija un paciente: escriba parte de su nombre, teléfono o correo y elíjalo de la lista, o elija «Nuevo paciente».');
    expect(await patientBox(page).getAttribute('aria-invalid')).toBe('true');
    expect(await focusedId(page)).toBe('cita-patient');
  });
});

describe('a new patient, from the dialog', () => {
  it('«Nuevo paciente» takes what was typed, needs a phone or an email, creates it in GHL and picks it', async () => {
    const { page } = tab;
    await showDay(page, day);
    await openNewCita(page);
    await citaDialog(page).getByLabel('Motivo').fill('Primera consulta - Rosario');
    await patientBox(page).fill('Rosario Huanca Poma');
    const fresh = patientOptions(page).filter({ hasText: 'Nuevo paciente' });
    await fresh.waitFor();
    expect(await patientOptions(page).count()).toBe(1);
    expect(await textOf(citaDialog(page).locator('#cita-patient-nota'))).toBe('Ningún paciente coincide con «Rosario Huanca Poma».');
    await fresh.click();

    const form = citaDialog(page).getByRole('group', { name: 'Nuevo paciente' });
    await form.waitFor();
    expect(await form.getByLabel('Nombres').inputValue()).toBe('Rosario');
    expect(await form.getByLabel('Apellidos').inputValue()).toBe('Huanca Poma');
    // The first field left to fill has the keyboard.
    expect(await focusedId(page)).toBe('paciente-phone');
    // Neither phone nor email: said beside the phone, nothing sent.
    await page.keyboard.press('Enter');
    await textBecomes(page.locator('#paciente-phone-error'), 'Indique un teléfono o un correo: GHL reconoce por ellos a un paciente que ya tiene.');
    await form.getByLabel('Teléfono').fill('+51 955 111 222');
    await tab.shot('new-patient-form');

    const made = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/contacts');
    await form.getByRole('button', { name: 'Crear paciente' }).click();
    const answer = await made;
    expect(answer.status()).toBe(201);
    const contact = (await answer.json()) as { id: string; name: string };
    contactIds.add(contact.id);
    expect(contact.name).toBe('Rosario Huanca Poma');
    await form.waitFor({ state: 'hidden' });
    await textBecomes(chosenPatient(page), 'Paciente creado en GHL y elegido: Rosario Huanca Poma · +51 955 111 222');
    expect(await focusedId(page)).toBe('cita-patient');
    expect((await ghl.contacts(DEMO_LOCATION)).find((c) => c.id === contact.id)).toMatchObject({ firstName: 'Rosario', lastName: 'Huanca Poma' });
    await expectNoContactIds(page, 'the dialog after creating a patient');

    await citaDialog(page).getByLabel('Inicio', { exact: true }).fill('11:00');
    await citaDialog(page).getByRole('button', { name: 'Duración 30 min', exact: true }).click();
    await saveCita(page);
    const card = cards(page, 'Primera consulta - Rosario');
    await textBecomes(card.locator('.patient'), 'Paciente: Rosario Huanca Poma · +51 955 111 222');
    await expect.poll(() => card.getAttribute('data-sync'), { timeout: 20_000 }).toBe('synced');
    const saved = await cita((await card.getAttribute('data-cita-id'))!);
    expect((await ghl.appointments(DEMO_LOCATION)).find((a) => a.id === saved.ghl_appointment_id)?.contactId).toBe(contact.id);

    // The same phone again: GHL finds the patient it has (no second Rosario), and says so.
    await openNewCita(page);
    await patientBox(page).fill('+51 955 111 222');
    await patientOptions(page).filter({ hasText: 'Nuevo paciente' }).click();
    expect(await citaDialog(page).getByLabel('Teléfono').inputValue()).toBe('+51 955 111 222');
    await citaDialog(page).getByLabel('Nombres').fill('Rosario');
    const again = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/contacts');
    await citaDialog(page).getByLabel('Nombres').press('Enter');
    expect((await again).status()).toBe(200);
    await textBecomes(chosenPatient(page), 'GHL ya tenía este paciente (mismo teléfono o correo): se eligió: Rosario Huanca Poma');
    expect((await ghl.contacts(DEMO_LOCATION)).filter((c) => c.phone?.replace(/\D/g, '').endsWith('955111222'))).toHaveLength(1);
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('changing a cita’s patient', () => {
  it('an edit picks another patient by search (sent as contact_id); GHL then books that one; the history names both', async () => {
    const { page } = tab;
    // A cita GHL does not have yet (GHL failing): its patient can still change.
    await ghl.fail('503', { path: '/calendars/events/appointments', method: 'POST' });
    await showDay(page, editDay);
    const card = await createCita(page, { title: 'Cambio de paciente', patient: DEMO_PATIENT, day: editDay, start: '10:00', duration: '30 min' });
    const made = { id: (await card.getAttribute('data-cita-id'))! };
    await textBecomes(card.locator('.patient'), `Paciente: ${DEMO_PATIENT} · +51 999 000 111`);
    await expect.poll(() => card.locator('.sync-error').count(), { timeout: 20_000 }).toBe(1);

    await card.getByRole('button', { name: 'Editar' }).click();
    await citaDialog(page).waitFor();
    // The dialog opens on the cita's patient, by name.
    expect(await patientBox(page).inputValue()).toBe(DEMO_PATIENT);
    await textBecomes(chosenPatient(page), `Paciente elegido: ${DEMO_PATIENT} · +51 999 000 111`);
    await expectNoContactIds(page, 'the edit dialog');
    await pickPatient(page, 'CARMEN rojas', 'Carmen Rojas Vargas');
    const patched = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await saveCita(page);
    expect((await patched).request().postDataJSON()).toEqual({ contact_id: 'demo-contact-carmen' });
    await textBecomes(card.locator('.patient'), 'Paciente: Carmen Rojas Vargas · +51 998 877 665');

    // GHL answers again: the push books Carmen (the edit's own push, or «Reintentar envío» if that one failed too).
    await ghl.clearFaults();
    const retry = card.getByRole('button', { name: 'Reintentar envío' });
    await expect
      .poll(async () => {
        if (await retry.isVisible()) await retry.click();
        return card.getAttribute('data-sync');
      }, { timeout: 20_000, interval: 500 })
      .toBe('synced');
    const saved = await cita(made.id);
    expect((await ghl.appointments(DEMO_LOCATION)).find((a) => a.id === saved.ghl_appointment_id)?.contactId).toBe('demo-contact-carmen');

    // Now GHL has it, and GHL's appointment edit cannot change a patient: the box says so instead.
    await card.getByRole('button', { name: 'Editar' }).click();
    expect(await patientBox(page).getAttribute('readonly')).not.toBeNull();
    expect(await textOf(citaDialog(page).locator('#cita-patient-ayuda'))).toMatch(/^GHL no permite cambiar el paciente de una cita que ya recibió/);
    await page.keyboard.press('Escape');

    await card.getByRole('button', { name: 'Historial' }).click();
    const history = page.getByRole('dialog', { name: 'Historial de «Cambio de paciente»' });
    await history.waitFor();
    await textBecomes(history, `paciente: ${DEMO_PATIENT} → Carmen Rojas Vargas`);
    await tab.shot('history-names-patients');
    await expectNoContactIds(page, 'the history');
    await page.keyboard.press('Escape');
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('a booking made in GHL', () => {
  it('shows its patient’s name on its card without a reload; GHL’s rename and deletion follow', async () => {
    const { page } = tab;
    await showDay(page, ghlDay);
    // At GHL: a staff member adds a patient, then books an appointment for them.
    const contact = await ghl.addContact({ locationId: DEMO_LOCATION, firstName: 'Wilfredo', lastName: 'Ccori Apaza', phone: '+51944555666' });
    contactIds.add(contact.id);
    const { appointment } = await ghl.create({ locationId: DEMO_LOCATION, calendarId: CAL_GOMEZ.id, contactId: contact.id, title: 'Reservada en GHL - Wilfredo', startTime: `${ghlDay}T16:00:00-05:00`, endTime: `${ghlDay}T16:30:00-05:00` });
    const card = cards(page, 'Reservada en GHL - Wilfredo');
    await textBecomes(card.locator('.patient'), 'Paciente: Wilfredo Ccori Apaza · +51 944 555 666');
    await expectNoContactIds(page, 'a card booked in GHL');

    await ghl.editContact({ id: contact.id, firstName: 'Wilfredo Alonso' });
    await textBecomes(card.locator('.patient'), 'Paciente: Wilfredo Alonso Ccori Apaza · +51 944 555 666');

    await ghl.deleteContact(contact.id);
    await textBecomes(card.locator('.patient'), 'Paciente: Wilfredo Alonso Ccori Apaza · Paciente eliminado en GHL');
    await tab.shot('ghl-booking-patient-deleted');
    // The cita stays, as GHL keeps the appointment.
    const [held] = await eventually('the cita of the GHL booking', async () => (await citasOf(ghlDay)).filter((c) => c.ghl_appointment_id === appointment.id), (l) => l.length === 1);
    expect(held!.contact).toMatchObject({ id: contact.id, deleted: true, name: 'Wilfredo Alonso Ccori Apaza' });
    await expectNoContactIds(page, 'a card whose patient GHL deleted');
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('a cita booked by id for a patient the service has not met', () => {
  it('says its patient is loading, then shows the name within seconds (GHL refusing the push meanwhile)', async () => {
    const { page } = tab;
    await showDay(page, ghlDay);
    // RV3 books by GHL contact id a patient nobody has searched for; GHL refuses the appointment for now.
    await ghl.fail('503', { path: '/calendars/events/appointments', method: 'POST' });
    const res = await service().api.citas.$post({
      json: { location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Reservada por RV3 - Lucía', contact_id: 'demo-contact-lucia', start_time: `${ghlDay}T09:00`, end_time: `${ghlDay}T09:30` },
    });
    expect(res.status).toBe(201);
    contactIds.add('demo-contact-lucia');
    const card = cards(page, 'Reservada por RV3 - Lucía');
    await card.waitFor({ timeout: 20_000 });
    expect(await textOf(card.locator('.patient'))).toMatch(/^Paciente: (Cargando datos del paciente…|Lucía Torres Mendoza · \+51 934 567 812)$/);
    await textBecomes(card.locator('.patient'), 'Paciente: Lucía Torres Mendoza · +51 934 567 812', 15_000);
    await expectNoContactIds(page, 'a cita booked by id');
  });
});

describe('on a 375 px phone', () => {
  it('the list of patients and «Nuevo paciente» fit the screen', async () => {
    const phone = await openAgenda(browser, 'patients-phone');
    const { page } = phone;
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      await signIn(page);
      await openNewCita(page);
      await patientBox(page).fill('a');
      await patientOptions(page).first().waitFor();
      await phone.shot('375-list-open');
      expect(await wider(page)).toEqual([]);
      await patientOptions(page).filter({ hasText: 'Nuevo paciente' }).click();
      await citaDialog(page).getByRole('group', { name: 'Nuevo paciente' }).waitFor();
      await phone.shot('375-new-patient');
      expect(await wider(page)).toEqual([]);
      expect(phone.pageErrors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });
});

/** What sticks out of the screen sideways. */
async function wider(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    return [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > viewport + 0.5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} → ${Math.round(el.getBoundingClientRect().right)}px`);
  });
}

async function citasOf(d: string) {
  const res = await service().api.citas.$get({ query: { location_id: DEMO_LOCATION, desde: d, hasta: d, limit: '50' } });
  return ((await res.json()) as { data: Awaited<ReturnType<typeof cita>>[] }).data;
}
