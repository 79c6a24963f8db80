import { createGhlSandbox, type GhlSandbox, type SandboxOptions, type SeedData } from '../../scripts/ghl-sandbox';

export const BASE = 'https://sandbox.ghl.test';
export const LIMA = 'loc-lima';
export const BOGOTA = 'loc-bogota';
export const CAL = 'cal-gomez'; // autoConfirm, 30 min slots
export const CAL_B = 'cal-sala'; // no autoConfirm, 45 min slots
export const CAL_OTHER = 'cal-bogota';
export const ANA = 'con-ana';
export const OTHER_CONTACT = 'con-bogota';

export const SEED: SeedData = {
  locations: [
    {
      id: LIMA,
      name: 'Clínica Lima',
      timezone: 'America/Lima',
      calendars: [
        { id: CAL, name: 'Dra. Gómez', calendarType: 'personal', teamMembers: [{ userId: 'usr-gomez', isPrimary: true }] },
        { id: CAL_B, name: 'Sala 2', slotDuration: 45, autoConfirm: false },
      ],
      contacts: [{ id: ANA, firstName: 'Ana', lastName: 'Pérez', email: 'ana@example.com', phone: '+51 999 000 111' }],
    },
    {
      id: BOGOTA,
      timezone: 'America/Bogota',
      calendars: [{ id: CAL_OTHER, name: 'Bogotá' }],
      contacts: [{ id: OTHER_CONTACT, firstName: 'Bo' }],
    },
  ],
};

/** A clock tests move by hand. */
export function manualClock(start = Date.parse('2026-03-10T15:00:00Z')) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}

export function seededSandbox(opts: SandboxOptions = {}): GhlSandbox {
  const sandbox = createGhlSandbox(opts);
  sandbox.seed(SEED);
  return sandbox;
}

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A thin caller with the headers GHL wants; each option can be dropped to test its absence. */
export function api(sandbox: GhlSandbox, token: string | null, defaults: { version?: string | null } = {}) {
  const call = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    opts: { version?: string | null; signal?: AbortSignal } = {},
  ): Promise<ApiResult<T>> => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    const version = opts.version !== undefined ? opts.version : defaults.version !== undefined ? defaults.version : '2021-04-15';
    if (version !== null) headers.Version = version;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await sandbox.fetch(`${BASE}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: opts.signal,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Non-JSON (the 502 page): keep the text.
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
  return {
    get: <T = any>(path: string, opts?: { version?: string | null; signal?: AbortSignal }) => call<T>('GET', path, undefined, opts),
    post: <T = any>(path: string, body: unknown, opts?: { version?: string | null; signal?: AbortSignal }) => call<T>('POST', path, body, opts),
    put: <T = any>(path: string, body: unknown, opts?: { version?: string | null; signal?: AbortSignal }) => call<T>('PUT', path, body, opts),
    del: <T = any>(path: string, opts?: { version?: string | null; signal?: AbortSignal }) => call<T>('DELETE', path, undefined, opts),
  };
}

export async function tokenRequest(sandbox: GhlSandbox, fields: Record<string, string>) {
  const res = await sandbox.fetch(`${BASE}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', ...fields }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** An OAuth install: code, then exchange. */
export async function oauthTokens(sandbox: GhlSandbox, locationId = LIMA, scopes?: string[]) {
  const code = sandbox.issueAuthCode(locationId, scopes ? { scopes } : undefined);
  const res = await tokenRequest(sandbox, { grant_type: 'authorization_code', code, user_type: 'Location', redirect_uri: 'https://app.test/cb' });
  if (res.status !== 200) throw new Error(`code exchange failed: ${JSON.stringify(res.body)}`);
  return res.body as { access_token: string; refresh_token: string; expires_in: number; scope: string; locationId: string };
}

export function appointmentBody(overrides: Record<string, unknown> = {}) {
  return {
    calendarId: CAL,
    locationId: LIMA,
    contactId: ANA,
    startTime: '2026-03-12T10:30:00-05:00',
    endTime: '2026-03-12T11:00:00-05:00',
    title: 'Control - Ana Pérez',
    ...overrides,
  };
}
