/**
 * Everything the service can say goes to the front desk in Spanish (issue 21): every problem
 * `code`, every field message (zod's and the service's own) and every sync error. The lists are
 * collected from the service's code, the OpenAPI documents and zod itself, never typed by hand
 * here: a code or message added to the service without Spanish words fails this test.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { loadConfig } from '../../src/config/config';
import { goneReason } from '../../src/sync/gone-from-ghl';
import { ApiProblem, fieldLabel, fieldLine, fieldMessage, fieldWording, PROBLEM_WORDING, problemMessage } from '../../src/ui/browser/problems';
import { nextTryOf, PUSH_ATTEMPTS, syncErrorWording, syncNote } from '../../src/ui/browser/sync-notes';

const ROOT = join(import.meta.dirname, '../..');

/** Words of the service's English that no Spanish sentence here contains. */
const ENGLISH = /\b(the|must|expected|received|invalid|is|are|of|or|and|with|send|field|least|most|between|characters|cannot|does|should|unknown|required|needs|nested|key|request|body|failed|error:|Service Unavailable)\b/i;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}
/** The service's code: not the page itself, not the settings a person at the desk never sees (ConfigError, a 500). */
const SERVICE = sources('src').filter((p) => !p.startsWith('src/ui/') && !p.startsWith('src/config/'));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// ── Problem codes ─────────────────────────────────────────────────────────────────────────────

/** `new AppError(status, 'code'…` anywhere, Hono's early answers in render-error.ts, and the contract's declared codes. */
function emittedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const path of SERVICE) {
    const text = read(path);
    for (const m of text.matchAll(/new AppError\(\s*[^,()]+(?:\([^)]*\))?,\s*'([a-z0-9_]+)'/g)) found.set(m[1]!, path);
    if (path === 'src/http/render-error.ts') for (const m of text.matchAll(/\[\s*'([a-z0-9_]+)',/g)) found.set(m[1]!, path);
  }
  const walk = (node: unknown, file: string): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, file));
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const code = (o.properties as Record<string, { enum?: unknown[]; example?: unknown }> | undefined)?.code;
    for (const c of [...(code?.enum ?? []), code?.example]) if (typeof c === 'string') found.set(c, file);
    // A problem in an example answer.
    if (typeof o.code === 'string' && typeof o.status === 'number' && /^[a-z0-9_]+$/.test(o.code)) found.set(o.code, file);
    for (const v of Object.values(o)) walk(v, file);
  };
  for (const name of readdirSync(join(ROOT, 'src/contract')).filter((n) => n.endsWith('.json'))) walk(JSON.parse(read(`src/contract/${name}`)), `src/contract/${name}`);
  return found;
}

describe('every problem code the service can answer has a Spanish sentence', () => {
  const codes = emittedCodes();

  it('the codes are found in the service (the scan itself works)', () => {
    for (const known of ['validation_failed', 'not_found', 'slot_taken', 'version_mismatch', 'unauthorized', 'forbidden', 'rate_limited', 'payload_too_large', 'invalid_json', 'unsupported_media_type', 'ghl_unavailable', 'ghl_rejected', 'database_unavailable', 'internal']) {
      expect([...codes.keys()], known).toContain(known);
    }
    expect(codes.size).toBeGreaterThan(25);
  });

  it.each([...emittedCodes()].map(([code, where]) => ({ code, where })))('$code ($where)', ({ code }) => {
    expect(Object.hasOwn(PROBLEM_WORDING, code), `src/ui/browser/problems.ts PROBLEM_WORDING has no words for ${code}`).toBe(true);
    const detail = 'The English detail meant for developers.';
    const said = problemMessage(new ApiProblem(422, code, detail, [], null, { request_id: 'req-7' }), 'cita');
    expect(said).not.toContain(detail);
    expect(said).not.toMatch(ENGLISH);
    expect(said).toMatch(/[a-záéíóúñ]{3,}.*\.$/);
  });

  it('a code the page does not know yet, or no problem body at all, still says no English', () => {
    const detail = 'Something new went wrong.';
    for (const status of [400, 404, 409, 418, 422, 500, 502, 503]) {
      const said = problemMessage(new ApiProblem(status, 'brand_new_code', detail, [], null, { request_id: 'req-8' }));
      expect(said).not.toContain(detail);
      expect(said).not.toMatch(ENGLISH);
    }
    expect(problemMessage(new ApiProblem(418, 'http_418', ''))).toBe('No se pudo completar la acción (error 418). Recargue la página y vuelva a intentar; si se repite, avise a soporte.');
  });

  it('GHL’s own words in a 422 ghl_rejected stay out; a slot GHL no longer has is said plainly', () => {
    const gone = new ApiProblem(422, 'ghl_rejected', 'The slot you have selected is no longer available.');
    expect(problemMessage(gone)).toBe('GHL indica que ese horario ya no está libre en su calendario. Elija otra hora.');
    expect(problemMessage(new ApiProblem(422, 'ghl_rejected', 'calendarId must be a string'))).toBe('GHL rechazó la cita. Revise el calendario, el contacto y el horario, y vuelva a guardar.');
  });
});

