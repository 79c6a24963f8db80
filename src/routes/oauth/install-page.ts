import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { sha256 } from '../../lib/hex';

/**
 * The OAuth callback is opened by a person: GHL sends the browser of whoever just installed the
 * app there, and a browser asks for `text/html`. It gets the answer (same status and headers) as a
 * short page in Spanish: installed, or what failed and what to do next. A program asking for JSON
 * (`Accept: application/json`), or for nothing in particular, keeps the JSON answer.
 */

const JSON_ACCEPT = /application\/([\w.-]+\+)?json/i;
const HTML_ACCEPT = /text\/html/i;

function wantsPage(accept: string | undefined): boolean {
  return accept !== undefined && HTML_ACCEPT.test(accept) && !JSON_ACCEPT.test(accept);
}

const CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f6f8;color:#1b1f24}
main{max-width:34rem;margin:1rem;padding:1.5rem 2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0003}
h1{font-size:1.35rem;margin:0 0 .75rem}.ok{color:#1a7f37}.fail{color:#b42318}small{color:#57606a}`;

const HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${btoa(String.fromCharCode(...sha256(CSS)))}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  // The URL carries the install code: never in a Referer, never in a cache.
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

interface Words {
  title: string;
  what: string;
  next: string;
}

const REINSTALL = 'Vuelva a instalar la aplicación desde el Marketplace de GHL (HighLevel).';
const THEN_REINSTALL = 'luego vuelva a instalar la aplicación desde el Marketplace de GHL (HighLevel).';
const SUPPORT = 'Si se repite, avise al equipo técnico con el código de referencia de abajo.';

/** What a person reads for each answer, by status and problem code. */
function wordsFor(status: number, code: string | undefined, body: Record<string, unknown>, retryAfter: string | null): Words {
  if (status === 200) {
    const name = (body.ghl_location as { name?: unknown } | undefined)?.name;
    return {
      title: 'Aplicación instalada',
      what: typeof name === 'string' && name ? `La clínica «${name}» quedó conectada con citas-sync.` : 'La clínica quedó conectada con citas-sync.',
      next: 'Ya puede cerrar esta ventana: las citas se sincronizan solas con GHL.',
    };
  }
  if (status === 429) {
    return {
      title: 'Demasiados intentos',
      what: 'Se intentó instalar muchas veces seguidas desde esta conexión.',
      next: `Espere ${retryAfter ?? '60'} segundos; ${THEN_REINSTALL}`,
    };
  }
  switch (code) {
    case 'validation_failed':
      return { title: 'Falta el código de instalación', what: 'Este enlace no trae el código que GHL entrega al instalar la aplicación.', next: `${REINSTALL} No abra esta dirección a mano.` };
    case 'ghl_reauth_required':
    case 'ghl_not_connected':
      return { title: 'El enlace de instalación ya no vale', what: 'El código que GHL entregó ya se usó o venció: sirve una sola vez y por pocos minutos.', next: REINSTALL };
    case 'ghl_rejected':
      return { title: 'GHL no aceptó la instalación', what: 'La aplicación se instala en una subcuenta (la de la clínica), no en la agencia.', next: `${REINSTALL} Elija la subcuenta de la clínica.` };
    case 'config_invalid':
      return { title: 'La instalación no está habilitada', what: 'Este servicio todavía no tiene configurada la aplicación de GHL.', next: 'Avise al equipo técnico; la clínica no tiene que hacer nada más por ahora.' };
  }
  if (status === 503) {
    return { title: 'No pudimos completar la instalación ahora', what: 'GHL o nuestro servicio no respondió a tiempo.', next: `Espere unos minutos; ${THEN_REINSTALL} ${SUPPORT}` };
  }
  if (status >= 500) return { title: 'Algo falló de nuestro lado', what: 'La instalación no se completó.', next: `Vuelva a intentarlo en unos minutos. ${SUPPORT}` };
  return { title: 'No se pudo completar la instalación', what: 'GHL no confirmó la instalación.', next: `${REINSTALL} ${SUPPORT}` };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function page(status: number, words: Words, requestId: string | undefined): string {
  return `<!doctype html>
<html lang="es-PE"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(words.title)} — citas-sync</title><style>${CSS}</style></head>
<body><main><h1 class="${status === 200 ? 'ok' : 'fail'}">${esc(words.title)}</h1>
<p>${esc(words.what)}</p><p>${esc(words.next)}</p>
${requestId ? `<p><small>Código de referencia: ${esc(requestId)}</small></p>` : ''}</main></body></html>`;
}

/**
 * Turns the callback's answer, once made (the install, any problem, the 429 of its rate limit),
 * into the page for a browser. Status and every other header stay.
 */
export const pageForPeople: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (!wantsPage(c.req.header('accept'))) return;
  const res = c.res;
  const body = ((await res.clone().json().catch(() => null)) ?? {}) as Record<string, unknown>;
  const words = wordsFor(res.status, typeof body.code === 'string' ? body.code : undefined, body, res.headers.get('retry-after'));
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  for (const [name, value] of Object.entries(HEADERS)) headers.set(name, value);
  // Reset first: assigning over an answer would carry its Content-Type into the new one.
  c.res = undefined;
  c.res = new Response(page(res.status, words, c.get('requestId')), { status: res.status, headers });
};
