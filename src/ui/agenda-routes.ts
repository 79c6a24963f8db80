/**
 * The front desk's agenda page, served by the citas function itself (the same Worker, the same
 * `npm start`): GET / is the page's shell, GET /ui/agenda.js its script, from the generated
 * module (a Worker has no files). Neither needs a key; everything the page shows comes from /api.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';
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

let rendered: Promise<{ html: string; headers: Record<string, string> }> | undefined;
function renderedPage() {
  // The shell never changes within a deployment: render it once per isolate / process.
  rendered ??= Promise.all([Promise.resolve(agendaPage(`${AGENDA_SCRIPT_PATH}?v=${AGENDA_SCRIPT_HASH}`)).then(String), pageHeaders()]).then(([html, headers]) => ({ html, headers }));
  return rendered;
}

export function withAgendaPage<A extends Hono<AppEnv, any, any>>(app: A): A {
  app.get('/', async (c) => {
    const page = await renderedPage();
    return c.html(page.html, 200, page.headers);
  });
  app.get(AGENDA_SCRIPT_PATH, (c) => {
    const etag = `"${AGENDA_SCRIPT_HASH}"`;
    // The page asks for ?v=<hash>: a new script is a new URL, so this one can be kept for good.
    const headers = { ETag: etag, 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(AGENDA_SCRIPT, 200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' });
  });
  return app;
}