// ── Field messages ────────────────────────────────────────────────────────────────────────────

/** The issue codes and string formats zod declares (its .d.ts), so a new one shows up here. */
function zodVocabulary(): { codes: string[]; formats: string[] } {
  const errors = readFileSync(join(ROOT, 'node_modules/zod/v4/core/errors.d.ts'), 'utf8');
  const checks = readFileSync(join(ROOT, 'node_modules/zod/v4/core/checks.d.ts'), 'utf8');
  const codes = [...new Set([...errors.matchAll(/readonly code: "([a-z_]+)"/g)].map((m) => m[1]!))];
  const formats = [...(/type \$ZodStringFormats = ([^;]+);/.exec(checks)?.[1] ?? '').matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1]!);
  return { codes, formats };
}

/** Issues of each code, in the shapes zod raises them; `custom` carries our own messages (scanned below). */
function zodSamples(formats: string[]): Record<string, Record<string, unknown>[]> {
  const size = (code: string, origin: string, limit: number, more: Record<string, unknown> = {}) => ({
    code,
    origin,
    [code === 'too_big' ? 'maximum' : 'minimum']: limit,
    inclusive: true,
    input: origin === 'number' ? 0 : '',
    ...more,
  });
  return {
    invalid_type: ['string', 'number', 'boolean', 'object', 'array', 'date', 'int'].flatMap((expected) => [
      { code: 'invalid_type', expected, input: undefined },
      { code: 'invalid_type', expected, input: expected === 'string' ? 5 : 'x' },
    ]),
    too_big: ['string', 'array', 'set', 'file', 'number', 'bigint', 'date'].flatMap((o) => [size('too_big', o, 200), size('too_big', o, 200, { inclusive: false }), size('too_big', o, 1, { exact: true })]),
    too_small: ['string', 'array', 'set', 'file', 'number', 'bigint', 'date'].flatMap((o) => [size('too_small', o, 1), size('too_small', o, 0, { inclusive: false }), size('too_small', o, 1, { exact: true })]),
    invalid_format: formats.map((format) => ({ code: 'invalid_format', format, input: 'x', prefix: 'RV3-', suffix: '.pe', includes: '@', pattern: /^a$/ })),
    not_multiple_of: [{ code: 'not_multiple_of', divisor: 5, input: 7 }],
    unrecognized_keys: [{ code: 'unrecognized_keys', keys: ['calendarId'], input: {} }, { code: 'unrecognized_keys', keys: ['a', 'b'], input: {} }],
    invalid_union: [{ code: 'invalid_union', errors: [], input: 1 }, { code: 'invalid_union', errors: [], options: ['a', 'b'], input: 1 }, { code: 'invalid_union', errors: [], inclusive: false, input: 1 }],
    invalid_key: [{ code: 'invalid_key', origin: 'record', issues: [], input: {} }],
    invalid_element: [{ code: 'invalid_element', origin: 'map', key: 'k', issues: [], input: {} }],
    invalid_value: [{ code: 'invalid_value', values: ['new'], input: 'x' }, { code: 'invalid_value', values: ['new', 'confirmed'], input: 'x' }],
  };
}

/**
 * Reads the string or template literal at `i`; each `${…}` becomes `7` (numbers and names alike:
 * enough to meet the patterns that read them).
 */
function literalAt(src: string, i: number): { text: string; end: number } {
  const quote = src[i]!;
  let text = '';
  let j = i + 1;
  while (j < src.length && src[j] !== quote) {
    if (src[j] === '\\') {
      text += src[j + 1];
      j += 2;
    } else if (quote === '`' && src.startsWith('${', j)) {
      let depth = 1;
      j += 2;
      while (depth > 0) {
        const c = src[j]!;
        if (c === "'" || c === '"' || c === '`') {
          j = literalAt(src, j).end + 1;
          continue;
        }
        if (c === '{') depth++;
        if (c === '}') depth--;
        j++;
      }
      text += '7';
    } else text += src[j++];
  }
  return { text, end: j };
}

/**
 * The service's own field messages: every literal given as a `message` or `reason` (FieldError,
 * zod's refine / addIssue, time.ts's reasons), as the message argument of zod's `.min/.max/.length/
 * .regex/.refine`, and what textProblem (src/domain/text.ts) answers, which becomes a `message`
 * through a variable. Left out: ConfigError's (`variable:`, operators only), Hono's exception
 * texts (render-error.ts gives those a code), and the webhook and job routes, which answer GHL and
 * QStash: no person reads their fields.
 */
