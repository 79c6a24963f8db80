/**
 * Issue 24, the page: a therapy series booked from the new-cita form («cada martes, 10 sesiones»),
 * every session's card marked «Sesión k de 10»; «esta y las siguientes» cancelled from the 6th;
 * an edit reaching the following sessions, chosen with the keyboard alone; a series that collides
 * (another cita, a block, closed hours) listed session by session, and «Agendar solo las sesiones
 * libres» booking the rest; all of it on a 375 px phone. And a clinic connected while it already
 * had the same visit twice in GHL: «Conflictos» lists the candidates, «Vincular» links one.
 */
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays, mondayOf, todayIn } from '../../src/ui/browser/clinic-time';
import {
  cancelDialog,
  citaDialog,
  fillCitaForm,
  fillRepeat,
  ghlAvailability,
  openNewCita,
  plain,
  refreshCalendars,
  saveCita,
  scopeGroup,
  seriesConflictDialog,
  serviceCall,
  showDay,
  signIn,
  textBecomes,
  textOf,
  type GhlOpenHours,
} from './support/agenda';
import { CAL_GOMEZ, CAL_SALA_2, DEMO_LOCATION, DEMO_PATIENT, cita, connectLocation, createCitaViaApi, eventually, ghl, setCalendars } from './support/backends';
import { launchBrowser, openAgenda, shotIfFailed, type AgendaTab } from './support/browser';

const LIMA = 'America/Lima';
/**
 * Days of its own: the other specs book up to five weeks ahead (blocks.spec.ts: the week three
 * weeks on); the series starts six weeks on and runs ten weeks, the colliding one in its third.
 */
const firstTuesday = (() => {
  let d = addDays(todayIn(LIMA), 42);
  while (new Date(`${d}T12:00:00Z`).getUTCDay() !== 2) d = addDays(d, 1);
  return d;
})();
const tuesdays = Array.from({ length: 10 }, (_, k) => addDays(firstTuesday, 7 * k));
/** The daily series that collides: Monday to Sunday of the week after the series' second Tuesday. */
const conflictMonday = mondayOf(addDays(firstTuesday, 14));
const conflictWeek = Array.from({ length: 7 }, (_, i) => addDays(conflictMonday, i));

/** Dra. Gómez works Monday to Saturday, 09:00–18:00 while the colliding series is booked. */
const NINE_TO_SIX: GhlOpenHours[] = [{ daysOfTheWeek: [1, 2, 3, 4, 5, 6], hours: [{ openHour: 9, openMinute: 0, closeHour: 18, closeMinute: 0 }] }];

let browser: Browser;
let tab: AgendaTab;
/** Series made here, cancelled whole at the end (the service is shared with the other specs). */
const seriesMade: string[] = [];
const citasMade: string[] = [];
const blocksMade: string[] = [];
/** Series «Terapia de lenguaje», session k at index k - 1. */
let sessions: { id: string; index: number }[] = [];

beforeAll(async () => {
  await setCalendars(DEMO_LOCATION, CAL_GOMEZ.id, [CAL_GOMEZ.id, CAL_SALA_2.id]);
  browser = await launchBrowser();
  tab = await openAgenda(browser, 'series');
  await signIn(tab.page);
});
afterEach(async ({ task }) => {
  await shotIfFailed(tab, task);
  await tab.page.evaluate(() => [...document.querySelectorAll('dialog[open]')].reverse().forEach((d) => (d as HTMLDialogElement).close()));
});
afterAll(async () => {
  for (const id of seriesMade) await serviceCall('POST', `/api/citas/${id}/cancel?scope=all`).catch(() => {});
  for (const id of citasMade) await serviceCall('POST', `/api/citas/${id}/cancel`).catch(() => {});
  for (const id of blocksMade) await serviceCall('DELETE', `/api/blocks/${id}`).catch(() => {});
  await ghlAvailability.hours(CAL_GOMEZ.id, null).catch(() => {});
  await refreshCalendars().catch(() => {});
  await browser?.close();
});

async function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

