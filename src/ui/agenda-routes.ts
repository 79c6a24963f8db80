/**
 * The front desk's agenda page: GET / is the page's shell, GET /ui/agenda.js its script (from the
 * generated module). Neither needs a key; everything the page shows comes from /api.
 *
 * Two ways to serve the same bytes and headers: the all-in-one app and `npm start` answer them
 * from these routes; the citas Worker ships them as Workers static assets (written by
 * scripts/assets.ts from `agendaFiles()`), so the function's bundle carries only its API and the
 * edge serves the page without running it.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';
import type { StaticFile } from '../http/static-file';
import { AGENDA_SCRIPT, AGENDA_SCRIPT_HASH } from './generated/agenda-script';
import { agendaPage } from './page';
import { AGENDA_CSS } from './styles';

export const AGENDA_SCRIPT_PATH = '/ui/agenda.js';
/** What the page adds to a function besides its API (so not in its OpenAPI contract). */
export const AGENDA_PAGE_PATHS = ['/', AGENDA_SCRIPT_PATH] as const;

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/**
 * The page runs only our script and our one <style> (by its hash), talks only to this origin, and
 * cannot be framed: the API key in its session storage is worth protecting.
 */
async function pageHeaders(): Promise<Record<string, string>> {
  const style = await sha256Base64(AGENDA_CSS);
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'self'",
      `style-src 'sha256-${style}'`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'Cache-Control': 'no-cache',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  };
}

let files: Promise<[StaticFile, StaticFile]> | undefined;

/** The page and its script, with the headers each is served with. */
export function agendaFiles(): Promise<[StaticFile, StaticFile]> {
  // Neither changes within a deployment: render once per isolate / process.
  files ??= pageHeaders().then((headers) => [
    { path: '/', type: 'text/html; charset=utf-8', body: String(agendaPage(`${AGENDA_SCRIPT_PATH}?v=${AGENDA_SCRIPT_HASH}`)), headers },
    {
      path: AGENDA_SCRIPT_PATH,
      type: 'text/javascript; charset=utf-8',
      body: AGENDA_SCRIPT,
      // The page asks for ?v=<hash>: a new script is a new URL, so this one can be kept for good.
      headers: { 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' },
    },
  ]);
  return files;
}

export function withAgendaPage<A extends Hono<AppEnv, any, any>>(app: A): A {
  app.get('/', async (c) => {
    const [page] = await agendaFiles();
    return c.body(page.body, 200, { ...page.headers, 'Content-Type': page.type });
  });
  app.get(AGENDA_SCRIPT_PATH, async (c) => {
    const [, script] = await agendaFiles();
    const headers = { ...script.headers, ETag: `"${AGENDA_SCRIPT_HASH}"` };
    if (c.req.header('if-none-match') === headers.ETag) return c.body(null, 304, headers);
    return c.body(script.body, 200, { ...headers, 'Content-Type': script.type });
  });
  return app;
}
