import { describe, expect, it } from 'vitest';
import type { CitaRow } from '../../src/db/schema';
import {
  appointmentFromCita,
  appointmentUpdateFromWrite,
  citaIdFromDescription,
  contactUpsertFromDetails,
  contentHash,
  notesFromDescription,
  withMarker,
} from '../../src/sync/appointment-mapping';

const ID = '0b7c1a52-3f0e-4d1a-9a8e-5f2b7c9d1e20';

function cita(over: Partial<CitaRow> = {}): CitaRow {
  return {
    id: ID,
    locationId: 'loc-1',
    ghlCalendarId: 'cal-1',
    ghlAppointmentId: null,
    title: 'Control - Ana Pérez',
    contactId: 'contact-1',
    contact: null,
    assignedUserId: 'user-1',
    startTime: new Date('2025-11-15T04:30:00Z'),
    endTime: new Date('2025-11-15T05:30:00Z'),
    timeZone: 'America/Lima',
    status: 'confirmed',
    notes: 'Trae resultados',
    source: 'rv3',
    extras: {},
    syncStatus: 'pending_sync',
    syncError: null,
    syncRetries: 0,
    lastSyncedAt: null,
    ghlDateUpdated: null,
    contentHash: null,
    version: 1,
    createdAt: new Date(),
    updatedAt: new Date(),
    cancelledAt: null,
    conflict: false,
    ghlDeletedAt: null,
    blockConflict: null,
    bookingOverride: null,
    seriesId: null,
    seriesRule: null,
    seriesIndex: null,
    seriesCount: null,
    matchCandidates: null,
    ...over,
  };
}

describe('cita → GHL appointment', () => {
  it('maps every field, times with the location offset, slot checks left to our database', () => {
    expect(appointmentFromCita(cita(), 'contact-9')).toEqual({
      calendarId: 'cal-1',
      locationId: 'loc-1',
      contactId: 'contact-9',
      startTime: '2025-11-14T23:30:00-05:00',
      endTime: '2025-11-15T00:30:00-05:00',
      title: 'Control - Ana Pérez',
      appointmentStatus: 'confirmed',
      assignedUserId: 'user-1',
      description: `Trae resultados\n\n[rv3:${ID}]`,
      ignoreFreeSlotValidation: true,
      ignoreDateRange: true,
    });
  });

  it('uses the cita zone (DST offsets) and leaves out an absent assignee', () => {
    const w = appointmentFromCita(cita({ timeZone: 'America/Santiago', assignedUserId: null, startTime: new Date('2025-09-07T03:30:00Z') }), 'c');
    expect(w.startTime).toBe('2025-09-06T23:30:00-04:00');
    expect(w.endTime).toBe('2025-11-15T02:30:00-03:00');
    expect(w).not.toHaveProperty('assignedUserId');
  });

  it('an update carries neither locationId nor contactId', () => {
    const u = appointmentUpdateFromWrite(appointmentFromCita(cita(), 'c'));
    expect(u).not.toHaveProperty('locationId');
    expect(u).not.toHaveProperty('contactId');
    expect(u.calendarId).toBe('cal-1');
  });

  it('the marker round-trips and is never doubled', () => {
    expect(withMarker(null, ID)).toBe(`[rv3:${ID}]`);
    expect(withMarker(withMarker('hola', ID), ID)).toBe(`hola\n\n[rv3:${ID}]`);
    expect(citaIdFromDescription(withMarker('hola', ID))).toBe(ID);
    expect(citaIdFromDescription('written in GHL')).toBeNull();
    expect(notesFromDescription(withMarker('hola', ID))).toBe('hola');
    expect(notesFromDescription(withMarker(null, ID))).toBeNull();
  });

  it('contact details become GHL upsert fields', () => {
    expect(contactUpsertFromDetails({ first_name: 'Ana', last_name: 'Pérez', email: 'ana@example.com' })).toEqual({
      firstName: 'Ana',
      lastName: 'Pérez',
      email: 'ana@example.com',
    });
  });

  it('the content hash changes with content and not with key order', async () => {
    const a = appointmentFromCita(cita(), 'c');
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(await contentHash(a)).toBe(await contentHash(reordered));
    expect(await contentHash(a)).not.toBe(await contentHash({ ...a, title: 'Otro' }));
    expect(await contentHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});
