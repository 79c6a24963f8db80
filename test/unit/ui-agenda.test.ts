/**
 * The agenda page's rules that need no browser: clinic days and times, the form's checks and the
 * bodies it sends, and the Spanish messages for the service's errors. (The page itself is tested
 * in Chromium: test/browser/.)
 */
import { describe, expect, it } from 'vitest';
import { addDays, daysShown, daysTouched, formatTime, mondayOf, step, todayIn, wallIn, zoneLabel } from '../../src/ui/browser/clinic-time';
import { createBody, endAfter, formFieldOf, patchBody, validateCitaForm, valuesOf, type CitaFormValues } from '../../src/ui/browser/form-rules';
import { ApiProblem, fieldMessage, problemFrom, problemMessage, retryAfterSeconds } from '../../src/ui/browser/problems';

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('clinic days and times', () => {
  it('reads an instant in the clinic zone, whatever zone the machine has', () => {
    // 2026-12-02 04:30 UTC: still the 1st in New York, already the 2nd in Tokyo.
    expect(wallIn('2026-12-02T04:30:00Z', 'America/New_York')).toEqual({ day: '2026-12-01', time: '23:30' });
    expect(wallIn('2026-12-02T04:30:00Z', 'Asia/Tokyo')).toEqual({ day: '2026-12-02', time: '13:30' });
    expect(todayIn('America/New_York', new Date('2026-12-02T04:30:00Z'))).toBe('2026-12-01');
    expect(plain(formatTime('2026-12-02T04:30:00Z', 'America/New_York'))).toMatch(/^11:30 p\. ?m\.$/);
    expect(plain(zoneLabel('America/Lima', new Date('2026-07-01T00:00:00Z')))).toBe('America/Lima (GMT-5)');
  });

  it('draws a cita on every day it touches: across midnight on both, ending at midnight on one', () => {
    expect(daysTouched('2026-12-04T04:30:00Z', '2026-12-04T05:30:00Z', 'America/New_York')).toEqual(['2026-12-03', '2026-12-04']);
    expect(daysTouched('2026-12-04T04:30:00Z', '2026-12-04T05:00:00Z', 'America/New_York')).toEqual(['2026-12-03']);
    expect(daysTouched('2026-12-03T14:00:00Z', '2026-12-03T14:30:00Z', 'America/New_York')).toEqual(['2026-12-03']);
  });

  it('weeks start on Monday; previous / next move by a day or a week', () => {
    expect(mondayOf('2026-12-06')).toBe('2026-11-30'); // a Sunday
    expect(mondayOf('2026-11-30')).toBe('2026-11-30');
    expect(daysShown('semana', '2026-12-03')).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']);
    expect(daysShown('dia', '2026-12-03')).toEqual(['2026-12-03']);
    expect(step('semana', '2026-12-03', -1)).toBe('2026-11-26');
    expect(step('dia', '2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

const valid: CitaFormValues = {
  title: 'Control',
  patient: { id: 'demo-contact-ana', name: 'Ana Pérez Quispe', phone: '+51999000111', email: 'ana.perez@example.com', deleted: false },
  calendarId: 'demo-cal-dra-gomez',
  day: '2026-12-14',
  start: '09:30',
  end: '10:00',
  endsNextDay: false,
  status: 'new',
  notes: '',
};

describe('the cita form', () => {
  it('accepts a valid cita and sends wall times for the service to read in the clinic zone', () => {
    expect(validateCitaForm(valid, 'America/Lima', 'crear')).toEqual({});
    expect(createBody(valid, 'demo-location')).toEqual({
      location_id: 'demo-location',
      calendar_id: 'demo-cal-dra-gomez',
      title: 'Control',
      contact_id: 'demo-contact-ana',
      start_time: '2026-12-14T09:30',
      end_time: '2026-12-14T10:00',
      status: 'new',
    });
  });

  it('says what is wrong with the times: end before start, too short, too long, skipped by DST', () => {
    const check = (v: Partial<CitaFormValues>, zone = 'America/Lima') => validateCitaForm({ ...valid, ...v }, zone, 'crear');
    expect(check({ end: '09:00' }).end).toMatch(/^El fin debe ser posterior al inicio/);
    expect(check({ end: '09:30' }).end).toMatch(/^El fin debe ser posterior al inicio/);
    expect(check({ end: '09:34' }).end).toBe('La cita debe durar al menos 5 minutos.');
    expect(check({ end: '09:35' })).toEqual({});
    expect(check({ start: '08:00', end: '20:01' }).end).toBe('La cita puede durar como máximo 12 horas.');
    expect(check({ start: '23:30', end: '00:30', endsNextDay: true })).toEqual({});
    expect(check({ day: '2026-02-30' }).day).toBe('Elija una fecha válida.');
    expect(check({ start: '' }).start).toBe('Escriba la hora de inicio (hh:mm).');
    // 02:30 on 8 March 2026 does not exist in New York (clocks jump from 02:00 to 03:00).
    expect(check({ day: '2026-03-08', start: '02:30', end: '03:30' }, 'America/New_York').start).toBe('Esa hora no existe en America/New_York (cambio de horario).');
  });

  it('needs a patient picked: a new cita one GHL knows (by id); an edit may keep its own, made by details', () => {
    const pick = /^Elija un paciente: escriba parte de su nombre, teléfono o correo y elíjalo de la lista/;
    expect(validateCitaForm({ ...valid, patient: null }, 'America/Lima', 'crear').patient).toMatch(pick);
    expect(validateCitaForm({ ...valid, patient: null }, 'America/Lima', 'editar').patient).toMatch(pick);
    // A cita made by details before GHL knew the patient: its patient has no id yet.
    const byDetails = { ...valid, patient: { id: null, name: 'Rosa Quispe', phone: '+51988777666', email: null, deleted: false } };
    expect(validateCitaForm(byDetails, 'America/Lima', 'crear').patient).toMatch(pick);
    expect(validateCitaForm(byDetails, 'America/Lima', 'editar')).toEqual({});
    expect(patchBody(byDetails, byDetails)).toEqual({});
    // Another patient picked in an edit: sent by id; the same one again is no change.
    const jose = { id: 'demo-contact-jose', name: 'José Huamán Flores', phone: '+51987654321', email: null, deleted: false };
    expect(patchBody({ ...byDetails, patient: jose }, byDetails)).toEqual({ contact_id: 'demo-contact-jose' });
    expect(patchBody({ ...valid, patient: jose }, valid)).toEqual({ contact_id: 'demo-contact-jose' });
    expect(patchBody({ ...valid, patient: { ...valid.patient!, name: 'Ana P.' } }, valid)).toEqual({});
    expect(formFieldOf('contact_id')).toBe('patient');
  });

  it('reads a cita back into the form with its patient as the service shows it', () => {
    const cita = {
      title: 'Control',
      contact: { id: 'demo-contact-ana', name: 'Ana Pérez Quispe', first_name: 'Ana', last_name: 'Pérez Quispe', phone: '+51999000111', email: null, deleted: false },
      calendar_id: 'demo-cal-dra-gomez',
      start_time_utc: '2026-12-14T14:30:00Z',
      end_time_utc: '2026-12-14T15:00:00Z',
      status: 'new',
      notes: null,
    };
    expect(valuesOf(cita, 'America/Lima')).toMatchObject({ patient: { id: 'demo-contact-ana', name: 'Ana Pérez Quispe', phone: '+51999000111', deleted: false }, day: '2026-12-14', start: '09:30' });
    expect(valuesOf({ ...cita, contact: null }, 'America/Lima').patient).toBeNull();
  });

  it('duration shortcuts set the end, on the next day past midnight', () => {
    expect(endAfter('09:30', 30)).toEqual({ end: '10:00', endsNextDay: false });
    expect(endAfter('23:30', 60)).toEqual({ end: '00:30', endsNextDay: true });
    expect(endAfter('', 30)).toBeNull();
  });

  it('an edit sends only what changed', () => {
    expect(patchBody({ ...valid }, valid)).toEqual({});
    expect(patchBody({ ...valid, start: '10:00', end: '10:30', notes: 'Ayunas' }, valid)).toEqual({ start_time: '2026-12-14T10:00', end_time: '2026-12-14T10:30', notes: 'Ayunas' });
    expect(patchBody({ ...valid, end: '00:15', endsNextDay: true }, valid)).toEqual({ end_time: '2026-12-15T00:15' });
    expect(patchBody(valid, { ...valid, notes: 'antes' })).toEqual({ notes: null });
  });

  it('places the service’s field errors next to the form’s fields', () => {
    expect(formFieldOf('end_time')).toBe('end');
    expect(formFieldOf('contact_id')).toBe('patient');
    expect(formFieldOf('extras')).toBeNull();
  });
});

describe('messages for the service’s errors', () => {
  const problem = (status: number, code: string, extra: Record<string, unknown> = {}, retryAfter: number | null = null) =>
    new ApiProblem(status, code, '', [], retryAfter, extra);

  it('401 and 403 need another key', () => {
    expect(problem(401, 'unauthorized').needsKey).toBe(true);
    expect(problem(403, 'forbidden').needsKey).toBe(true);
    expect(problem(409, 'slot_taken').needsKey).toBe(false);
    expect(problemMessage(problem(401, 'unauthorized'))).toBe('La clave no es válida o fue revocada. Ingrese una clave de API válida.');
    expect(problemMessage(problem(403, 'forbidden'))).toBe('Esta clave no tiene permiso para esta acción. Ingrese otra clave.');
  });

  it('409 slot_taken names the cita holding the slot, in the words the caller gives its times', () => {
    const taken = problem(409, 'slot_taken', { conflicting_cita: { id: 'x', title: 'Endodoncia', start_time: '2026-12-14T10:00:00-05:00', end_time: '2026-12-14T10:30:00-05:00' } });
    expect(problemMessage(taken, 'cita', () => '10:00 – 10:30')).toBe('Ese horario ya está ocupado en este calendario por «Endodoncia» (10:00 – 10:30). Elija otra hora u otro calendario.');
  });

  it('429 and 503 say when to retry; GHL unavailable on a cita says it is saved', () => {
    expect(problemMessage(problem(429, 'rate_limited', {}, 17))).toBe('Demasiadas solicitudes seguidas. Vuelva a intentar en 17 s.');
    expect(problemMessage(problem(503, 'ghl_unavailable', {}, 30), 'cita')).toBe('GHL no responde en este momento. La cita está guardada y se enviará a GHL en cuanto responda.');
    expect(problemMessage(problem(503, 'ghl_unavailable', {}, 30))).toBe('GHL no responde en este momento. Vuelva a intentar en 30 s.');
    expect(problemMessage(problem(412, 'version_mismatch'))).toMatch(/^Otra persona cambió esta cita/);
    expect(problemMessage(problem(500, 'internal', { request_id: 'req-1' }))).toBe('Error del servicio (solicitud req-1). Vuelva a intentar en unos segundos.');
  });

  it('reads Retry-After as seconds or a date, and a problem from any answer', async () => {
    expect(retryAfterSeconds('12')).toBe(12);
    expect(retryAfterSeconds('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('2026-10-21T07:28:00Z'))).toBe(10);
    expect(retryAfterSeconds('pronto')).toBeNull();
    const p = await problemFrom(new Response('<html>Bad gateway</html>', { status: 502, headers: { 'Retry-After': '5' } }));
    expect([p.status, p.code, p.retryAfter]).toEqual([502, 'http_502', 5]);
    const q = await problemFrom(new Response(JSON.stringify({ code: 'validation_failed', detail: 'x', fields: [{ field: 'end_time', message: 'must be after start_time' }] }), { status: 422 }));
    expect(q.fields.map((f) => fieldMessage(f.message))).toEqual(['El fin debe ser posterior al inicio.']);
  });

  it('translates the service’s field messages; one it has no words for is still not shown in English', () => {
    expect(fieldMessage('calendar demo-cal-old (Antiguo) is inactive in GHL')).toBe('El calendario «Antiguo» está inactivo en GHL.');
    expect(fieldMessage('a cita lasts at most 12 hours')).toBe('La cita puede durar como máximo 12 horas.');
    expect(fieldMessage('something new')).toBe('Este dato no es válido: revíselo.');
  });
});
