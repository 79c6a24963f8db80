/**
 * Issue 23, the page: blocked time and working hours as the front desk meets them. Grey bands for
 * blocks (made in GHL or here) and for the hours a calendar is closed, in the week and day views;
 * the Spanish question before booking into a block or outside hours, and «Agendar de todos modos»
 * booking it; «Horarios libres» starting a cita; blocks created, edited and removed from the page;
 * a 375 px phone; the question answered with the keyboard alone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays, formatTime, mondayOf, todayIn, wallIn } from '../../src/ui/browser/clinic-time';
import {
  attributeBecomes,
  blockBands,
  blockDialog,
  citaDialog,
  closedHours,
  fillBlockForm,
  fillCitaForm,
  forceDialog,
  freeSlotButtons,
  ghlAvailability,
  openNewCita,
  plain,
  refreshCalendars,
  saveCita,
  serviceCall,
  showDay,
  signIn,
  textBecomes,
  textOf,
  type GhlOpenHours,
} from './support/agenda';
import { CAL_GOMEZ, CAL_SALA_2, DEMO_CONTACT, DEMO_LOCATION, DEMO_PATIENT, cita, createCitaViaApi, eventually, setCalendars } from './support/backends';
import { launchBrowser, openAgenda, shotIfFailed, type AgendaTab } from './support/browser';

const LIMA = 'America/Lima';
// A week of its own, well past the other specs' days, so its weekdays are known.
const monday = mondayOf(addDays(todayIn(LIMA), 21));
const [mon, tue, wed, thu, fri, , sun] = Array.from({ length: 7 }, (_, i) => addDays(monday, i)) as [string, string, string, string, string, string, string];
/** Lima has no DST: every time of the week is -05:00. */
const at = (day: string, hhmm: string) => `${day}T${hhmm}:00-05:00`;

/** Dra. Gómez works Monday to Saturday, 09:00–18:00; Sundays closed. Sala 2 has no hours in GHL. */
const NINE_TO_SIX: GhlOpenHours[] = [{ daysOfTheWeek: [1, 2, 3, 4, 5, 6], hours: [{ openHour: 9, openMinute: 0, closeHour: 18, closeMinute: 0 }] }];
const OVERRIDE = 'Agendada fuera de horario/bloqueo por decisión del personal';

let browser: Browser;
let tab: AgendaTab;
/** GHL blocks this spec made, removed at the end (the service is shared with the other specs). */
const ghlBlocks: string[] = [];

beforeAll(async () => {
  await setCalendars(DEMO_LOCATION, CAL_GOMEZ.id, [CAL_GOMEZ.id, CAL_SALA_2.id]);
  // A staff member sets Dra. Gómez's working hours in GHL; the service reads them with the calendars.
  await ghlAvailability.hours(CAL_GOMEZ.id, NINE_TO_SIX);
  await refreshCalendars();
  browser = await launchBrowser();
  tab = await openAgenda(browser, 'blocks');
  await signIn(tab.page);
});
afterEach(async ({ task }) => {
  await shotIfFailed(tab, task);
  await tab.page.evaluate(() => [...document.querySelectorAll('dialog[open]')].reverse().forEach((d) => (d as HTMLDialogElement).close()));
});
afterAll(async () => {
  for (const id of ghlBlocks) await ghlAvailability.deleteBlock(id).catch(() => {});
  // The other specs book at any hour: Dra. Gómez goes back to having no known hours.
  await ghlAvailability.hours(CAL_GOMEZ.id, null).catch(() => {});
  await refreshCalendars().catch(() => {});
  await browser?.close();
});

async function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

/** The texts of a day's entries, in the order drawn. */
async function dayEntries(page: Page, day: string): Promise<string[]> {
  return (await page.locator(`#dias section.day[data-day="${day}"] ol > li`).allTextContents()).map(plain);
}

/** A block made by a staff member in GHL. */
async function blockInGhl(calendarId: string, day: string, from: string, to: string, title: string) {
  const block = await ghlAvailability.block({ locationId: DEMO_LOCATION, calendarId, startTime: at(day, from), endTime: at(day, to), title });
  ghlBlocks.push(block.id);
  return block;
}