/** The page's own POST /api/citas with this status. */
function created(page: Page, status = 201): Promise<Response> {
  return page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/citas' && r.status() === status);
}

/** The «Rehabilitación» citas booked that week (the series «Terapia de lenguaje» has a Tuesday in it too). */
async function rehabilitation(desde: string, hasta: string): Promise<unknown[]> {
  const r = await serviceCall('GET', `/api/citas?location_id=${DEMO_LOCATION}&desde=${desde}&hasta=${hasta}&status=new,confirmed`);
  return (r.body.data as { title: string }[]).filter((c) => c.title === 'Rehabilitación');
}

const card = (page: Page, id: string) => page.locator(`article.cita[data-cita-id="${id}"]`);

interface CreatedSeries {
  id: string;
  title: string;
  series_citas: { id: string; series: { index: number; count: number | null; rule: string } }[];
  skipped?: { index: number; reason: string }[];
}

describe('a series booked from the form', () => {
  it('«cada martes, 10 sesiones»: one request, ten cards, each «Sesión k de 10»', async () => {
    const { page } = tab;
    await showDay(page, firstTuesday);
    await openNewCita(page);
    await fillCitaForm(page, { title: 'Terapia de lenguaje', patient: DEMO_PATIENT, calendar: CAL_GOMEZ.name, day: firstTuesday, start: '10:00', end: '10:45' });
    // «No se repite» until chosen; the end of the series only shows once it repeats.
    const form = citaDialog(page);
    expect(await form.getByLabel('Repetir', { exact: true }).inputValue()).toBe('');
    expect(await form.getByLabel('Número de sesiones', { exact: true }).isVisible()).toBe(false);
    await fillRepeat(page, { every: 'Cada semana', sessions: 10 });
    expect(await form.getByRole('radio', { name: 'Después de un número de sesiones' }).isChecked()).toBe(true);
    await tab.shot('repeat-form');

    const answer = created(page);
    await saveCita(page);
    const res = await answer;
    expect(res.request().postDataJSON()).toMatchObject({ title: 'Terapia de lenguaje', start_time: `${firstTuesday}T10:00`, end_time: `${firstTuesday}T10:45`, repeat: { freq: 'weekly', count: 10 } });
    const body = (await res.json()) as CreatedSeries;
    expect(body.series_citas.map((c) => c.series.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    seriesMade.push(body.id);
    sessions = body.series_citas.map((c) => ({ id: c.id, index: c.series.index }));
    await textBecomes(page.locator('#aviso'), /^Serie creada: 10 sesiones de «Terapia de lenguaje» \(la primera: martes.*10:00 a\. ?m\.\)\. Se envían a GHL en segundo plano\.$/);

    // Each Tuesday shows its session, marked.
    for (const [k, day] of tuesdays.entries()) {
      await showDay(page, day);
      const c = card(page, sessions[k]!.id);
      await c.waitFor();
      expect(await c.getAttribute('data-day')).toBe(day);
      expect(await textOf(c.locator('p.session'))).toBe(`Sesión ${k + 1} de 10`);
      if (k === 0 || k === 9) await tab.shot(`session-${k + 1}-of-10`);
    }
    // One card per session, no more: the page drew what the service booked.
    expect(await page.locator('article.cita').filter({ hasText: 'Terapia de lenguaje' }).count()).toBe(1);
    expect(tab.pageErrors).toEqual([]);
  });

  it('an edit of the 2nd session reaches «esta y las siguientes», chosen with the keyboard alone', async () => {
    const { page } = tab;
    const second = sessions[1]!;
    await showDay(page, tuesdays[1]!);
    await card(page, second.id).getByRole('button', { name: 'Editar' }).focus();
    await page.keyboard.press('Enter');
    const form = citaDialog(page);
    await form.waitFor();
    // A session of a series: the form asks which sessions, «Solo esta sesión» chosen; no «Repetir» when editing.
    const scope = scopeGroup(form, '¿A qué sesiones aplicar los cambios?');
    await scope.waitFor();
    expect(await textOf(scope)).toContain('Esta cita es parte de una serie (Sesión 2 de 10).');
    expect(await form.getByRole('radio', { name: 'Solo esta sesión' }).isChecked()).toBe(true);
    expect(await form.getByLabel('Repetir', { exact: true }).isVisible()).toBe(false);
    expect(await focusedId(page)).toBe('cita-title');
    await page.keyboard.press('End');
    await page.keyboard.type(' (fase 2)');

    // Tab through the form to the scope: the keyboard lands on the chosen radio.
    for (let i = 0; i < 40 && (await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)) !== 'cita-scope'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('this');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await form.getByRole('radio', { name: 'Toda la serie' }).isChecked()).toBe(true);
    await page.keyboard.press('ArrowUp');
    expect(await form.getByRole('radio', { name: 'Esta y las siguientes' }).isChecked()).toBe(true);
    await tab.shot('edit-scope-keyboard');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('guardar-cita');
    const patched = page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `/api/citas/${second.id}`);
    await page.keyboard.press('Enter');
    const res = await patched;
    expect(res.status()).toBe(200);
    expect(res.request().postDataJSON()).toEqual({ title: 'Terapia de lenguaje (fase 2)', scope: 'following' });
    expect(((await res.json()) as { series_updated: number }).series_updated).toBe(8);
    await form.waitFor({ state: 'hidden' });
    await textBecomes(page.locator('#aviso'), 'También se cambiaron 8 sesiones más de la serie.');
    // Sessions 2–10 renamed, the 1st not.
    expect((await cita(sessions[0]!.id)).title).toBe('Terapia de lenguaje');
    for (const s of sessions.slice(1)) expect((await cita(s.id)).title).toBe('Terapia de lenguaje (fase 2)');
    await textBecomes(card(page, second.id).getByRole('heading', { level: 4 }), 'Terapia de lenguaje (fase 2)');
  });

  it('cancel «esta y las siguientes» from the 6th: sessions 6–10 cancelled, 1–5 kept', async () => {
    const { page } = tab;
    const sixth = sessions[5]!;
    await showDay(page, tuesdays[5]!);
    await card(page, sixth.id).getByRole('button', { name: 'Cancelar' }).click();
    const question = cancelDialog(page);
    await question.waitFor();
    const scope = scopeGroup(question, '¿Qué sesiones cancelar?');
    expect(await textOf(scope)).toContain('Esta cita es parte de una serie (Sesión 6 de 10).');
    expect(await question.getByRole('radio', { name: 'Solo esta sesión' }).isChecked()).toBe(true);
    expect(await focusedId(page)).toBe('volver-cancelar');
    await question.getByRole('radio', { name: 'Esta y las siguientes' }).check();
    await tab.shot('cancel-following');
    const cancelled = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/citas/${sixth.id}/cancel`);
    await question.getByRole('button', { name: 'Sí, cancelar la cita' }).click();
    const res = await cancelled;
    expect(res.status()).toBe(200);
    expect(new URL(res.url()).searchParams.get('scope')).toBe('following');
    expect(((await res.json()) as { series_updated: number }).series_updated).toBe(4);
    await question.waitFor({ state: 'hidden' });
    await textBecomes(page.locator('#aviso'), /^Cita «Terapia de lenguaje \(fase 2\)» cancelada\. También se cancelaron 4 sesiones más de la serie\.$/);

    // On the service: 1–5 still booked, 6–10 cancelled.
    const statuses = await Promise.all(sessions.map(async (s) => (await cita(s.id)).status));
    expect(statuses).toEqual(['new', 'new', 'new', 'new', 'new', 'cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    // On the page: each Tuesday's card says so.
    for (const [k, day] of tuesdays.entries()) {
      if (k < 4) continue;
      await showDay(page, day);
      const c = card(page, sessions[k]!.id);
      await expect.poll(() => c.getAttribute('data-status'), { timeout: 20_000 }).toBe(k < 5 ? 'new' : 'cancelled');
      expect(await textOf(c.locator('.badge.status'))).toBe(k < 5 ? 'Nueva' : 'Cancelada');
      // A cancelled session can no longer be edited or cancelled.
      expect(await c.getByRole('button', { name: 'Cancelar' }).count()).toBe(k < 5 ? 1 : 0);
      if (k === 5) await tab.shot('cancelled-from-6th');
    }
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('a series that collides', () => {
  it('lists every colliding session in Spanish; «Volver» keeps the form; «Agendar solo las sesiones libres» books the rest', async () => {
    const { page } = tab;
    const [mon, tue, , thu, fri, sat, sun] = conflictWeek as [string, string, string, string, string, string, string];
    // Tuesday: another patient's control at the same time; Thursday: a lunch block; Sunday: closed.
    const other = await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Control de rodilla', start_time: `${tue}T15:00`, end_time: `${tue}T15:30` });
    citasMade.push(other.id);
    const block = await serviceCall('POST', '/api/blocks', { location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Almuerzo', start_time: `${thu}T14:30`, end_time: `${thu}T15:30` });
    expect(block.status).toBe(201);
    blocksMade.push(block.body.id as string);
    await ghlAvailability.hours(CAL_GOMEZ.id, NINE_TO_SIX);
    await refreshCalendars();

    await showDay(page, mon);
    await openNewCita(page);
    await fillCitaForm(page, { title: 'Rehabilitación', patient: DEMO_PATIENT, calendar: CAL_GOMEZ.name, day: mon, start: '15:00', end: '15:45' });
    await fillRepeat(page, { every: 'Cada día', until: sun });
    expect(await citaDialog(page).getByRole('radio', { name: 'En una fecha' }).isChecked()).toBe(true);
    const refused = created(page, 409);
    await saveCita(page, false);
    const problem = (await (await refused).json()) as { code: string; collisions: { index: number; reason: string }[] };
    expect(problem.code).toBe('series_conflict');
    expect(problem.collisions.map((c) => [c.index, c.reason])).toEqual([
      [2, 'slot_taken'],
      [4, 'slot_blocked'],
      [7, 'outside_working_hours'],
    ]);

    const dialog = seriesConflictDialog(page);
    await dialog.waitFor();
    expect(await focusedId(page)).toBe('volver-serie');
    expect(await textOf(dialog.locator('#serie-texto'))).toBe(
      'No se agendó ninguna sesión: 3 sesiones chocan con otra cita, un bloqueo o el horario de atención. Puede agendar solo las sesiones libres, o volver y cambiar la fecha u hora.',
    );
    const lines = (await dialog.locator('#serie-choques li').allTextContents()).map(plain);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Sesión 2 · martes, \d+ de \w+, 3:00 p\. ?m\. – 3:45 p\. ?m\.: ocupado por "Control de rodilla"$/);
    expect(lines[1]).toMatch(/^Sesión 4 · jueves, \d+ de \w+, 3:00 p\. ?m\. – 3:45 p\. ?m\.: bloqueado: "Almuerzo"$/);
    expect(lines[2]).toMatch(/^Sesión 7 · domingo, \d+ de \w+, 3:00 p\. ?m\. – 3:45 p\. ?m\.: fuera del horario$/);
    await tab.shot('series-conflict');

    // «Volver»: nothing booked, back in the form with the start to change.
    await dialog.getByRole('button', { name: 'Volver' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await textBecomes(citaDialog(page).locator('#cita-errores'), /^No se agendó la serie: 3 sesiones chocan/);
    await expect.poll(() => focusedId(page)).toBe('cita-start');
    expect(await rehabilitation(mon, sun)).toEqual([]);

    // Again, and book the free ones.
    await saveCita(page, false);
    await dialog.waitFor();
    const booked = created(page);
    await dialog.getByRole('button', { name: 'Agendar solo las sesiones libres' }).click();
    const res = await booked;
    expect(res.request().postDataJSON()).toMatchObject({ repeat: { freq: 'daily', until: sun }, on_conflict: 'skip' });
    const body = (await res.json()) as CreatedSeries;
    seriesMade.push(body.id);
    expect(body.series_citas.map((c) => c.series.index)).toEqual([1, 3, 5, 6]);
    expect(body.skipped?.map((s) => s.index)).toEqual([2, 4, 7]);
    await citaDialog(page).waitFor({ state: 'hidden' });
    await textBecomes(
      page.locator('#aviso'),
      /^Serie creada: 4 sesiones de «Rehabilitación» \(la primera: lunes.*\); se omitieron 3: sesión 2 \(ocupado por "Control de rodilla"\), sesión 4 \(bloqueado: "Almuerzo"\), sesión 7 \(fuera del horario\)\. Se envían a GHL en segundo plano\.$/,
    );
    // The week shows the four sessions booked, each on its day, beside the cita and the block that stayed.
    const byDay = new Map([mon, addDays(mon, 2), fri, sat].map((d, i) => [d, body.series_citas[i]!]));
    for (const [day, c] of byDay) {
      const el = card(page, c.id);
      await el.waitFor({ timeout: 20_000 });
      expect(await el.getAttribute('data-day')).toBe(day);
      expect(await textOf(el.locator('p.session'))).toMatch(new RegExp(`^Sesión ${c.series.index}( de \\d+)?$`));
    }
    expect(await page.locator(`section.day[data-day="${tue}"] article.cita`).filter({ hasText: 'Rehabilitación' }).count()).toBe(0);
    await tab.shot('series-skipped-booked');
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('a clinic that already had its appointments in GHL', () => {
  /** A clinic of its own: seeded in GHL, its cita booked here before it is connected. */
  const CLINIC = { id: 'match-location', calendar: { id: 'match-cal', name: 'Dr. Ríos' }, contact: 'match-contact-rosa', patient: 'Rosa Quispe' };
  const day = addDays(todayIn(LIMA), 45);
  const at = (hhmm: string) => `${day}T${hhmm}:00-05:00`;

  it('the cita GHL held twice is listed with both candidates; «Vincular» links the one chosen', async () => {
    const { page } = tab;
    await ghl.seed({
      locations: [
        {
          id: CLINIC.id,
          name: 'Clínica Ríos',
          timezone: LIMA,
          calendars: [{ id: CLINIC.calendar.id, name: CLINIC.calendar.name, isActive: true, calendarType: 'event' }],
          contacts: [{ id: CLINIC.contact, firstName: 'Rosa', lastName: 'Quispe', phone: '+51999111222' }],
          // The clinic booked the visit twice by hand in GHL, under other titles: which one is ours is a person's call.
          appointments: [
            { id: 'match-ghl-1', calendarId: CLINIC.calendar.id, contactId: CLINIC.contact, title: 'Limpieza', startTime: at('11:00'), endTime: at('11:30') },
            { id: 'match-ghl-2', calendarId: CLINIC.calendar.id, contactId: CLINIC.contact, title: 'Limpieza dental', startTime: at('11:00'), endTime: at('11:30') },
          ],
        },
      ],
    });
    await setCalendars(CLINIC.id, CLINIC.calendar.id, [CLINIC.calendar.id]);
    const booked = await serviceCall('POST', '/api/citas', { location_id: CLINIC.id, calendar_id: CLINIC.calendar.id, contact_id: CLINIC.contact, title: 'Control', start_time: `${day}T11:00`, end_time: `${day}T11:30` });
    expect(booked.status).toBe(201);
    const id = booked.body.id as string;
    citasMade.push(id);
    await connectLocation(CLINIC.id);
    await eventually('the cita left for a person', () => cita(id), (c) => c.conflict_reason === 'ambiguous_match');

    // The page learns of the new clinic when it reads the key's locations again.
    await page.reload();
    await page.getByLabel('Sede').waitFor();
    await page.getByLabel('Sede').selectOption(CLINIC.id);
    const entry = page.locator(`#lista-conflictos li[data-cita-id="${id}"]`);
    await entry.waitFor({ timeout: 20_000 });
    await textBecomes(entry, 'Sin vincular: varias citas de GHL podrían ser esta');
    const list = entry.getByRole('list', { name: 'Posibles citas en GHL:' });
    const options = (await list.getByRole('listitem').allTextContents()).map(plain);
    expect(options).toHaveLength(2);
    for (const o of options) expect(o).toMatch(/^«Limpieza( dental)?», [^,]+, \d+ de [^,]+, 11:00 a\. ?m\. – 11:30 a\. ?m\. Vincular$/);
    expect(options.filter((o) => o.startsWith('«Limpieza dental»'))).toHaveLength(1);
    await tab.shot('ambiguous-match');

    // The button says which it links; reached and pressed with the keyboard.
    const button = list.getByRole('button', { name: /^Vincular «Control» con «Limpieza dental»/ });
    await button.focus();
    const linked = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/citas/${id}/link`);
    await page.keyboard.press('Enter');
    const res = await linked;
    expect(res.status()).toBe(200);
    expect(res.request().postDataJSON()).toEqual({ ghl_appointment_id: 'match-ghl-2' });
    await textBecomes(page.locator('#aviso'), /^Cita «Control» vinculada con la cita de GHL «Limpieza dental» \(/);
    await expect.poll(() => entry.count(), { timeout: 20_000 }).toBe(0);
    expect(await cita(id)).toMatchObject({ ghl_appointment_id: 'match-ghl-2', conflict: false, match_candidates: null });
    // Nothing pushed twice: GHL still has the two it had.
    expect((await ghl.appointments(CLINIC.id)).filter((a) => a.startTime.startsWith(day))).toHaveLength(2);
    // Back to the demo clinic for the next test.
    await page.getByLabel('Sede').selectOption(DEMO_LOCATION);
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('on a 375 px phone', () => {
  async function fits(phone: AgendaTab, state: string): Promise<void> {
    const o = await phone.page.evaluate(() => {
      const viewport = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll<HTMLElement>('body *')]
        .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > viewport + 0.5)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} → ${Math.round(el.getBoundingClientRect().right)}px`);
      return { scrollWidth: document.documentElement.scrollWidth, viewport, wide: wide.slice(0, 12) };
    });
    await phone.shot(`375-${state}`);
    expect(o.viewport, state).toBe(375);
    expect(o.wide, `${state}: what sticks out`).toEqual([]);
    expect(o.scrollWidth, state).toBeLessThanOrEqual(o.viewport);
  }

  it('sessions, «Repetir», the scopes and the colliding sessions fit without sideways scrolling', async () => {
    const phone = await openAgenda(browser, 'series-phone');
    const { page } = phone;
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      await signIn(page);
      await showDay(page, tuesdays[2]!);
      const third = card(page, sessions[2]!.id);
      await third.waitFor({ timeout: 20_000 });
      await fits(phone, 'week-session');

      await third.getByRole('button', { name: 'Cancelar' }).click();
      await scopeGroup(cancelDialog(page), '¿Qué sesiones cancelar?').waitFor();
      await fits(phone, 'cancel-scope');
      await cancelDialog(page).getByRole('button', { name: 'No, volver' }).click();
      await cancelDialog(page).waitFor({ state: 'hidden' });

      // The same daily series again: now every session collides (the four booked are ours).
      const [mon, , , , , , sun] = conflictWeek as [string, string, string, string, string, string, string];
      await showDay(page, mon);
      await openNewCita(page);
      await fillCitaForm(page, { title: 'Rehabilitación', patient: DEMO_PATIENT, calendar: CAL_GOMEZ.name, day: mon, start: '15:00', end: '15:45' });
      await fillRepeat(page, { every: 'Cada día', sessions: 7 });
      await fits(phone, 'repeat-form');
      const refused = created(page, 409);
      await saveCita(page, false);
      await refused;
      const dialog = seriesConflictDialog(page);
      await dialog.waitFor();
      expect(await dialog.locator('#serie-choques li').count()).toBe(7);
      expect(plain(await dialog.locator('#serie-texto').textContent())).toMatch(/^No se agendó ninguna sesión: 7 de las 7 sesiones chocan/);
      await fits(phone, 'series-conflict');
      await dialog.getByRole('button', { name: 'Volver' }).click();
      expect(await rehabilitation(mon, sun)).toHaveLength(4);
      expect(phone.pageErrors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });
});
