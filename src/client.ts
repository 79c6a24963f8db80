/**
 * The typed client for front ends: `hono/client` over the apps' own types, so a request with a
 * wrong body does not compile and a response comes back as the cita (or page, or settings) it is.
 * Type-only imports of the apps: a front end bundles hono/client and nothing of the server.
 *
 *   const api = citasClient('https://citas.example.com', { apiKey });
 *   const res = await api.api.citas.$post({ json: { location_id, title, contact_id, start_time, end_time } });
 *   if (res.status === 201) { const cita = await res.json(); }
 */
import { hc } from 'hono/client';
import type { CitasApp, FullApp } from './app';

export type { CitasApp, FullApp, JobsApp, WebhooksApp } from './app';
export type { CitaView } from './citas/cita-view';

interface ClientOptions {
  apiKey: string;
  /** Defaults to the global fetch; tests and Workers' service bindings pass their own. */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

function options(opts: ClientOptions) {
  return { headers: { Authorization: `Bearer ${opts.apiKey}`, ...opts.headers }, ...(opts.fetch ? { fetch: opts.fetch } : {}) };
}

/** The citas function: citas, locations and their settings, GHL calendars. */
export function citasClient(baseUrl: string, opts: ClientOptions) {
  return hc<CitasApp>(baseUrl, options(opts));
}

/** Every route (npm start, or the all-in-one Worker), admin routes included. */
export function fullClient(baseUrl: string, opts: ClientOptions) {
  return hc<FullApp>(baseUrl, options(opts));
}
