/**
 * `npm run demo:video`: records the round trip the sprint delivers, as a person sees it, from the
 * real agenda page in Debian's Chromium (playwright-core) beside GHL's side (the sandbox's
 * read-only calendar page), with Spanish captions:
 *
 *   key → choose the GHL calendar → create a cita, typed → synced → in GHL on that calendar →
 *   moved in GHL → the agenda shows it without a reload → cancelled in GHL → shown cancelled →
 *   its audit trail.
 *
 * It starts its own `npm start` in a fresh data folder on free ports, checks every step happened
 * (the service's API and the sandbox are asked, not only the page) and exits 1 if one did not.
 * Writes artifacts/video/citas-sync-round-trip.webm (raw) and .mp4 (small); `--publish` also
 * copies the small one to docs/video/, which the README links. Needs /usr/bin/chromium and
 * Debian's ffmpeg (scripts/ci/video.sh installs both when missing).
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { composeSideBySide, durationSeconds, recordingStart } from './video/compose';
import { usePlaywrightWithSystemFfmpeg } from './video/playwright-ffmpeg';

const { values: args } = parseArgs({ options: { publish: { type: 'boolean', default: false } } });

usePlaywrightWithSystemFfmpeg();
const { chromium } = await import('playwright-core');
const { showCaption, raiseCaption, highlight, readingSeconds, CAPTION_HEIGHT } = await import('./video/captions');
const { ARTIFACTS, ROOT, startService } = await import('../test/browser/support/server');
const { addDays, todayIn } = await import('../src/ui/browser/clinic-time');
const { fullClient } = await import('../src/client');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEY = 'dev-local-key';
const LOCATION = 'demo-location';
const ZONE = 'America/Lima';
const CHOSEN = { id: 'demo-cal-sala-2', name: 'Sala 2' };
/** Agenda pane and GHL pane, same height (they are stacked side by side). */
const AGENDA = { width: 1000, height: 880 };
const GHL = { width: 520, height: 880 };
const OUT_DIR = join(ARTIFACTS, 'video');
const NAME = 'citas-sync-round-trip';
const PUBLISHED = join(ROOT, 'docs', 'video', `${NAME}.mp4`);

if (!existsSync(CHROMIUM)) {
  console.error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (scripts/ci/video.sh does it), or set CHROMIUM_PATH`);
  process.exit(1);
}

const t0 = Date.now();
const log = (line: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const plain = (s: string | null) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

/** Asks until `ok` holds (every 200 ms, up to `ms`): what must be seen before the video goes on. */
async function until<T>(what: string, ask: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await ask();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not seen within ${ms / 1000} s: ${what} (last: ${JSON.stringify(v)})`);
    await sleep(200);
  }
}

