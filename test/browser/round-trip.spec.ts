/**
 * Scenarios 1–3 of issue 11, as the front desk lives them, one page throughout: enter the key,
 * pick the location and a calendar, create a cita and see it reach GHL on that calendar; switch
 * the calendar and do it again; then a person in GHL moves and cancels it and the page shows it
 * without a reload. Also: conflicts flagged and listed, the audit trail, the status filter.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../src/ui/browser/clinic-time';
import { attributeBecomes, cards, createCita, enterKey, plain, showDay, signIn, textBecomes, textOf } from './support/agenda';
import { CAL_GOMEZ, CAL_INACTIVE, CAL_SALA_2, DEMO_CONTACT, DEMO_LOCATION, DEMO_PATIENT, cita, createCitaViaApi, eventually, ghl, service, setCalendars } from './support/backends';
import { launchBrowser, openAgenda, shotIfFailed, type AgendaTab } from './support/browser';

const LIMA = 'America/Lima';
const day = addDays(todayIn(LIMA), 3);
const conflictDay = addDays(todayIn(LIMA), 4);

let browser: Browser;
let tab: AgendaTab;
/** The cita of scenario 2, which GHL then moves and cancels. */
/** The citas the steps below made (other spec files share the service, and may show the same week). */
let first: string;
let second: { id: string; ghlId: string };

beforeAll(async () => {
  // Start from a location whose only synced calendar is another one: the test must choose.
  await setCalendars(DEMO_LOCATION, CAL_SALA_2.id, [CAL_SALA_2.id]);
  browser = await launchBrowser();
  tab = await openAgenda(browser, 'round-trip');
});
afterEach(async ({ task }) => {
  await shotIfFailed(tab, task);
});
afterAll(async () => {
  await browser?.close();
});

