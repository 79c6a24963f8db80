import { DateTime } from 'luxon';
import type { SeedAppointment, SeedContact, SeedData } from './types';

/**
 * What `tsx scripts/ghl-sandbox/server.ts` and `npm start` start with: one clinic in Lima, enough
 * to click through, and a little history (issue 24: a clinic that connects has last month's
 * appointments in GHL). The history is placed relative to `nowMs`, 9 to 51 days back, so it is
 * always in the last 60 days and never in the current week the agenda opens on.
 */
export function demoSeed(nowMs: number = Date.now()): SeedData {
  return {
    locations: [{ ...DEMO_CLINIC, appointments: pastAppointments(nowMs) }],
  };
}

// The clinic without its history; demoSeed adds that.
const DEMO_CLINIC: SeedData['locations'][number] = {
  id: 'demo-location',
  name: 'Clínica Demo',
  timezone: 'America/Lima',
  calendars: [
    {
      id: 'demo-cal-dra-gomez',
      name: 'Dra. Gómez',
      isActive: true,
      calendarType: 'personal',
      teamMembers: [{ userId: 'demo-user-gomez', isPrimary: true }],
    },
    { id: 'demo-cal-sala-2', name: 'Sala 2', isActive: true, calendarType: 'event' },
    { id: 'demo-cal-old', name: 'Antiguo', isActive: false, calendarType: 'event' },
  ],
  // The clinic's patients as GHL has them: two surnames, Peruvian mobiles (+51 9xx xxx xxx),
  // not everyone with an email. Fixed dates, so search pages read the same on every start.
  contacts: [
    patient('demo-contact-ana', 'Ana', 'Pérez Quispe', '+51999000111', 'ana.perez@example.com', '2025-03-03T09:12:00-05:00'),
    patient('demo-contact-jose', 'José', 'Huamán Flores', '+51987654321', 'jose.huaman@example.com', '2025-03-10T10:40:00-05:00'),
    patient('demo-contact-rosa', 'Rosa', 'Mamani Condori', '+51956123478', undefined, '2025-04-01T16:05:00-05:00'),
    patient('demo-contact-luis', 'Luis', 'Quispe Ramos', '+51944332211', 'luis.quispe@example.com', '2025-04-22T11:30:00-05:00'),
    patient('demo-contact-carmen', 'Carmen', 'Rojas Vargas', '+51998877665', 'carmen.rojas@example.com', '2025-05-14T08:50:00-05:00'),
    patient('demo-contact-jorge', 'Jorge', 'Chávez Torres', '+51965432198', undefined, '2025-06-09T17:20:00-05:00'),
    patient('demo-contact-maria', 'María', 'Fernández Díaz', '+51923456789', 'maria.fernandez@example.com', '2025-07-01T12:00:00-05:00'),
    patient('demo-contact-lucia', 'Lucía', 'Torres Mendoza', '+51934567812', 'lucia.torres@example.com', '2025-08-18T09:45:00-05:00'),
    patient('demo-contact-juan-carlos', 'Juan Carlos', 'Vásquez Ríos', '+51976543210', 'jc.vasquez@example.com', '2025-09-05T15:10:00-05:00'),
    patient('demo-contact-milagros', 'Milagros', 'Gutiérrez Salazar', '+51912873465', 'milagros.gutierrez@example.com', '2025-10-27T10:25:00-05:00'),
  ],
};

/** Seeded once per process: what the demo and the tests that use the demo clinic start with. */
export const DEMO_SEED: SeedData = demoSeed();

/** Past visits, as GHL keeps them: most showed, one no-show, one cancelled. Fixed ids, so re-seeding merges. */
function pastAppointments(nowMs: number): SeedAppointment[] {
  const visits: Array<[daysAgo: number, time: string, calendarId: string, contactId: string, title: string, status: SeedAppointment['appointmentStatus']]> = [
    [9, '09:00', 'demo-cal-dra-gomez', 'demo-contact-ana', 'Control', 'showed'],
    [15, '10:30', 'demo-cal-dra-gomez', 'demo-contact-jose', 'Consulta', 'showed'],
    [22, '16:00', 'demo-cal-sala-2', 'demo-contact-rosa', 'Limpieza', 'noshow'],
    [36, '11:00', 'demo-cal-dra-gomez', 'demo-contact-luis', 'Control', 'cancelled'],
    [51, '09:30', 'demo-cal-sala-2', 'demo-contact-carmen', 'Evaluación', 'showed'],
  ];
  const today = DateTime.fromMillis(nowMs, { zone: 'America/Lima' }).startOf('day');
  return visits.map(([daysAgo, time, calendarId, contactId, title, appointmentStatus], i) => {
    const [hour, minute] = time.split(':').map(Number);
    const start = today.minus({ days: daysAgo }).set({ hour, minute });
    return {
      id: `demo-past-${i + 1}`,
      calendarId,
      contactId,
      title,
      appointmentStatus,
      startTime: start.toISO({ suppressMilliseconds: true })!,
      endTime: start.plus({ minutes: 30 }).toISO({ suppressMilliseconds: true })!,
      dateAdded: start.minus({ days: 7 }).toISO({ suppressMilliseconds: true })!,
      dateUpdated: start.plus({ minutes: 30 }).toISO({ suppressMilliseconds: true })!,
    };
  });
}

function patient(id: string, firstName: string, lastName: string, phone: string, email: string | undefined, dateAdded: string): SeedContact {
  return { id, firstName, lastName, phone, ...(email ? { email } : {}), dateAdded };
}