// A calm morning three days ahead, in the clinic's zone.
const day = addDays(todayIn(ZONE), 3);
const dayWords = new Intl.DateTimeFormat('es-PE', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' }).format(Date.parse(`${day}T12:00:00Z`)).replace(',', '');

mkdirSync(OUT_DIR, { recursive: true });
const rawDir = join(OUT_DIR, 'recordings');
for (const stale of [rawDir, join(OUT_DIR, 'FALLO-agenda.png'), join(OUT_DIR, 'FALLO-ghl.png')]) rmSync(stale, { recursive: true, force: true });

log('starting npm start (fresh data folder, free ports)');
// startService leaves the service's log in artifacts/browser-server.log: keep the browser tests' own.
const browserLog = join(ARTIFACTS, 'browser-server.log');
const keptBrowserLog = existsSync(browserLog) ? `${browserLog}.kept` : null;
if (keptBrowserLog) renameSync(browserLog, keptBrowserLog);
const service = await startService();
const api = fullClient(service.url, { apiKey: KEY });
const sandbox = async (path: string, body?: unknown) => {
  const res = await fetch(`${service.sandboxUrl}/_sandbox${path}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${await res.text()}`);
  return res.json() as Promise<any>;
};

// Chromium on Linux takes its UI language (how date and time fields read) from LANGUAGE, and
// Debian's has Spanish only with chromium-l10n: without it a Peruvian viewer would read 12/09 as September.
if (!existsSync('/usr/lib/chromium/locales/es-419.pak')) log('warning: no chromium-l10n, date fields will read mm/dd/yyyy (apt-get install -y chromium-l10n)');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--lang=es-PE'], env: { ...process.env, LANGUAGE: 'es-PE' } });
let failed: unknown = null;
let stretch: { from: number; to: number } | null = null;
let agendaVideo: string | undefined;
let ghlVideo: string | undefined;
const contextFor = (size: { width: number; height: number }) =>
  browser.newContext({ viewport: size, locale: 'es-PE', timezoneId: ZONE, recordVideo: { dir: rawDir, size } });
const agendaCtx = await contextFor(AGENDA);
const ghlCtx = await contextFor(GHL);
const agenda = await agendaCtx.newPage();
const ghl = await ghlCtx.newPage();
agenda.setDefaultTimeout(15_000);
const pageErrors: string[] = [];
agenda.on('pageerror', (e) => pageErrors.push(e.message));

let stepNo = 0;
/** The numbered steps (the opening and closing captions are not). */
const STEPS = 11;
/** One step: its caption goes up, `act` runs, then the caption stays until it has been readable long enough. */
async function step(caption: string, act: () => Promise<void> = async () => {}, extraSeconds = 0, numbered = true): Promise<void> {
  if (numbered) stepNo++;
  log(`${numbered ? `${stepNo}.` : '--'} ${caption}`);
  const shown = Date.now();
  await showCaption(agenda, caption, numbered ? { label: `PASO ${stepNo} DE ${STEPS}` } : { label: 'CITAS-SYNC · RV3 ⇄ GHL' });
  await act();
  const hold = (readingSeconds(caption) + extraSeconds) * 1000 - (Date.now() - shown);
  if (hold > 0) await sleep(hold);
}
/** The GHL pane's own short bar: what is happening on GHL's side. */
const ghlSays = (text: string) => showCaption(ghl, text, { label: 'GHL (SANDBOX)', quiet: true });
const ghlView = `${service.sandboxUrl}/_sandbox/view/calendar?locationId=${LOCATION}&date=${day}`;

try {
  await agenda.goto(service.url);
  await ghl.goto(ghlView);
  await ghlSays('El calendario de la clínica en GHL, visto desde fuera: solo lectura.');
  await agenda.getByLabel('Clave de API', { exact: true }).waitFor();
  stretch = { from: Date.now(), to: 0 };

  await step('Ida y vuelta de una cita entre la agenda de la clínica (RV3, a la izquierda) y GHL (a la derecha: el sandbox local que hace de GHL).', undefined, 2, false);

  await step('La recepcionista pega su clave de API y entra a la agenda de «Clínica Demo», siempre en hora de Lima.', async () => {
    await agenda.getByLabel('Clave de API', { exact: true }).pressSequentially(KEY, { delay: 90 });
    await agenda.getByRole('button', { name: 'Entrar' }).click();
    await agenda.locator('#dias section.day').first().waitFor();
    // Anything a reload would forget: checked at the end.
    await agenda.evaluate(() => ((window as unknown as { sinRecargar: boolean }).sinRecargar = true));
  });

  await step(`Elige a qué calendario de GHL van las citas nuevas: «${CHOSEN.name}» en vez de «Dra. Gómez», y guarda.`, async () => {
    const radio = agenda.getByRole('radio', { name: `Predeterminado ${CHOSEN.name}` });
    await highlight(agenda.locator('table').filter({ has: radio }));
    await sleep(1500);
    await radio.check();
    await sleep(800);
    await agenda.getByRole('button', { name: 'Guardar calendarios' }).click();
    await until('the calendar saved', async () => plain(await agenda.getByRole('status').first().textContent()), (t) => t.includes(`«${CHOSEN.name}»`));
    const settings = await (await api.api.locations[':locationId'].settings.$get({ param: { locationId: LOCATION } })).json();
    if (!('default_calendar_id' in settings) || settings.default_calendar_id !== CHOSEN.id) throw new Error(`the default calendar is ${JSON.stringify(settings)}`);
  });

  await step(`Pasa a la vista de un día y avanza hasta el ${dayWords}.`, async () => {
    await agenda.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
    await agenda.getByRole('button', { name: 'Día', exact: true }).click();
    await agenda.getByRole('button', { name: 'Hoy', exact: true }).click();
    for (let i = 0; i < 3; i++) {
      await sleep(700);
      await agenda.getByRole('button', { name: 'Siguiente' }).click();
    }
    // Today could change while the video is made: the day is reached either way.
    if ((await agenda.locator(`#dias section.day[data-day="${day}"]`).count()) === 0) await agenda.getByLabel('Ir a la fecha').fill(day);
    await agenda.locator(`#dias section.day[data-day="${day}"]`).waitFor();
  });

  const title = 'Control - Ana Pérez';
  let citaId = '';
  await step('Crea la cita escribiendo como cualquiera: motivo, paciente (lo encuentra escribiendo parte de su nombre), 9:30 a. m., 30 minutos. El calendario ya viene en «Sala 2».', async () => {
    await agenda.getByRole('button', { name: 'Nueva cita' }).click();
    const form = agenda.locator('#dialogo-cita');
    await form.waitFor();
    await raiseCaption(agenda);
    await form.getByLabel('Motivo').pressSequentially(title, { delay: 70 });
    // «Paciente»: part of the name, then the match picked from the list with the keyboard.
    const patient = form.getByRole('combobox', { name: 'Paciente', exact: true });
    await patient.pressSequentially('ana pérez', { delay: 70 });
    await form.getByRole('option', { name: /^Ana Pérez Quispe/ }).waitFor();
    await sleep(700);
    await patient.press('ArrowDown');
    await sleep(500);
    await patient.press('Enter');
    const calendar = await form.getByLabel('Calendario', { exact: true }).inputValue();
    if (calendar !== CHOSEN.id) throw new Error(`the form starts on calendar ${calendar}, not ${CHOSEN.id}`);
    await form.getByLabel('Fecha', { exact: true }).fill(day);
    await form.getByLabel('Inicio', { exact: true }).fill('09:30');
    await sleep(400);
    await form.getByRole('button', { name: 'Duración 30 min', exact: true }).click();
    await sleep(1200);
    // Above the caption bar, where it can be seen being pressed.
    await form.getByRole('button', { name: 'Guardar cita' }).evaluate((el) => el.scrollIntoView({ block: 'center', behavior: 'instant' }));
    await sleep(600);
    const created = agenda.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/citas');
    await form.getByRole('button', { name: 'Guardar cita' }).click();
    const res = await created;
    if (res.status() !== 201) throw new Error(`creating the cita answered ${res.status()}: ${await res.text()}`);
    citaId = ((await res.json()) as { id: string }).id;
    await form.waitFor({ state: 'hidden' });
  }, -4);

  const card = agenda.locator(`article.cita[data-cita-id="${citaId}"]`);
  let ghlId = '';
  await step('Queda guardada en RV3 y se envía a GHL al instante: la tarjeta dice «Sincronizada con GHL».', async () => {
    await card.waitFor();
    await highlight(card);
    await until('the card synced', () => card.getAttribute('data-sync'), (s) => s === 'synced');
    const c = await (await api.api.citas[':id'].$get({ param: { id: citaId } })).json();
    if (!('ghl_appointment_id' in c) || !c.ghl_appointment_id) throw new Error('the cita has no GHL appointment');
    ghlId = c.ghl_appointment_id;
  }, 2);

  await step(`En GHL (a la derecha) ya está: la misma cita, en el calendario elegido «${CHOSEN.name}», el ${dayWords} a las 9:30 a. m.`, async () => {
    const inGhl = (await sandbox(`/appointments?locationId=${LOCATION}`)).appointments.find((a: { id: string }) => a.id === ghlId);
    if (inGhl?.calendarId !== CHOSEN.id) throw new Error(`GHL has it on ${inGhl?.calendarId}`);
    await ghl.reload();
    await ghlSays(`La cita llegó desde RV3 al calendario «${CHOSEN.name}».`);
    await highlight(ghl.locator(`li[data-appointment-id="${ghlId}"]`));
  }, 3);

  await step('Ahora alguien del equipo la mueve en GHL a las 3:00 p. m. GHL avisa a RV3 con un webhook firmado.', async () => {
    await sleep(1500);
    await sandbox('/actions/move', { id: ghlId, startTime: `${day}T15:00:00-05:00` });
    await ghl.reload();
    await ghlSays('En GHL: la cita se movió a las 3:00 p. m. → webhook a RV3.');
    await highlight(ghl.locator(`li[data-appointment-id="${ghlId}"]`));
  }, 1);

  await step('La agenda de la izquierda se pone al día sola, sin recargar la página: la cita ahora es de 3:00 a 3:30 p. m.', async () => {
    await until('the move on the page', async () => plain(await card.locator('.when').textContent()), (t) => /^3:00 p\. ?m\. – 3:30 p\. ?m\.$/.test(t));
    await highlight(card);
  }, 3);

  await step('Luego la cancelan en GHL. Otra vez, GHL avisa a RV3 con su webhook.', async () => {
    await sleep(1500);
    await sandbox('/actions/cancel', { id: ghlId });
    await ghl.reload();
    await ghlSays('En GHL: la cita quedó cancelada → webhook a RV3.');
    await highlight(ghl.locator(`li[data-appointment-id="${ghlId}"]`));
  }, 1);

  await step('La agenda la muestra «Cancelada», también sin recargar. No se borra: la cita queda, con su historial.', async () => {
    await until('the cancel on the page', () => card.getAttribute('data-status'), (s) => s === 'cancelled');
    await highlight(card);
  }, 2);

  await step('El historial de la cita dice quién cambió qué: creada en RV3 (recepción), movida y cancelada en GHL.', async () => {
    await sleep(1000);
    await card.getByRole('button', { name: 'Historial' }).click();
    const trail = agenda.getByRole('dialog', { name: `Historial de «${title}»` });
    await trail.waitFor();
    await raiseCaption(agenda);
    const rows = (await trail.locator('tbody tr').allTextContents()).map(plain);
    if (rows.length !== 3 || !/Creada/.test(rows[0]!) || !/Modificada en GHL/.test(rows[1]!) || !/Cancelada/.test(rows[2]!)) {
      throw new Error(`the audit trail reads ${JSON.stringify(rows)}`);
    }
  }, 3);

  await step('Ida y vuelta completa: creada en RV3 → en GHL en su calendario → movida y cancelada en GHL → de vuelta en RV3, sin recargar.', async () => {
    await agenda.getByRole('dialog').getByRole('button', { name: 'Cerrar' }).click();
    await highlight(card);
    await ghlSays(`GHL y RV3 dicen lo mismo: cancelada, 3:00 p. m., en «${CHOSEN.name}».`);
    const inGhl = (await sandbox(`/appointments?locationId=${LOCATION}`)).appointments.find((a: { id: string }) => a.id === ghlId);
    if (inGhl?.appointmentStatus !== 'cancelled' || !String(inGhl.startTime).startsWith(`${day}T15:00:00`)) throw new Error(`GHL holds ${JSON.stringify(inGhl)}`);
    const c = await (await api.api.citas[':id'].$get({ param: { id: citaId } })).json();
    if (!('status' in c) || c.status !== 'cancelled') throw new Error(`the cita is ${JSON.stringify(c)}`);
    if (!(await agenda.evaluate(() => (window as unknown as { sinRecargar?: boolean }).sinRecargar))) throw new Error('the agenda page was reloaded');
    if (pageErrors.length) throw new Error(`the page threw: ${pageErrors.join('; ')}`);
  }, 3, false);
  stretch.to = Date.now();
} catch (err) {
  failed = err;
  await agenda.screenshot({ path: join(OUT_DIR, 'FALLO-agenda.png') }).catch(() => {});
  await ghl.screenshot({ path: join(OUT_DIR, 'FALLO-ghl.png') }).catch(() => {});
} finally {
  await agendaCtx.close();
  await ghlCtx.close();
  // playwright names them after its page ids: name them after what they show.
  for (const [page, name] of [[agenda, 'agenda'], [ghl, 'ghl']] as const) {
    const path = await page.video()?.path();
    if (path && existsSync(path)) renameSync(path, join(rawDir, `${name}.webm`));
  }
  [agendaVideo, ghlVideo] = [join(rawDir, 'agenda.webm'), join(rawDir, 'ghl.webm')].map((f) => (existsSync(f) ? f : undefined));
  await browser.close();
  await service.stop();
  renameSync(browserLog, join(OUT_DIR, 'server.log'));
  if (keptBrowserLog) renameSync(keptBrowserLog, browserLog);
}

if (failed || !stretch || !agendaVideo || !ghlVideo) {
  console.error(`\n✗ step ${stepNo} not observed: ${failed instanceof Error ? failed.message : String(failed)}`);
  console.error(`  the pages as they were: ${OUT_DIR}/FALLO-*.png; the service's log: ${OUT_DIR}/server.log`);
  process.exit(1);
}

const out = { raw: join(OUT_DIR, `${NAME}.webm`), compressed: join(OUT_DIR, `${NAME}.mp4`) };
log(`composing ${((stretch.to - stretch.from) / 1000).toFixed(1)} s side by side (${AGENDA.width + GHL.width}×${AGENDA.height}, caption bar ${CAPTION_HEIGHT} px)`);
composeSideBySide({ file: agendaVideo, startedAtMs: recordingStart(agendaVideo) }, { file: ghlVideo, startedAtMs: recordingStart(ghlVideo) }, stretch.from, stretch.to, out);
for (const file of [out.raw, out.compressed]) {
  log(`${file.slice(ROOT.length + 1)}: ${durationSeconds(file).toFixed(1)} s, ${(statSync(file).size / 1024 / 1024).toFixed(2)} MB`);
}
if (args.publish) {
  mkdirSync(join(ROOT, 'docs', 'video'), { recursive: true });
  copyFileSync(out.compressed, PUBLISHED);
  log(`published ${PUBLISHED.slice(ROOT.length + 1)}`);
}
log('✓ round trip recorded');
