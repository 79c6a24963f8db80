/**
 * Scenario 6 of issue 11: axe-core finds no serious or critical violation in any state of the
 * page (key entry, agenda, the form with errors, the history, the cancel question), and the
 * main path works from the keyboard alone.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../src/ui/browser/clinic-time';
import { cards, chosenPatient, citaDialog, patientBox, patientOptions, showDay, signIn, textBecomes } from './support/agenda';
import { ADMIN_KEY, CAL_GOMEZ, CAL_SALA_2, DEMO_LOCATION, DEMO_PATIENT, createCitaViaApi, ghl, setCalendars } from './support/backends';
import { launchBrowser, openAgenda, shotIfFailed, type AgendaTab } from './support/browser';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const day = addDays(todayIn('America/Lima'), 9);

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's verdict on the page as it is now: its violations, and how many rules it found met. */
async function axeRun(page: Page): Promise<{ violations: Violation[]; passed: number }> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    type Result = { violations: Violation[]; passes: unknown[] };
    const result = await (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<Result> } }).axe.run(document, { resultTypes: ['violations'] });
    return {
      violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })),
      passed: result.passes.length,
    };
  });
}

/** The serious and critical violations fail the test. */
async function expectNoSeriousViolations(page: Page, state: string): Promise<void> {
  const { violations: found, passed } = await axeRun(page);
  // An axe that checked nothing would find nothing: it must have looked.
  expect(passed, `axe checked nothing in: ${state}`).toBeGreaterThan(10);
  const serious = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const described = (vs: Violation[]) => vs.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  // The minor ones are worth seeing, not failing on.
  if (found.length > serious.length) console.log(`axe, ${state}: ${described(found.filter((v) => !serious.includes(v))).join('; ')}`);
  expect(described(serious), `axe, ${state}`).toEqual([]);
}

async function focusedId(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.activeElement?.id);
}

let browser: Browser;
let tab: AgendaTab;

beforeAll(async () => {
  await setCalendars(DEMO_LOCATION, CAL_GOMEZ.id, [CAL_GOMEZ.id, CAL_SALA_2.id]);
  await createCitaViaApi({ location_id: DEMO_LOCATION, calendar_id: CAL_GOMEZ.id, title: 'Control - Luisa Vega', start_time: `${day}T11:00`, end_time: `${day}T11:30` });
  browser = await launchBrowser();
  tab = await openAgenda(browser, 'accessibility', { bypassCSP: true });
});
afterEach(async ({ task }) => {
  await shotIfFailed(tab, task);
});
afterAll(async () => {
  await ghl.clearFaults().catch(() => {});
  await browser?.close();
});