describe('the round trip, from the agenda page', () => {
  it('1. key, demo-location, a calendar; a new cita shows as synced and GHL has it on that calendar', async () => {
    const { page } = tab;
    await tab.shot('key-entry');
    await signIn(page);
    expect(await page.getByLabel('Sede').inputValue()).toBe(DEMO_LOCATION);
    await textBecomes(page.locator('#zona'), 'Hora de la clínica: America/Lima (GMT-5)');

    // Inactive calendars are listed but cannot be chosen.
    expect(await page.getByRole('checkbox', { name: `Sincronizar ${CAL_INACTIVE.name}` }).isDisabled()).toBe(true);
    expect(await page.getByRole('radio', { name: `Predeterminado ${CAL_INACTIVE.name}` }).isDisabled()).toBe(true);
    await page.getByRole('radio', { name: `Predeterminado ${CAL_GOMEZ.name}` }).check();
    await page.getByRole('button', { name: 'Guardar calendarios' }).click();
    await textBecomes(page.getByRole('status'), `Calendarios guardados. Las citas nuevas irán a «${CAL_GOMEZ.name}».`);
    const settings = await (await service().api.locations[':locationId'].settings.$get({ param: { locationId: DEMO_LOCATION } })).json();
    expect(settings).toMatchObject({ default_calendar_id: CAL_GOMEZ.id, synced_calendar_ids: expect.arrayContaining([CAL_GOMEZ.id, CAL_SALA_2.id]) });
    await tab.shot('calendar-chosen');

    await showDay(page, day);
    const card = await createCita(page, { title: 'Control - Ana Pérez', patient: DEMO_PATIENT, day, start: '09:30', duration: '30 min' });
    await attributeBecomes(card, 'data-sync', 'synced');
    expect(await textOf(card)).toContain('Sincronizada con GHL');
    expect(await textOf(card.locator('.when'))).toMatch(/^9:30 a\. ?m\. – 10:00 a\. ?m\.$/);
    expect(await textOf(card)).toContain(`Calendario: ${CAL_GOMEZ.name}`);
    await tab.shot('created-synced');

    const saved = await cita((await card.getAttribute('data-cita-id'))!);
    first = saved.id;
    expect(saved).toMatchObject({ calendar_id: CAL_GOMEZ.id, start_time: `${day}T09:30:00-05:00`, end_time: `${day}T10:00:00-05:00` });
    const inGhl = (await ghl.appointments(DEMO_LOCATION)).find((a) => a.id === saved.ghl_appointment_id);
    expect(inGhl?.calendarId).toBe(CAL_GOMEZ.id);
    expect(Date.parse(inGhl!.startTime)).toBe(Date.parse(saved.start_time_utc));
  });

  it('2. switching the calendar in the selector: the next cita lands on the new calendar in GHL', async () => {
    const { page } = tab;
    await page.getByRole('radio', { name: `Predeterminado ${CAL_SALA_2.name}` }).check();
    // The new default is synced with it: its box ticks itself.
    expect(await page.getByRole('checkbox', { name: `Sincronizar ${CAL_SALA_2.name}` }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Guardar calendarios' }).click();
    await textBecomes(page.getByRole('status'), `Las citas nuevas irán a «${CAL_SALA_2.name}»`);

    await page.getByRole('button', { name: 'Nueva cita' }).click();
    // The form starts on the location's (new) default calendar.
    expect(await page.locator('#dialogo-cita').getByLabel('Calendario', { exact: true }).inputValue()).toBe(CAL_SALA_2.id);
    await page.getByRole('button', { name: 'Cerrar' }).click();

    const card = await createCita(page, { title: 'Limpieza - Ana Pérez', patient: DEMO_PATIENT, day, start: '11:00', duration: '45 min' });
    await attributeBecomes(card, 'data-sync', 'synced');
    expect(await textOf(card)).toContain(`Calendario: ${CAL_SALA_2.name}`);
    await tab.shot('second-calendar');

    const saved = await cita((await card.getAttribute('data-cita-id'))!);
    const inGhl = (await ghl.appointments(DEMO_LOCATION)).find((a) => a.id === saved.ghl_appointment_id);
    expect(inGhl?.calendarId).toBe(CAL_SALA_2.id);
    second = { id: saved.id, ghlId: saved.ghl_appointment_id! };
  });

  it('3. moved in GHL, then cancelled in GHL: the page shows both without a reload', async () => {
    const { page } = tab;
    // Anything a reload would forget: it must survive until the end.
    await page.evaluate(() => ((window as unknown as { sinRecargar: boolean }).sinRecargar = true));
    const card = page.locator(`article.cita[data-cita-id="${second.id}"]`);

    await ghl.move(second.ghlId, `${day}T15:00:00-05:00`);
    await textBecomes(card.locator('.when'), /^3:00 p\. ?m\. – 3:45 p\. ?m\.$/);
    await tab.shot('moved-in-ghl');

    await ghl.cancel(second.ghlId);
    await attributeBecomes(card, 'data-status', 'cancelled');
    expect(await textOf(card)).toContain('Cancelada');
    // A cancelled cita can no longer be edited or cancelled.
    expect(await card.getByRole('button', { name: 'Editar' }).count()).toBe(0);
    await tab.shot('cancelled-in-ghl');
    expect(await page.evaluate(() => (window as unknown as { sinRecargar?: boolean }).sinRecargar)).toBe(true);

    // The audit trail is one click away, with GHL's changes as GHL's.
    await card.getByRole('button', { name: 'Historial' }).click();
    const trail = page.getByRole('dialog', { name: 'Historial de «Limpieza - Ana Pérez»' });
    await trail.waitFor();
    const rows = await trail.locator('tbody tr').allTextContents();
    expect(rows.map(plain)).toEqual([
      expect.stringMatching(/RV3 \(recepción\)Creada/),
      expect.stringMatching(/GHLModificada en GHL.*inicio: .*3:00 p\. ?m\./),
      expect.stringMatching(/GHLModificada en GHL.*estado: Nueva → Cancelada/),
    ]);
    await tab.shot('audit-trail');
    await trail.getByRole('button', { name: 'Cerrar' }).click();

    // The status filter: active citas only hides it; all shows it again.
    await page.getByLabel('Mostrar', { exact: true }).selectOption({ label: 'Activas (nuevas y confirmadas)' });
    await expect.poll(() => card.count()).toBe(0);
    expect(await page.locator(`article.cita[data-cita-id="${first}"]`).count()).toBe(1);
    await page.getByLabel('Mostrar', { exact: true }).selectOption({ label: 'Todas' });
    await card.waitFor();
    expect(tab.pageErrors).toEqual([]);
  });

  it('flags an appointment GHL kept despite an overlap, and lists it under Conflictos', async () => {
    const { page } = tab;
    await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_SALA_2.id, title: 'Ortodoncia', start_time: `${conflictDay}T10:00`, end_time: `${conflictDay}T10:30` });
    // Staff in GHL can double-book; we keep theirs, flagged.
    await ghl.create({ locationId: DEMO_LOCATION, calendarId: CAL_SALA_2.id, contactId: DEMO_CONTACT, title: 'Reservada en GHL', startTime: `${conflictDay}T10:15:00-05:00`, endTime: `${conflictDay}T10:45:00-05:00` });
    await eventually('the GHL appointment in RV3', async () => {
      const res = await service().api.citas.$get({ query: { location_id: DEMO_LOCATION, conflict: 'true' } });
      return res.status === 200 ? (await res.json()).data.length : 0;
    }, (n) => n === 1);

    await showDay(page, conflictDay);
    const flagged = cards(page, 'Reservada en GHL');
    await flagged.waitFor();
    expect(await textOf(flagged)).toContain('Conflicto: se superpone con otra cita');
    const listed = page.locator('#lista-conflictos li');
    await textBecomes(listed.first(), '10:15 a. m.: «Reservada en GHL» (Sala 2)');
    await tab.shot('conflict');
    // From the list to its day.
    await showDay(page, day);
    await listed.first().getByRole('button', { name: 'Ver en la agenda' }).click();
    await expect.poll(() => page.locator('#dias section.day').count()).toBe(1);
    expect(await page.locator('#dias section.day').getAttribute('data-day')).toBe(conflictDay);
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('keeping current without a reload', () => {
  it('polls with the ETag: one conditional request every few seconds, 304 while nothing changes', async () => {
    const { page } = tab;
    const looks: { at: number; ifNoneMatch: string | undefined; status: number }[] = [];
    const onResponse = (res: import('playwright-core').Response) => {
      const url = new URL(res.url());
      if (url.pathname !== '/api/citas' || res.request().method() !== 'GET' || url.searchParams.has('conflict')) return;
      looks.push({ at: Date.now(), ifNoneMatch: res.request().headers()['if-none-match'], status: res.status() });
    };
    page.on('response', onResponse);
    await new Promise((r) => setTimeout(r, 11_000));
    page.off('response', onResponse);

    expect(looks.length).toBeGreaterThanOrEqual(2);
    expect(looks.length).toBeLessThanOrEqual(3);
    expect(looks.every((l) => l.ifNoneMatch && l.status === 304)).toBe(true);
    const gaps = looks.slice(1).map((l, i) => l.at - looks[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(3_000);
  });
});

describe('the key entry', () => {
  it('refuses an empty key without calling the service', async () => {
    const other = await openAgenda(browser, 'empty-key');
    await enterKey(other.page, '');
    await textBecomes(other.page.locator('#clave-error'), 'Pegue su clave de API.');
    await other.context.close();
  });
});
