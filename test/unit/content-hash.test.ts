/**
 * contentHash is stored (citas.content_hash) and compared with hashes written by earlier code, on
 * Node and on Workers alike: whichever digest a runtime uses, the same write must hash the same.
 */
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../src/sync/appointment-mapping';
import type { AppointmentWrite } from '../../src/ghl/schemas';

const write = {
  calendarId: 'cal-1',
  locationId: 'loc-1',
  contactId: 'c-1',
  startTime: '2026-12-03T10:00:00-05:00',
  endTime: '2026-12-03T10:45:00-05:00',
  title: 'Control – Ñandú 😀',
  appointmentStatus: 'confirmed',
  assignedUserId: 'u-1',
  description: 'notas\n\n[rv3:0b6f1d2e-8a4b-4c2d-9e3f-1a2b3c4d5e6f]',
  ignoreFreeSlotValidation: true,
  ignoreDateRange: true,
  toNotify: false,
} as AppointmentWrite;

describe('contentHash', () => {
  it('gives the hash earlier code stored for this write, with the JavaScript digest and with WebCrypto', async () => {
    // Computed by the code before WebCrypto was an option (commit 2017205): stored hashes look like this.
    const stored = '6427e499d31bc81d40701a86f24f3580aa988c9a32f4b2db5085e937c6db2920';
    expect(await contentHash(write, { native: false })).toBe(stored);
    expect(await contentHash(write, { native: true })).toBe(stored);
    expect(await contentHash(write)).toBe(stored);
  });

  it('leaves toNotify out and is the same either way for many writes', async () => {
    const { toNotify: _n, ...withoutNotify } = write;
    expect(await contentHash(withoutNotify as AppointmentWrite, { native: true })).toBe(await contentHash(write, { native: false }));
    for (let i = 0; i < 200; i++) {
      const w = { ...write, title: 'x'.repeat(i) + 'ü'.repeat(i % 7), description: i % 3 ? null : `n${i}`, startTime: `2026-12-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00-05:00` } as unknown as AppointmentWrite;
      expect(await contentHash(w, { native: true }), `write ${i}`).toBe(await contentHash(w, { native: false }));
    }
  });

  it('changes with the content', async () => {
    expect(await contentHash({ ...write, title: 'Otra' })).not.toBe(await contentHash(write));
  });
});