describe('accessibility', () => {
  it('the key entry has no serious violations and works from the keyboard', async () => {
    const { page } = tab;
    // The key field has the focus on arrival.
    expect(await focusedId(page)).toBe('clave');
    await expectNoSeriousViolations(page, 'key entry');
    // The check itself can fail: an input without a label is caught as critical.
    await page.evaluate(() => document.querySelector('main')!.insertAdjacentHTML('beforeend', '<input id="sin-etiqueta" type="text">'));
    const { violations } = await axeRun(page);
    expect(violations.filter((v) => v.id === 'label').map((v) => [v.impact, v.nodes.map((n) => n.target.join(' '))])).toEqual([['critical', ['#sin-etiqueta']]]);
    await page.evaluate(() => document.getElementById('sin-etiqueta')!.remove());
    await page.locator('#clave').focus();
    // Paste (type) the key and press Enter.
    await page.keyboard.type(ADMIN_KEY);
    await page.keyboard.press('Enter');
    await page.locator('#dias section.day').first().waitFor();
  });

  it('the agenda, the form with its errors, the history and the cancel question have no serious violations', async () => {
    const { page } = tab;
    await signInIfNeeded(page);
    await showDay(page, day);
    await cards(page, 'Control - Luisa Vega').waitFor();
    await expectNoSeriousViolations(page, 'agenda (week)');

    await page.getByRole('button', { name: 'Nueva cita' }).click();
    await citaDialog(page).getByRole('button', { name: 'Guardar cita' }).click();
    await textBecomes(citaDialog(page).getByRole('alert'), 'Revise los campos marcados.');
    await expectNoSeriousViolations(page, 'form with errors');
    await tab.shot('form-errors');
    // «Paciente» with its list open (a combobox, its listbox, the active option), then «Nuevo paciente».
    await patientBox(page).fill('ana');
    await patientOptions(page).first().waitFor();
    await patientBox(page).press('ArrowDown');
    await expectNoSeriousViolations(page, 'patient list open');
    await patientOptions(page).filter({ hasText: 'Nuevo paciente' }).click();
    await citaDialog(page).getByRole('group', { name: 'Nuevo paciente' }).waitFor();
    await expectNoSeriousViolations(page, 'new patient form');
    // Escape closes «Nuevo paciente» (back on «Paciente»), then the dialog.
    await page.keyboard.press('Escape');
    expect(await focusedId(page)).toBe('cita-patient');
    await page.keyboard.press('Escape');
    await citaDialog(page).waitFor({ state: 'hidden' });

    const card = cards(page, 'Control - Luisa Vega');
    await card.getByRole('button', { name: 'Historial' }).click();
    await page.getByRole('dialog', { name: /Historial/ }).waitFor();
    await expectNoSeriousViolations(page, 'history');
    await page.keyboard.press('Escape');

    await card.getByRole('button', { name: 'Cancelar' }).click();
    const question = page.getByRole('dialog', { name: '¿Cancelar la cita?' });
    await question.waitFor();
    // The safe answer has the focus.
    expect(await focusedId(page)).toBe('volver-cancelar');
    await expectNoSeriousViolations(page, 'cancel question');
    await tab.shot('cancel-question');
    await page.keyboard.press('Enter');
    await question.waitFor({ state: 'hidden' });
    expect(await card.getAttribute('data-status')).toBe('new');
  });

  it('a cita can be created and cancelled from the keyboard alone', async () => {
    const { page } = tab;
    await signInIfNeeded(page);
    await showDay(page, day, 'Día');
    await page.getByRole('button', { name: 'Nueva cita' }).focus();
    await page.keyboard.press('Enter');
    await citaDialog(page).waitFor();
    // The dialog opens on its first field; Escape closes it and gives the focus back.
    expect(await focusedId(page)).toBe('cita-title');
    await page.keyboard.press('Escape');
    await citaDialog(page).waitFor({ state: 'hidden' });
    expect(await focusedId(page)).toBe('nueva-cita');

    await page.keyboard.press('Enter');
    await page.keyboard.type('Revisión con teclado');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('cita-patient');
    // «Paciente»: type part of the name, ArrowDown onto the first match, Enter picks it.
    await page.keyboard.type('ana pérez');
    await patientOptions(page).filter({ hasText: DEMO_PATIENT }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await textBecomes(chosenPatient(page), `Paciente elegido: ${DEMO_PATIENT}`);
    // The date is the day shown, 09:00–09:30 by default: Enter sends the form.
    await page.keyboard.press('Enter');
    const card = cards(page, 'Revisión con teclado');
    await card.waitFor();

    await card.getByRole('button', { name: 'Cancelar' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: '¿Cancelar la cita?' }).waitFor();
    await page.keyboard.press('Shift+Tab');
    expect(await focusedId(page)).toBe('confirmar-cancelar');
    await page.keyboard.press('Enter');
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 20_000 }).toBe('cancelled');
    expect(tab.pageErrors).toEqual([]);
  });
});

async function signInIfNeeded(page: Page): Promise<void> {
  if (await page.locator('#entrada').isVisible()) await signIn(page);
}