function serviceFieldMessages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const path of SERVICE.filter((p) => !p.startsWith('src/webhooks/') && !p.startsWith('src/jobs/'))) {
    const src = read(path);
    const at = (index: number) => src.slice(src.lastIndexOf('\n', index) + 1, src.indexOf('\n', index));
    for (const m of src.matchAll(/\b(?:message|reason)\s*:\s*(?=['"`])/g)) {
      if (/\bvariable:|new HTTPException/.test(at(m.index))) continue;
      found.set(literalAt(src, m.index + m[0].length).text, path);
    }
    for (const m of src.matchAll(/\.(?:min|max|length|regex|refine)\(/g)) {
      const rest = src.slice(m.index, src.indexOf('\n', m.index));
      const arg = /^\.\w+\((?:[^'"`\n]|\/.*?\/)*?,\s*(?=['`])/.exec(rest);
      if (arg) found.set(literalAt(src, m.index + arg[0].length).text, path);
    }
    if (path === 'src/domain/text.ts') {
      const from = src.indexOf('export function textProblem');
      const body = src.slice(from, src.indexOf('\n}', from));
      for (const m of body.matchAll(/return\s+(?=['`])/g)) found.set(literalAt(body, m.index + m[0].length).text, path);
    }
  }
  return found;
}

describe('every field message the service can answer has Spanish words', () => {
  const { codes, formats } = zodVocabulary();
  const samples = zodSamples(formats);
  const en = z.locales.en().localeError as (issue: unknown) => string | { message: string };
  const zodMessages = Object.entries(samples).flatMap(([code, issues]) =>
    issues.map((issue) => {
      const said = en(issue);
      return { code, message: typeof said === 'string' ? said : said.message };
    }),
  );
  const own = serviceFieldMessages();

  it('zod’s vocabulary is read from zod, and each of its issue codes has samples here', () => {
    expect(codes).toContain('invalid_format');
    expect(formats).toContain('email');
    expect(codes.filter((c) => c !== 'custom').sort()).toEqual(Object.keys(samples).sort());
    // What the issue is about: a non-ASCII local part is refused by zod's email rule.
    const refused = z.email().safeParse('ana.pérez@correo.pe');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('Invalid email address');
  });

  it.each(zodMessages)('zod $code: $message', ({ message }) => {
    const es = fieldWording(message);
    expect(es, `no Spanish for zod's «${message}»`).not.toBeNull();
    expect(es).not.toMatch(ENGLISH);
  });

  it('the service’s own messages are found (the scan itself works)', () => {
    for (const known of ['must be after start_time', 'a cita lasts at least 7 minutes', 'must not be empty', 'a phone number such as +51999000111', 'needs an email or a phone to find or create the GHL contact', 'unknown field', 'contains a NUL character', '7-7-7T7:77 does not exist in 7 (skipped by a daylight-saving change)', 'calendar 7 (7) is inactive in GHL']) {
      expect([...own.keys()], known).toContain(known);
    }
    expect([...own.keys()].some((m) => m.includes('postgres://'))).toBe(false);
  });

  it.each([...serviceFieldMessages()].map(([message, where]) => ({ message, where })))('$where: $message', ({ message }) => {
    const es = fieldWording(message);
    expect(es, `no Spanish for «${message}»`).not.toBeNull();
    expect(es).not.toMatch(ENGLISH);
  });

  it('what the service sends in a 422 reads as Spanish, naming the field the way the form does', () => {
    expect(fieldMessage('Invalid email address')).toBe('El email no es válido: escríbalo como nombre@dominio.pe, sin espacios y sin tildes ni ñ (los proveedores de correo no las admiten).');
    expect(fieldLine({ field: 'contact.email', message: 'Invalid email address' })).toMatch(/^Email del contacto: El email no es válido/);
    expect(fieldLine({ field: 'synced_calendar_ids.1', message: 'calendar cal-9 (Sala 9) is inactive in GHL' })).toBe('Calendarios sincronizados (n.º 2): El calendario «Sala 9» está inactivo en GHL.');
    expect(fieldMessage('Too big: expected string to have <=200 characters')).toBe('Debe tener como máximo 200 caracteres.');
    expect(fieldMessage('Too small: expected string to have >=1 characters')).toBe('No puede estar vacío.');
    expect(fieldMessage('Invalid input: expected string, received undefined')).toBe('Es obligatorio.');
    expect(fieldMessage('Invalid input: expected string, received number')).toBe('Debe ser un texto.');
    expect(fieldLabel('extras.color')).toBe('Datos adicionales («color»)');
  });

  it('a message nobody has words for yet is never shown in English', () => {
    const english = 'must be a brand new rule we have not translated';
    expect(fieldWording(english)).toBeNull();
    expect(fieldMessage(english)).toBe('Este dato no es válido: revíselo.');
    expect(fieldLine({ field: 'something_new', message: english })).not.toMatch(ENGLISH);
  });
});

// ── Sync errors ───────────────────────────────────────────────────────────────────────────────

/** The kinds a push failure is recorded with: GhlErrorKind (src/ghl/errors.ts) and `internal` (src/sync/outbound.ts). */
function pushErrorKinds(): string[] {
  const union = /export type GhlErrorKind =([^;]+);/.exec(read('src/ghl/errors.ts'))?.[1] ?? '';
  const kinds = [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
  expect(read('src/sync/outbound.ts')).toContain("err instanceof GhlError ? err.kind : 'internal'");
  return [...kinds, 'internal'];
}

/** The kinds src/sync/outbound.ts retries within minutes. */
function retriedSoon(): string[] {
  const set = /const PASSES_WITH_TIME = new Set\(\[([^\]]+)\]\)/.exec(read('src/sync/outbound.ts'))?.[1] ?? '';
  return [...set.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
}

describe('sync errors are explained in Spanish: what happened and when it is tried again', () => {
  const raw = 'POST calendars/events/appointments → 503: Service Unavailable';

  it('the kinds are read from the service', () => {
    expect(pushErrorKinds()).toEqual(expect.arrayContaining(['server', 'rate_limited', 'validation', 'not_connected', 'internal']));
    expect(retriedSoon()).toEqual(expect.arrayContaining(['server', 'rate_limited']));
  });

  it.each(pushErrorKinds())('%s', (kind) => {
    const what = syncErrorWording(`${kind}: ${raw}`);
    expect(what, `src/ui/browser/sync-notes.ts has no words for ${kind}`).not.toBeNull();
    expect(what).not.toMatch(ENGLISH);
    for (const sync of [
      { status: 'pending_sync', error: `${kind}: ${raw}`, retries: 1 },
      { status: 'sync_failed', error: `${kind}: ${raw}`, retries: 3 },
    ]) {
      const note = syncNote(sync)!;
      expect(note).not.toContain('Service Unavailable');
      expect(note).not.toMatch(ENGLISH);
    }
    // When the page says it is tried again matches what the service does.
    expect(nextTryOf(kind) === 'soon', `${kind}: retried within minutes by src/sync/outbound.ts?`).toBe(retriedSoon().includes(kind) || ['circuit_open', 'store_unavailable'].includes(kind));
  });

  it.each(Object.values(goneReason))('GHL no longer has it: %s', (reason) => {
    expect(syncErrorWording(reason)).not.toBeNull();
    expect(syncNote({ status: 'pending_sync', error: reason, retries: 0 })).not.toMatch(ENGLISH);
  });

  it('the issue’s 503: what happened, that it is retried by itself, and when it stops', () => {
    expect(syncNote({ status: 'pending_sync', error: `server: ${raw}`, retries: 1 })).toBe(
      'GHL aún no la recibió: GHL tuvo un error en su servidor (código 503). La cita está guardada y se volverá a enviar automáticamente en unos segundos o minutos (van 1 de 3 intentos); si fallan los 3 intentos, quedará como «Falló el envío a GHL».',
    );
    expect(syncNote({ status: 'sync_failed', error: `server: ${raw}`, retries: 3 })).toBe(
      'No se pudo enviar a GHL: GHL tuvo un error en su servidor (código 503). Se intentó 3 veces sin éxito. La cita está guardada; use «Reintentar envío» cuando se haya resuelto.',
    );
    expect(syncNote({ status: 'pending_sync', error: 'not_connected: no GHL connection for loc-1', retries: 0 })).toBe(
      'GHL aún no la recibió: la sede no está conectada a GHL. La cita está guardada y se enviará automáticamente cuando un administrador vuelva a conectar la sede con GHL.',
    );
    expect(syncNote({ status: 'synced', error: null, retries: 0 })).toBeNull();
    expect(syncNote({ status: 'pending_sync', error: null, retries: 0 })).toBeNull();
  });

  it('the attempts the page announces are the service’s (SYNC_MAX_ATTEMPTS’s default)', () => {
    expect(PUSH_ATTEMPTS).toBe(loadConfig({}).SYNC_MAX_ATTEMPTS);
  });
});

describe('the scans cover the service', () => {
  it('reads every source file of the service but the page and the config', () => {
    expect(SERVICE.length).toBeGreaterThan(50);
    expect(SERVICE.every((p) => relative('src', p) && !p.startsWith('src/ui/'))).toBe(true);
  });
});
