import type { StaticFile } from '../http/static-file';
import contract from '../contract/citas.openapi.json';
import { docsFile } from '../http/docs-page';
import { agendaFiles } from '../ui/agenda-routes';

/**
 * What the citas Worker serves as static assets: the front desk's agenda page and its script, the
 * reference page and this function's contract: the bytes the all-in-one app's routes answer with
 * (withAgendaPage, withOperatorPages, withContract). Kept out of src/apps/citas.ts so the
 * function's bundle never imports them.
 */
export async function citasAssets(): Promise<StaticFile[]> {
  return [
    ...(await agendaFiles()),
    docsFile(contract as Record<string, unknown>),
    { path: '/openapi.json', type: 'application/json', body: JSON.stringify(contract), headers: { 'X-Content-Type-Options': 'nosniff' } },
  ];
}
