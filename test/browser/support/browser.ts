/**
 * Debian's Chromium driven by playwright-core. Every page opens in a browser whose zone is
 * Asia/Tokyo (14 hours from the clinics), so any time drawn in the browser's zone instead of the
 * clinic's shows up as a wrong time; the language is es-PE, as at the front desk.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { ARTIFACTS } from './server';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BROWSER_ZONE = 'Asia/Tokyo';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--lang=es-PE'] });
}

export interface AgendaTab {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page: a test ends by expecting none. */
  pageErrors: string[];
  /** Saves artifacts/screenshots/<prefix>-<nn>-<name>.png. */
  shot(name: string): Promise<string>;
}

export interface OpenOptions {
  /** Only to inject axe-core (an inline script the page's CSP rightly refuses). */
  bypassCSP?: boolean;
  /** The browser's clock, fixed (timers still run): "today" at a chosen moment. */
  now?: Date;
}

export async function openAgenda(browser: Browser, prefix: string, options: OpenOptions = {}): Promise<AgendaTab> {
  const context = await browser.newContext({
    timezoneId: BROWSER_ZONE,
    locale: 'es-PE',
    viewport: { width: 1440, height: 1000 },
    ...(options.bypassCSP ? { bypassCSP: true } : {}),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  if (options.now) await page.clock.setFixedTime(options.now);
  await page.goto(inject('baseUrl'));
  const dir = join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return {
    context,
    page,
    pageErrors,
    async shot(name) {
      const path = join(dir, `${prefix}-${String(++n).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
  };
}

/** A failed test leaves a picture of the page as it was: artifacts/screenshots/<prefix>-nn-FALLO-<test>.png. */
export async function shotIfFailed(tab: AgendaTab | undefined, task: { name: string; result?: { state?: string } }): Promise<void> {
  if (!tab || task.result?.state !== 'fail') return;
  await tab.shot(`FALLO-${task.name.slice(0, 48).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
}
