import type { StaticFile } from '../http/static-file';
import contract from '../contract/citas.openapi.json';
import { agendaFiles } from '../ui/agenda-routes';
import { referenceFiles } from './base';

/**
 * What the citas Worker serves as static assets: the front desk's agenda page and its script, the
 * reference page and this function's contract. Kept out of src/apps/citas.ts so the function's
 * bundle never imports them.
 */
export async function citasAssets(): Promise<StaticFile[]> {
  return [...(await agendaFiles()), ...referenceFiles(contract)];
}
