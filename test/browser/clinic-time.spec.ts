/**
 * Scenario 5 of issue 11: a clinic in New York seen from a browser in Tokyo (14 hours ahead)
 * shows clinic time everywhere: the zone in the header, "today", the times of the citas, the wall
 * times typed in the form; a cita crossing midnight is drawn on both days; day and week views
 * with previous / next / today.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cards, createCita, pickPatient, showDay, signIn, textBecomes, textOf } from './support/agenda';
import { cita, connectLocation, ghl, setCalendars } from './support/backends';
import { BROWSER_ZONE, launchBrowser, openAgenda, shotIfFailed, type AgendaTab } from './support/browser';

const NY = { id: 'ny-location', zone: 'America/New_York', calendar: { id: 'ny-cal-smith', name: 'Dr. Smith' }, contact: 'ny-contact-john', patient: 'John Doe' };
/** 20:00 on Tuesday 1 December in New York is already 10:00 on Wednesday 2 December in Tokyo. */
const NOW = new Date('2026-12-01T20:00:00-05:00');

let browser: Browser;
let tab: AgendaTab;

beforeAll(async () => {
  await ghl.seed({
    locations: [
      {
        id: NY.id,
        name: 'Clínica Nueva York',
        timezone: NY.zone,
        calendars: [{ id: NY.calendar.id, name: NY.calendar.name, isActive: true, calendarType: 'event' }],
        contacts: [{ id: NY.contact, firstName: 'John', lastName: 'Doe', email: 'john@example.com' }],
      },
    ],
  });
  // Connecting reads the location from GHL, its zone included.
  await connectLocation(NY.id);
  await setCalendars(NY.id, NY.calendar.id, [NY.calendar.id]);
  browser = await launchBrowser();
  tab = await openAgenda(browser, 'clinic-time', { now: NOW });
});
afterEach(async ({ task }) => {
  await shotIfFailed(tab, task);
});
afterAll(async () => {
  await browser?.close();
});

describe('clinic time, whatever the browser’s zone', () => {
  it('shows New York’s zone, day and times in a browser set to Tokyo', async () => {
    const { page } = tab;
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(BROWSER_ZONE);
    await signIn(page, undefined, NY.id);
    await textBecomes(page.locator('#zona'), 'Hora de la clínica: America/New_York (GMT-5)');
    // Today is Tuesday in New York, though Wednesday in Tokyo.
    await textBecomes(page.locator('section.day.today h3'), 'martes, 1 de diciembre Hoy');

    const card = await createCita(page, { title: 'Consulta - John Doe', patient: NY.patient, day: '2026-12-02', start: '09:00', duration: '30 min' });
    expect(await card.getAttribute('data-day')).toBe('2026-12-02');
    // 09:00 in New York; Tokyo's clock would say 11:00 p. m.
    expect(await textOf(card.locator('.when'))).toMatch(/^9:00 a\. ?m\. – 9:30 a\. ?m\.$/);
    const saved = await cita((await card.getAttribute('data-cita-id'))!);
    expect(saved).toMatchObject({ time_zone: NY.zone, start_time: '2026-12-02T09:00:00-05:00', start_time_utc: '2026-12-02T14:00:00Z' });
    await tab.shot('new-york-from-tokyo');

    // The form reads it back in clinic time too.
    await card.getByRole('button', { name: 'Editar' }).click();
    const form = page.locator('#dialogo-cita');
    expect(await form.getByLabel('Fecha', { exact: true }).inputValue()).toBe('2026-12-02');
    expect(await form.getByLabel('Inicio', { exact: true }).inputValue()).toBe('09:00');
    expect(await textOf(form.locator('#cita-zona'))).toBe('(hora de la clínica: America/New_York (GMT-5))');
    await form.getByRole('button', { name: 'Cerrar' }).click();
    expect(tab.pageErrors).toEqual([]);
  });

  it('draws a cita that crosses midnight on both days', async () => {
    const { page } = tab;
    await page.getByRole('button', { name: 'Nueva cita' }).click();
    const form = page.locator('#dialogo-cita');
    await form.getByLabel('Motivo').fill('Guardia nocturna');
    await pickPatient(page, 'john', NY.patient);
    await form.getByLabel('Fecha', { exact: true }).fill('2026-12-03');
    await form.getByLabel('Inicio', { exact: true }).fill('23:30');
    await form.getByRole('button', { name: 'Duración 1 h', exact: true }).click();
    // The shortcut knows 00:30 is tomorrow.
    expect(await form.getByLabel('Fin', { exact: true }).inputValue()).toBe('00:30');
    expect(await form.getByLabel('Termina al día siguiente').isChecked()).toBe(true);
    await form.getByRole('button', { name: 'Guardar cita' }).click();
    await form.waitFor({ state: 'hidden' });

    const both = cards(page, 'Guardia nocturna');
    await expect.poll(() => both.count()).toBe(2);
    expect(await both.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.day))).toEqual(['2026-12-03', '2026-12-04']);
    expect(await textOf(both.nth(0).locator('.when'))).toMatch(/^11:30 p\. ?m\. – 12:30 a\. ?m\. \(hasta el vie, 4 dic\.?\)$/);
    expect(await textOf(both.nth(1).locator('.when'))).toMatch(/^11:30 p\. ?m\. – 12:30 a\. ?m\. \(desde el jue, 3 dic\.?\)$/);
    const saved = await cita((await both.first().getAttribute('data-cita-id'))!);
    expect(saved).toMatchObject({ start_time: '2026-12-03T23:30:00-05:00', end_time: '2026-12-04T00:30:00-05:00' });
    await tab.shot('crosses-midnight');
  });

  it('day and week views, previous / next / today, in clinic days', async () => {
    const { page } = tab;
    const columns = page.locator('#dias section.day');
    const headings = async () => (await columns.locator('h3').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    await page.getByRole('button', { name: 'Día', exact: true }).click();
    await expect.poll(headings).toEqual(['martes, 1 de diciembre Hoy']);
    expect(await page.getByRole('button', { name: 'Día', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Día siguiente' }).click();
    await expect.poll(headings).toEqual(['miércoles, 2 de diciembre']);
    expect(await cards(page, 'Consulta - John Doe').count()).toBe(1);
    await tab.shot('day-view');
    await page.getByRole('button', { name: 'Día siguiente' }).click();
    await page.getByRole('button', { name: 'Día siguiente' }).click();
    await expect.poll(headings).toEqual(['viernes, 4 de diciembre']);
    expect(await cards(page, 'Guardia nocturna').count()).toBe(1);
    await page.getByRole('button', { name: 'Hoy' }).click();
    await expect.poll(headings).toEqual(['martes, 1 de diciembre Hoy']);

    await page.getByRole('button', { name: 'Semana', exact: true }).click();
    await expect.poll(async () => (await headings()).length).toBe(7);
    expect((await headings())[0]).toBe('lunes, 30 de noviembre');
    await page.getByRole('button', { name: 'Semana anterior' }).click();
    await expect.poll(async () => (await headings())[0]).toBe('lunes, 23 de noviembre');
    await textBecomes(page.locator('#periodo'), '23–29 de noviembre de 2026 · 0 citas · hora de la clínica: America/New_York (GMT-5)');
    await showDay(page, '2026-12-03');
    expect(tab.pageErrors).toEqual([]);
  });
});