/** The page's own POST /api/citas (or PATCH): its answer, and whether it was sent with `force`. */
function citaWrite(page: Page, method: 'POST' | 'PATCH', status: number) {
  return page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname.startsWith('/api/citas') && !r.url().includes('/cancel') && r.status() === status);
}


describe('grey bands', () => {
  it('a block made in GHL and the closed hours are drawn in the week and the day views, in words', async () => {
    const { page } = tab;
    await blockInGhl(CAL_SALA_2.id, tue, '10:00', '12:00', 'Curso');
    // GHL sends no webhook for blocks: a booking of that day makes the service read them (the sync jobs too).
    const refused = await serviceCall('POST', '/api/citas', { location_id: DEMO_LOCATION, calendar_id: CAL_SALA_2.id, contact_id: DEMO_CONTACT, title: 'Prueba', start_time: `${tue}T10:30`, end_time: `${tue}T11:00` });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'slot_blocked', block: { title: 'Curso' } });

    await showDay(page, tue);
    const band = blockBands(page, 'Curso');
    await band.waitFor({ timeout: 20_000 });
    // What a screen reader meets: an article named by its reason, its times and calendar in text.
    await page.getByRole('article', { name: 'Bloqueado: Curso' }).waitFor();
    const text = await textOf(band);
    expect(text).toMatch(/^10:00 a\. ?m\. – 12:00 p\. ?m\. ?Bloqueado: Curso/);
    expect(text).toContain('Calendario: Sala 2');
    expect(text).toContain('Sincronizado con GHL');
    expect(await band.evaluate((el) => getComputedStyle(el).backgroundImage)).toContain('repeating-linear-gradient');

    // Dra. Gómez («Horario de», the default calendar) is closed before nine and after six, and on Sunday.
    expect(await page.getByLabel('Horario de').inputValue()).toBe(CAL_GOMEZ.id);
    const closed = (await closedHours(page, tue).allTextContents()).map(plain);
    expect(closed).toEqual(['Fuera del horario de atención (Dra. Gómez): 12:00 a. m. – 9:00 a. m.', 'Fuera del horario de atención (Dra. Gómez): 6:00 p. m. – 12:00 a. m.']);
    // In time order: the closed morning, the block, the closed evening.
    const entries = await dayEntries(page, tue);
    expect(entries[0]).toMatch(/^Fuera del horario de atención \(Dra\. Gómez\): 12:00 a\. m\. – 9:00/);
    expect(entries.findIndex((e) => e.includes('Bloqueado: Curso'))).toBeGreaterThan(0);
    expect(entries[entries.length - 1]).toMatch(/6:00 p\. m\. – 12:00 a\. m\.$/);
    expect((await closedHours(page, sun).allTextContents()).map(plain)).toEqual(['Cerrado todo el día (Dra. Gómez): fuera del horario de atención.']);
    expect(await page.locator(`section.day[data-day="${sun}"]`).getAttribute('class')).toContain('closed-day');
    await tab.shot('week-bands-closed-hours');

    await page.getByRole('button', { name: 'Día', exact: true }).click();
    await expect.poll(() => page.locator('#dias section.day').count()).toBe(1);
    expect(await page.locator('#dias section.day').getAttribute('data-day')).toBe(tue);
    await blockBands(page, 'Curso').waitFor();
    expect(await closedHours(page, tue).count()).toBe(2);
    await tab.shot('day-bands-closed-hours');

    // Sala 2 has no working hours in GHL: nothing is greyed for it (the block stays).
    await page.getByLabel('Horario de').selectOption({ label: CAL_SALA_2.name });
    await expect.poll(() => closedHours(page, tue).count()).toBe(0);
    await blockBands(page, 'Curso').waitFor();
    await page.getByLabel('Horario de').selectOption({ label: CAL_GOMEZ.name });
    await expect.poll(() => closedHours(page, tue).count()).toBe(2);
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('booking despite a block or the hours', () => {
  it('into a block made in GHL: the Spanish question; «Volver» keeps the form, «Agendar de todos modos» books it', async () => {
    const { page } = tab;
    await blockInGhl(CAL_GOMEZ.id, mon, '13:00', '14:00', 'Almuerzo');
    await showDay(page, mon, 'Día');
    await openNewCita(page);
    await fillCitaForm(page, { title: 'Control en el almuerzo', patient: DEMO_PATIENT, calendar: CAL_GOMEZ.name, day: mon, start: '13:15', end: '13:45' });
    const refused = citaWrite(page, 'POST', 409);
    await saveCita(page, false);
    expect(((await (await refused).json()) as { code: string }).code).toBe('slot_blocked');
    const question = forceDialog(page);
    await question.waitFor();
    expect(await textOf(question.locator('#forzar-texto'))).toBe('El horario está bloqueado por "Almuerzo" (13:00–14:00). ¿Agendar de todos modos?');
    expect(await focusedId(page)).toBe('volver-forzar');
    await tab.shot('force-question-blocked');

    // «Volver»: nothing booked, back in the form with the start to change.
    await question.getByRole('button', { name: 'Volver' }).click();
    await question.waitFor({ state: 'hidden' });
    expect(await citaDialog(page).isVisible()).toBe(true);
    await textBecomes(citaDialog(page).locator('#cita-errores'), 'El horario está bloqueado por "Almuerzo" (13:00–14:00). Elija otra hora u otro calendario.');
    // The form takes the keyboard back once the dialog has closed (its close event).
    await expect.poll(() => focusedId(page)).toBe('cita-start');

    // Again, and this time book it anyway: the same cita is sent with force.
    const created = citaWrite(page, 'POST', 201);
    await saveCita(page, false);
    await question.waitFor();
    await question.getByRole('button', { name: 'Agendar de todos modos' }).click();
    const answer = await created;
    expect(answer.request().postDataJSON()).toMatchObject({ force: true, start_time: `${mon}T13:15`, end_time: `${mon}T13:45` });
    const { id } = (await answer.json()) as { id: string };
    await citaDialog(page).waitFor({ state: 'hidden' });
    const card = page.locator(`article.cita[data-cita-id="${id}"]`);
    await card.waitFor();
    await textBecomes(card, OVERRIDE);
    expect((await cita(id)).booking_override?.rules).toContain('slot_blocked');
    // The block the service read for that booking is drawn beside it.
    await blockBands(page, 'Almuerzo').waitFor({ timeout: 20_000 });
    await tab.shot('forced-into-block');
  });

  it('outside working hours: the question names the day’s hours; forcing books it. A move into a block asks too', async () => {
    const { page } = tab;
    await showDay(page, mon, 'Día');
    await openNewCita(page);
    await fillCitaForm(page, { title: 'Control de noche', patient: DEMO_PATIENT, calendar: CAL_GOMEZ.name, day: mon, start: '19:00', end: '19:30' });
    const refused = citaWrite(page, 'POST', 422);
    await saveCita(page, false);
    expect(((await (await refused).json()) as { code: string }).code).toBe('outside_working_hours');
    const question = forceDialog(page);
    await question.waitFor();
    expect(await textOf(question.locator('#forzar-texto'))).toBe('Fuera del horario de atención (09:00–18:00 el lunes). ¿Agendar de todos modos?');
    await tab.shot('force-question-hours');
    const created = citaWrite(page, 'POST', 201);
    await question.getByRole('button', { name: 'Agendar de todos modos' }).click();
    const { id } = (await (await created).json()) as { id: string };
    const card = page.locator(`article.cita[data-cita-id="${id}"]`);
    await card.waitFor();
    await textBecomes(card, OVERRIDE);
    expect((await cita(id)).booking_override?.rules).toContain('outside_working_hours');

    // Moving a cita into the lunch block: the same question, then the move with force.
    const moving = await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Control a mover', start_time: `${mon}T11:00`, end_time: `${mon}T11:15` });
    const movingCard = page.locator(`article.cita[data-cita-id="${moving.id}"]`);
    await movingCard.waitFor({ timeout: 20_000 });
    await movingCard.getByRole('button', { name: 'Editar' }).click();
    await citaDialog(page).getByLabel('Inicio', { exact: true }).fill('13:45');
    await citaDialog(page).getByLabel('Fin', { exact: true }).fill('14:00');
    const moveRefused = citaWrite(page, 'PATCH', 409);
    await saveCita(page, false);
    expect(((await (await moveRefused).json()) as { code: string }).code).toBe('slot_blocked');
    await question.waitFor();
    expect(await textOf(question.locator('#forzar-texto'))).toBe('El horario está bloqueado por "Almuerzo" (13:00–14:00). ¿Agendar de todos modos?');
    const moved = citaWrite(page, 'PATCH', 200);
    await question.getByRole('button', { name: 'Agendar de todos modos' }).click();
    expect((await moved).request().postDataJSON()).toMatchObject({ force: true, start_time: `${mon}T13:45`, end_time: `${mon}T14:00` });
    await citaDialog(page).waitFor({ state: 'hidden' });
    await textBecomes(movingCard.locator('.when'), /^1:45 p\. ?m\. – 2:00 p\. ?m\.$/);
    await textBecomes(movingCard, OVERRIDE);
    expect(tab.pageErrors).toEqual([]);
  });

  it('with the keyboard alone: Enter sends, the focus starts on «Volver», Escape goes back to «Inicio», Shift+Tab and Enter book anyway', async () => {
    const { page } = tab;
    await showDay(page, fri, 'Día');
    await page.getByRole('button', { name: 'Nueva cita' }).focus();
    await page.keyboard.press('Enter');
    await citaDialog(page).waitFor();
    await fillCitaForm(page, { title: 'Temprano con teclado', patient: DEMO_PATIENT, calendar: CAL_GOMEZ.name, day: fri, start: '07:00', end: '07:30' });
    await citaDialog(page).getByLabel('Fin', { exact: true }).focus();
    await page.keyboard.press('Enter');
    const question = forceDialog(page);
    await question.waitFor();
    expect(await focusedId(page)).toBe('volver-forzar');
    await page.keyboard.press('Escape');
    await question.waitFor({ state: 'hidden' });
    expect(await citaDialog(page).isVisible()).toBe(true);
    // The form takes the keyboard back once the dialog has closed (its close event).
    await expect.poll(() => focusedId(page)).toBe('cita-start');

    await page.keyboard.press('Enter');
    await question.waitFor();
    expect(await focusedId(page)).toBe('volver-forzar');
    await page.keyboard.press('Shift+Tab');
    expect(await focusedId(page)).toBe('confirmar-forzar');
    const created = citaWrite(page, 'POST', 201);
    await page.keyboard.press('Enter');
    const { id } = (await (await created).json()) as { id: string };
    await citaDialog(page).waitFor({ state: 'hidden' });
    await page.locator(`article.cita[data-cita-id="${id}"]`).waitFor();
    // Both dialogs closed: the keyboard is back where it started.
    await expect.poll(() => focusedId(page)).toBe('nueva-cita');
    await tab.shot('force-keyboard');
  });
});

describe('«Horarios libres»', () => {
  it('lists GHL’s free slots of the chosen calendar and day; one clicked opens the form there', async () => {
    const { page } = tab;
    await showDay(page, wed, 'Día');
    expect(await page.locator('#libres-dia').inputValue()).toBe(wed);
    const ghl = await serviceCall('GET', `/api/ghl/calendars/${CAL_GOMEZ.id}/free-slots?location_id=${DEMO_LOCATION}&fecha=${wed}`);
    expect(ghl.status).toBe(200);
    const slots = ghl.body.slots as { start_time: string; end_time: string }[];
    expect(slots.length).toBeGreaterThan(2);
    await expect.poll(() => freeSlotButtons(page).count(), { timeout: 20_000 }).toBe(slots.length);
    const shown = (await freeSlotButtons(page).allTextContents()).map(plain);
    expect(shown[0]).toBe(plain(`${formatTime(slots[0]!.start_time, LIMA)} – ${formatTime(slots[0]!.end_time, LIMA)}`));
    // Nothing offered outside Dra. Gómez's hours.
    expect(slots.every((s) => wallIn(s.start_time, LIMA).time >= '09:00' && wallIn(s.end_time, LIMA).time <= '18:00')).toBe(true);
    // The panel's count is read out as it changes, but it is no second «status»: the page's one notice stays the only one.
    expect(await page.locator('#libres-estado').getAttribute('aria-live')).toBe('polite');
    expect(await page.getByRole('status').count()).toBe(1);
    await tab.shot('free-slots');

    const slot = slots[2]!;
    await freeSlotButtons(page).nth(2).click();
    const form = citaDialog(page);
    await form.waitFor();
    expect(await textOf(form.getByRole('heading', { level: 2 }))).toBe('Nueva cita');
    expect(await form.getByLabel('Calendario', { exact: true }).inputValue()).toBe(CAL_GOMEZ.id);
    expect(await form.getByLabel('Fecha', { exact: true }).inputValue()).toBe(wed);
    expect(await form.getByLabel('Inicio', { exact: true }).inputValue()).toBe(wallIn(slot.start_time, LIMA).time);
    expect(await form.getByLabel('Fin', { exact: true }).inputValue()).toBe(wallIn(slot.end_time, LIMA).time);
    await tab.shot('free-slot-prefilled');

    // Booked there, it is no longer free.
    await fillCitaForm(page, { title: 'Desde horarios libres', patient: DEMO_PATIENT, day: wed, start: wallIn(slot.start_time, LIMA).time });
    const created = citaWrite(page, 'POST', 201);
    await saveCita(page);
    expect((await created).request().postDataJSON()).toMatchObject({ calendar_id: CAL_GOMEZ.id, start_time: `${wed}T${wallIn(slot.start_time, LIMA).time}` });
    const label = plain(`${formatTime(slot.start_time, LIMA)} – ${formatTime(slot.end_time, LIMA)}`);
    await expect.poll(async () => (await freeSlotButtons(page).allTextContents()).map(plain), { timeout: 20_000 }).not.toContain(label);
  });
});

describe('blocks made from the page', () => {
  it('«Bloquear horario» creates a block in GHL, names the cita under it; «Editar bloqueo» and «Quitar bloqueo» change and remove it there too', async () => {
    const { page } = tab;
    const under = await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Control antes de la reunión', start_time: `${thu}T15:00`, end_time: `${thu}T15:30` });
    await showDay(page, thu);
    await page.getByRole('button', { name: 'Bloquear horario' }).click();
    const form = blockDialog(page);
    await form.waitFor();
    expect(await textOf(form.getByRole('heading', { level: 2 }))).toBe('Bloquear horario');
    await fillBlockForm(page, { calendar: CAL_GOMEZ.name, day: thu, from: '15:00', to: '16:00', title: 'Reunión' });
    expect(await form.getByLabel('Día en que termina', { exact: true }).inputValue()).toBe(thu);
    await tab.shot('block-form');
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/blocks');
    await form.getByRole('button', { name: 'Guardar bloqueo' }).click();
    const answer = await posted;
    expect(answer.status()).toBe(201);
    expect(answer.request().postDataJSON()).toEqual({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Reunión', start_time: `${thu}T15:00`, end_time: `${thu}T16:00` });
    const block = (await answer.json()) as { id: string; overlapping_citas: { id: string }[] };
    expect(block.overlapping_citas.map((c) => c.id)).toEqual([under.id]);
    await form.waitFor({ state: 'hidden' });
    await textBecomes(page.locator('#aviso'), /^Bloqueo «Reunión» creado en Dra\. Gómez para el .*Hay 1 cita en ese horario: revísela\.$/);

    const band = page.locator(`article.block[data-block-id="${block.id}"]`);
    await band.waitFor();
    await attributeBecomes(band, 'data-sync', 'synced');
    expect(await textOf(band)).toContain('Sincronizado con GHL');
    const inGhl = await eventually('the block in GHL', () => ghlAvailability.blocks(DEMO_LOCATION), (bs) => bs.some((b) => b.title === 'Reunión'));
    const ghlBlock = inGhl.find((b) => b.title === 'Reunión')!;
    expect(ghlBlock.calendarId).toBe(CAL_GOMEZ.id);
    expect(Date.parse(ghlBlock.startTime)).toBe(Date.parse(at(thu, '15:00')));

    // The cita already there is flagged: on its card and in «Conflictos».
    const underCard = page.locator(`article.cita[data-cita-id="${under.id}"]`);
    await textBecomes(underCard, 'Dentro de un bloqueo: "Reunión"');
    await textBecomes(page.locator(`#lista-conflictos li[data-cita-id="${under.id}"]`), 'Dentro de un bloqueo: "Reunión"');
    await tab.shot('block-created');

    // Edit: half an hour longer.
    await band.getByRole('button', { name: 'Editar bloqueo' }).click();
    await form.waitFor();
    expect(await textOf(form.getByRole('heading', { level: 2 }))).toBe('Editar bloqueo');
    expect(await form.getByLabel('Desde', { exact: true }).inputValue()).toBe('15:00');
    await fillBlockForm(page, { to: '16:30' });
    const patched = page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `/api/blocks/${block.id}`);
    await form.getByRole('button', { name: 'Guardar bloqueo' }).click();
    expect((await patched).status()).toBe(200);
    expect((await patched).request().postDataJSON()).toEqual({ end_time: `${thu}T16:30` });
    await form.waitFor({ state: 'hidden' });
    await textBecomes(band.locator('.when'), /^3:00 p\. ?m\. – 4:30 p\. ?m\.$/);
    await eventually('the edit in GHL', () => ghlAvailability.blocks(DEMO_LOCATION), (bs) => bs.some((b) => b.title === 'Reunión' && Date.parse(b.endTime) === Date.parse(at(thu, '16:30'))));

    // Remove: asked first, then gone here and in GHL.
    await band.getByRole('button', { name: 'Quitar bloqueo' }).click();
    const question = page.getByRole('dialog', { name: '¿Quitar el bloqueo?' });
    await question.waitFor();
    expect(await focusedId(page)).toBe('volver-quitar-bloqueo');
    await tab.shot('block-remove-question');
    await question.getByRole('button', { name: 'Sí, quitar el bloqueo' }).click();
    await question.waitFor({ state: 'hidden' });
    await expect.poll(() => band.count(), { timeout: 20_000 }).toBe(0);
    await textBecomes(page.locator('#aviso'), 'Bloqueo «Reunión» quitado');
    await eventually('the block removed in GHL', () => ghlAvailability.blocks(DEMO_LOCATION), (bs) => !bs.some((b) => b.title === 'Reunión' && !(b as { deleted?: boolean }).deleted));
    expect(tab.pageErrors).toEqual([]);
  });

  it('the form says in Spanish what is wrong before sending', async () => {
    const { page } = tab;
    await page.getByRole('button', { name: 'Bloquear horario' }).click();
    const form = blockDialog(page);
    await form.waitFor();
    await fillBlockForm(page, { day: thu, from: '16:00', to: '15:00', title: '' });
    await form.getByRole('button', { name: 'Guardar bloqueo' }).click();
    await textBecomes(page.locator('#bloqueo-title-error'), 'Escriba el motivo del bloqueo (por ejemplo, «Almuerzo»).');
    await textBecomes(page.locator('#bloqueo-to-error'), 'El fin del bloqueo debe ser posterior a su inicio.');
    expect(await form.getByLabel('Motivo', { exact: true }).getAttribute('aria-invalid')).toBe('true');
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

  it('bands, free slots, the block form and the question fit without sideways scrolling', async () => {
    const phone = await openAgenda(browser, 'blocks-phone');
    const { page } = phone;
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      await signIn(page);
      await showDay(page, mon);
      await blockBands(page, 'Almuerzo').first().waitFor({ timeout: 20_000 });
      await fits(phone, 'week-bands');
      await page.getByRole('button', { name: 'Día', exact: true }).click();
      await closedHours(page, mon).first().waitFor();
      await expect.poll(() => freeSlotButtons(page).count(), { timeout: 20_000 }).toBeGreaterThan(0);
      await fits(phone, 'day-bands-free-slots');

      await page.getByRole('button', { name: 'Bloquear horario' }).click();
      await blockDialog(page).waitFor();
      await fits(phone, 'block-form');
      await page.keyboard.press('Escape');

      await openNewCita(page);
      await fillCitaForm(page, { title: 'Control de noche en el teléfono', patient: DEMO_PATIENT, calendar: CAL_GOMEZ.name, day: mon, start: '20:00', end: '20:30' });
      await saveCita(page, false);
      await forceDialog(page).waitFor();
      await fits(phone, 'force-question');
      await forceDialog(page).getByRole('button', { name: 'Volver' }).click();
      expect(phone.pageErrors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });
});
