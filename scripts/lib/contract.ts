/**
 * The OpenAPI documents, generated in Node from the routes themselves (each router keeps its
 * routes' definitions: `contractOf(app)`) with @asteasolutions/zod-to-openapi, which reads the
 * schemas' `.meta()` (descriptions, examples, `id` → a named component). The Workers serve the
 * JSON this writes to src/contract/, so none of them carries the generator.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { API_VERSION, createCitasApp, createFullApp, createJobsApp, createWebhooksApp } from '../../src/app';
import { SECURITY_SCHEMES } from '../../src/http/openapi';
import { contractOf } from '../../src/http/router';
import type { DepsProvider } from '../../src/runtime/provider';

const DESCRIPTION =
  'Appointments ("citas") kept in sync both ways between RV3 and GoHighLevel calendars. Errors are `application/problem+json` with a stable `code`; every answer carries `X-Request-Id`. The same document is at `/openapi.json`; `/docs` renders it.';

/** Building an app needs no deps: nothing here serves a request. */
const noDeps: DepsProvider = { acquire: () => Promise.reject(new Error('the contract needs no deps')) };

export const CONTRACTS = [
  { name: 'full', title: 'citas-sync', app: () => createFullApp(noDeps) },
  { name: 'citas', title: 'citas-sync — citas', app: () => createCitasApp(noDeps) },
  { name: 'webhooks', title: 'citas-sync — webhooks', app: () => createWebhooksApp(noDeps) },
  { name: 'jobs', title: 'citas-sync — jobs', app: () => createJobsApp(noDeps) },
] as const;

export function contractFile(name: string): string {
  return `src/contract/${name}.openapi.json`;
}

export function openApiDocument(app: unknown, title: string) {
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) registry.registerComponent('securitySchemes', name, { ...scheme });
  for (const route of contractOf(app)) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', info: { title, version: API_VERSION, description: DESCRIPTION } });
}

/** Every function's document, as the files under src/contract/ should hold them. */
export function contractDocuments(): { name: string; file: string; text: string; document: ReturnType<typeof openApiDocument> }[] {
  return CONTRACTS.map((c) => {
    const document = openApiDocument(c.app(), c.title);
    return { name: c.name, file: contractFile(c.name), text: `${JSON.stringify(document, null, 2)}\n`, document };
  });
}
