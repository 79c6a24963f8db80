/**
 * The agenda page's script is committed as a generated module (a Worker has no files to read):
 * it must be exactly what scripts/ui-build.ts makes from src/ui/browser/ now, and stay within the
 * issue's budget of 40 KB gzip.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildAgendaScript, UI_GZIP_BUDGET_BYTES, UI_MODULE } from '../../scripts/ui-build';
import { AGENDA_SCRIPT, AGENDA_SCRIPT_HASH } from '../../src/ui/generated/agenda-script';

describe('the agenda page script', () => {
  it('src/ui/generated/agenda-script.ts is what src/ui/browser/ builds to (npx tsx scripts/ui-build.ts)', async () => {
    const bundle = await buildAgendaScript();
    expect(readFileSync(UI_MODULE, 'utf8') === bundle.module, `${UI_MODULE} is stale: run npx tsx scripts/ui-build.ts`).toBe(true);
    expect(AGENDA_SCRIPT_HASH).toBe(bundle.hash);
  });

  it('stays under 40 KB gzip and carries nothing of the server', async () => {
    const bundle = await buildAgendaScript();
    expect(bundle.gzipBytes).toBeLessThan(UI_GZIP_BUDGET_BYTES);
    // The typed client is types plus hono/client: no route, schema or database code rides along.
    for (const serverOnly of ['drizzle', 'zod', 'createRoute', 'openapi']) expect(AGENDA_SCRIPT).not.toContain(serverOnly);
  });
});
