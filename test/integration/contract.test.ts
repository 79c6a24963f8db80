/**
 * The contract: /openapi.json is a valid OpenAPI 3.1 document that lists exactly the routes each
 * function serves, and /docs renders it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import { contractDocuments } from '../../scripts/lib/contract';
import { createCitasApp, createJobsApp, createWebhooksApp } from '../../src/app';
import { sharedDeps } from '../../src/runtime/provider';
import { createTestEnv, type TestEnv } from '../support/harness';
import { AGENDA_PAGE_PATHS } from '../../src/ui/agenda-routes';
import { citasAssets } from '../../src/apps/citas-assets';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv();
});
afterAll(async () => {
  await t?.close();
});

type Doc = { openapi: string; paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; responses: Record<string, unknown> }>>; components: { securitySchemes: Record<string, unknown> } };

async function specOf(app: { request: (p: string, i?: RequestInit, e?: Record<string, unknown>) => Response | Promise<Response> }): Promise<Doc> {
  const res = await app.request('/openapi.json', {}, t.env);
  expect(res.status).toBe(200);
  return (await res.json()) as Doc;
}

/** What the app really routes: method + OpenAPI-style path, without middleware and the contract routes themselves. */
function servedRoutes(app: { routes: { method: string; path: string }[] }): string[] {
  return [
    ...new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !['/openapi.json', '/docs', ...AGENDA_PAGE_PATHS].includes(r.path))
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([^/]+)/g, '{$1}')}`),
    ),
  ].sort();
}

function documentedRoutes(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => `${m} ${path}`))
    .sort();
}

describe('the API contract', () => {
  it('src/contract/ holds exactly what the routes generate (npm run openapi)', () => {
    for (const d of contractDocuments()) expect(readFileSync(d.file, 'utf8'), `${d.file} is stale: run npm run openapi`).toBe(d.text);
  });

  it('is a valid OpenAPI 3.1 document with the three security schemes', async () => {
    const doc = await specOf(t.app);
    expect(doc.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(doc) as never);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'ghlSignature', 'qstashSignature']);
    expect(doc.paths['/api/webhooks/ghl']?.post?.security).toEqual([{ ghlSignature: [] }]);
    expect(doc.paths['/api/jobs/run']?.post?.security).toEqual([{ qstashSignature: [] }]);
    expect(doc.paths['/api/citas']?.post?.security).toEqual([{ apiKey: [] }]);
    // Errors are part of the contract: every operation documents its problem answers.
    const withoutProblems = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item).filter(([, op]) => !Object.keys(op.responses).some((s) => s.startsWith('4') || s === '503')).map(([m]) => `${m} ${p}`),
    );
    expect(withoutProblems.filter((r) => !/healthz|readyz/.test(r))).toEqual([]);
  });

  it('lists every route the full app serves, and nothing it does not', async () => {
    const doc = await specOf(t.app);
    expect(documentedRoutes(doc)).toEqual(servedRoutes(t.app as never));
    expect(documentedRoutes(doc).length).toBeGreaterThan(25);
  });

  it('each function documents exactly its own routes', async () => {
    const provider = sharedDeps(t.deps);
    // The citas Worker serves its document as a static asset (src/apps/citas-assets.ts), the others from a route.
    const citasDoc = JSON.parse((await citasAssets()).find((f) => f.path === '/openapi.json')!.body) as Doc;
    const [webhooks, jobs] = [createWebhooksApp(provider), createJobsApp(provider)];
    const functions: [unknown, Doc][] = [[createCitasApp(provider), citasDoc], [webhooks, await specOf(webhooks)], [jobs, await specOf(jobs)]];
    for (const [app, doc] of functions) {
      await SwaggerParser.validate(structuredClone(doc) as never);
      expect(documentedRoutes(doc)).toEqual(servedRoutes(app as never));
    }
  });

  it('/docs is a reference page rendered from the same document, with no outside resources', async () => {
    const res = await t.app.request('/docs', {}, t.env);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const id of ['createCita', 'listCitas', 'updateCita', 'cancelCita', 'receiveGhlWebhook', 'runLocationJob', 'confirmHeldSweep']) expect(html).toContain(`id="${id}"`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!citas-sync\.dev)/);
  });
});
