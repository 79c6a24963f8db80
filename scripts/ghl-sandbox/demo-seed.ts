import type { SeedData } from './types';

/** What `tsx scripts/ghl-sandbox/server.ts` starts with: one clinic in Lima, enough to click through. */
export const DEMO_SEED: SeedData = {
  locations: [
    {
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
      contacts: [{ id: 'demo-contact-ana', firstName: 'Ana', lastName: 'Pérez', email: 'ana@example.com', phone: '+51999000111' }],
    },
  ],
};
