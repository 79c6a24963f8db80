/**
 * Once per `npm run test:browser`: refuse to test a stale bundle or without Chromium (saying how
 * to fix either), then start the service as `npm start` does and hand its URLs to the tests.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildAgendaScript, UI_MODULE } from '../../../scripts/ui-build';
import { CHROMIUM_PATH } from './browser';
import { ARTIFACTS, ROOT, startService } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    sandboxUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const bundle = await buildAgendaScript();
  if (readFileSync(join(ROOT, UI_MODULE), 'utf8') !== bundle.module) {
    throw new Error(`${UI_MODULE} is stale (src/ui/browser/ changed): run npx tsx scripts/ui-build.ts first`);
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (scripts/ci/browser.sh does it), or set CHROMIUM_PATH`);
  }
  rmSync(join(ARTIFACTS, 'screenshots'), { recursive: true, force: true });
  const service = await startService();
  project.provide('baseUrl', service.url);
  project.provide('sandboxUrl', service.sandboxUrl);
  return () => service.stop();
}
