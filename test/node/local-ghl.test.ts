/**
 * npm start's GHL sandbox keeps GHL's data next to the embedded database: a restart must not turn
 * into "every appointment was deleted in GHL" for the next sync.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'citas-data-'));
process.env.CITAS_DATA_DIR = dir;
const { startLocalGhl } = await import('../../scripts/lib/local-ghl');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the local GHL sandbox across restarts', () => {
  it('keeps appointments made before a restart; a fresh data folder starts from the demo seed', async () => {
    const env: NodeJS.ProcessEnv = { GHL_SANDBOX_PORT: '0', PGLITE_DIR: join(dir, 'pglite') };
    const first = await startLocalGhl({ ...env });
    expect(first.restored).toBe(false);
    const made = first.sandbox.actions.createAppointment({ locationId: 'demo-location', calendarId: 'demo-cal-dra-gomez', contactId: 'demo-contact-ana', title: 'Antes del reinicio', startTime: '2027-01-05T10:00:00-05:00', endTime: '2027-01-05T10:30:00-05:00' });
    await first.close();

    const second = await startLocalGhl({ ...env });
    expect(second.restored).toBe(true);
    expect(second.sandbox.appointments({ locationId: 'demo-location' }).map((a) => a.id)).toContain(made.id);
    await second.close();
  });
});
