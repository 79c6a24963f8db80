import { describe, expect, it } from 'vitest';
import { createGhlSandbox, DEMO_SEED } from '../../scripts/ghl-sandbox';
import { BASE } from './support';

/** The page as a person reads it: tags out, entities decoded, spaces collapsed (Intl uses no-break ones). */
function readable(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/[\s\u00a0\u202f]+/g, ' ');
}

describe('GET /_sandbox/view/calendar (GHL side, read-only)', () => {
  it("lists each calendar's appointments in the location's zone, follows GHL-side moves and cancels, and changes nothing", async () => {
    const sandbox = createGhlSandbox();
    sandbox.seed(DEMO_SEED);
    const a = sandbox.actions.createAppointment({
      locationId: 'demo-location',
      calendarId: 'demo-cal-sala-2',
      contactId: 'demo-contact-ana',
      title: 'Limpieza <b>',
      startTime: '2026-03-12T11:00:00-05:00',
      endTime: '2026-03-12T11:45:00-05:00',
    });
    const view = async (query: string) => {
      const res = await sandbox.fetch(`${BASE}/_sandbox/view/calendar?${query}`);
      return { status: res.status, type: res.headers.get('content-type'), html: await res.text() };
    };

    const first = await view('locationId=demo-location&date=2026-03-12');
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^text\/html/);
    const text = readable(first.html);
    expect(text).toContain('GHL (sandbox)');
    expect(a.appointmentStatus).toBe('confirmed');
    expect(text).toMatch(/Sala 2 demo-cal-sala-2 Confirmada jue\.?, 12 mar\.?, 11:00 a\. ?m\. – 11:45 a\. ?m\. Limpieza <b> · Ana Pérez/);
    expect(text).toMatch(/Dra\. Gómez demo-cal-dra-gomez Sin citas\./);
    expect(text).toContain('Antiguo (inactivo)');
    // Escaped, never markup.
    expect(first.html).not.toContain('<b>');

    sandbox.actions.moveAppointment(a.id, { startTime: '2026-03-12T15:00:00-05:00' });
    sandbox.actions.cancelAppointment(a.id);
    const after = readable((await view('locationId=demo-location&date=2026-03-12')).html);
    expect(after).toMatch(/3:00 p\. ?m\. – 3:45 p\. ?m\./);
    expect(after).toMatch(/Sala 2 demo-cal-sala-2 Cancelada jue/);
    expect(after).not.toContain('11:00 a. m.');

    // Another day shows none; a bad date or location says so.
    expect(readable((await view('locationId=demo-location&date=2026-03-13')).html)).not.toContain('Limpieza');
    expect((await view('locationId=demo-location&date=12-03-2026')).status).toBe(400);
    expect((await view('locationId=nowhere')).status).toBe(404);

    // Looking is not GHL traffic and changes nothing.
    expect(sandbox.stats().calls).toEqual({});
    // DEMO_SEED's past visits (demo-past-*) aside, the one appointment, as GHL's side changed it.
    expect(sandbox.appointments({ locationId: 'demo-location' }).filter((x) => !x.id.startsWith('demo-past-'))).toEqual([expect.objectContaining({ id: a.id, appointmentStatus: 'cancelled' })]);
  });

  it('shows blocked time in grey with its title, in line with the appointments, on every day it covers', async () => {
    const sandbox = createGhlSandbox();
    sandbox.seed(DEMO_SEED);
    sandbox.actions.createAppointment({
      locationId: 'demo-location',
      calendarId: 'demo-cal-dra-gomez',
      contactId: 'demo-contact-ana',
      title: 'Control',
      startTime: '2026-03-12T09:00:00-05:00',
      endTime: '2026-03-12T09:30:00-05:00',
    });
    const lunch = sandbox.actions.createBlock({ locationId: 'demo-location', calendarId: 'demo-cal-dra-gomez', title: 'Almuerzo <i>', startTime: '2026-03-12T13:00:00-05:00', endTime: '2026-03-12T14:00:00-05:00' });
    sandbox.actions.createBlock({ locationId: 'demo-location', calendarId: 'demo-cal-sala-2', startTime: '2026-03-12T00:00:00-05:00', endTime: '2026-03-14T00:00:00-05:00' });
    const view = async (query: string) => (await sandbox.fetch(`${BASE}/_sandbox/view/calendar?${query}`)).text();

    const html = await view('locationId=demo-location&date=2026-03-12');
    expect(html).toContain(`<li class="block" data-block-id="${lunch.id}">`);
    expect(html).toMatch(/li\.block\{border-color:#8a8f99;background:#eceef1/);
    expect(html).not.toContain('<i>');
    const text = readable(html);
    expect(text).toMatch(/Dra\. Gómez demo-cal-dra-gomez Confirmada jue\.?, 12 mar\.?, 9:00 a\. ?m\. – 9:30 a\. ?m\. Control · Ana Pérez .* Bloqueado jue\.?, 12 mar\.?, 1:00 p\. ?m\. – 2:00 p\. ?m\. Almuerzo <i>/);
    expect(text).toMatch(/Sala 2 demo-cal-sala-2 Bloqueado jue\.?, 12 mar\.?, 12:00 a\. ?m\. – sáb\.?, 14 mar\.?, 12:00 a\. ?m\. Horario bloqueado/);
    // The two-day block shows on its second day too, not on the day it ends at midnight.
    expect(readable(await view('locationId=demo-location&date=2026-03-13'))).toContain('Horario bloqueado');
    expect(readable(await view('locationId=demo-location&date=2026-03-14'))).not.toContain('Bloqueado');
    sandbox.actions.deleteBlock(lunch.id);
    expect(readable(await view('locationId=demo-location&date=2026-03-12'))).not.toContain('Almuerzo');
  });
});
