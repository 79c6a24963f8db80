/**
 * The page's side of issue 24 that needs no browser: «Repetir» checked and sent, «Sesión 3 de 10»,
 * the sentences for a colliding series, one booked skipping some, and a scoped change.
 */
import { describe, expect, it } from 'vitest';
import { createBody, formFieldOf, validateCitaForm, type CitaFormValues } from '../../src/ui/browser/form-rules';
import { ApiProblem, fieldLabel, problemMessage } from '../../src/ui/browser/problems';
import { candidateLabel, collisionLine, collisionReason, collisionsOf, NO_REPEAT, repeatBody, seriesCreatedSentence, seriesUpdatedSentence, sessionLabel, validateRepeat } from '../../src/ui/browser/series-rules';

const LIMA = 'America/Lima';
const base: CitaFormValues = {
  title: 'Terapia',
  patient: { id: 'c-ana', name: 'Ana Pérez', phone: null, email: null, deleted: false },
  calendarId: 'cal-1',
  day: '2027-03-02',
  start: '10:00',
  end: '10:45',
  endsNextDay: false,
  status: 'new',
  notes: '',
};
const slot = (s: { start_time: string; end_time: string }) => `${s.start_time.slice(0, 10)} ${s.start_time.slice(11, 16)}–${s.end_time.slice(11, 16)}`;

describe('«Repetir» in the new-cita form', () => {
  it('no repeat sends a single cita; «Cada semana, 10 sesiones» and «Hasta el» send repeat', () => {
    expect(createBody({ ...base, repeat: NO_REPEAT }, 'loc')).not.toHaveProperty('repeat');
    expect(createBody({ ...base, repeat: { freq: 'weekly', end: 'count', count: '10', until: '' } }, 'loc')).toMatchObject({ start_time: '2027-03-02T10:00', repeat: { freq: 'weekly', count: 10 } });
    expect(repeatBody({ freq: 'monthly', end: 'until', count: '10', until: '2027-06-02' })).toEqual({ freq: 'monthly', until: '2027-06-02' });
    expect(repeatBody({ freq: 'daily', end: 'count', count: '5', until: '2027-06-02' })).toEqual({ freq: 'daily', count: 5 });
  });

  it('checks the number of sessions and the last day before sending, in Spanish', () => {
    const weekly = (end: 'count' | 'until', count: string, until = '') => ({ freq: 'weekly' as const, end, count, until });
    expect(validateRepeat(weekly('count', '10'), base.day, LIMA)).toEqual({});
    for (const bad of ['1', '25', '', '3.5', 'diez']) expect(validateRepeat(weekly('count', bad), base.day, LIMA)).toEqual({ repeatCount: 'Escriba un número de sesiones entre 2 y 24.' });
    expect(validateRepeat(weekly('until', '10'), base.day, LIMA)).toEqual({ repeatUntil: 'Elija la fecha de la última sesión.' });
    expect(validateRepeat(weekly('until', '10', '2027-03-02'), base.day, LIMA)).toEqual({ repeatUntil: 'La fecha final debe ser posterior a la primera sesión.' });
    expect(validateRepeat(weekly('until', '10', '2027-05-11'), base.day, LIMA)).toEqual({});
    // 24 weeks on from the first is the 25th session.
    expect(validateRepeat(weekly('until', '10', '2027-08-17'), base.day, LIMA).repeatUntil).toMatch(/como máximo 24 sesiones/);
    expect(validateRepeat({ freq: 'daily', end: 'until', count: '', until: '2027-03-26' }, base.day, LIMA).repeatUntil).toMatch(/como máximo 24/);
    expect(validateRepeat({ freq: 'daily', end: 'until', count: '', until: '2027-03-25' }, base.day, LIMA)).toEqual({});
    expect(validateRepeat(NO_REPEAT, base.day, LIMA)).toEqual({});
    // Part of the form's own check, only when booking.
    expect(validateCitaForm({ ...base, repeat: weekly('count', '30') }, LIMA, 'crear')).toEqual({ repeatCount: 'Escriba un número de sesiones entre 2 y 24.' });
  });

  it('the service’s field names for a series land beside «Repetir» and read in Spanish', () => {
    expect(formFieldOf('repeat.count')).toBe('repeatCount');
    expect(formFieldOf('repeat.until')).toBe('repeatUntil');
    expect(formFieldOf('repeat')).toBe('repeat');
    expect(fieldLabel('repeat.until')).toBe('Hasta el');
    expect(fieldLabel('scope')).toBe('Sesiones de la serie');
  });
});

describe('sessions and scopes', () => {
  it('a card says which session it is', () => {
    expect(sessionLabel({ index: 3, count: 10 })).toBe('Sesión 3 de 10');
    expect(sessionLabel({ index: 3, count: null })).toBe('Sesión 3');
    expect(sessionLabel(null)).toBeNull();
  });

  it('a scoped edit or cancel says how many other sessions it reached', () => {
    expect(seriesUpdatedSentence(undefined, 'cancel')).toBe('');
    expect(seriesUpdatedSentence(4, 'cancel')).toBe('También se cancelaron 4 sesiones más de la serie.');
    expect(seriesUpdatedSentence(1, 'edit')).toBe('También se cambió 1 sesión más de la serie.');
    expect(seriesUpdatedSentence(0, 'edit')).toBe('No había otras sesiones de la serie que cambiar.');
  });
});

describe('a series that collides', () => {
  const problem = new ApiProblem(409, 'series_conflict', 'Some occurrences collide.', [], null, {
    collisions: [
      { index: 4, start_time: '2027-03-23T10:00:00-05:00', end_time: '2027-03-23T10:45:00-05:00', reason: 'slot_taken', cita: { id: 'x', title: 'Control', start_time: '', end_time: '' } },
      { index: 6, start_time: '2027-04-06T10:00:00-05:00', end_time: '2027-04-06T10:45:00-05:00', reason: 'slot_blocked', block: { id: 'b', title: 'Almuerzo', start_time: '', end_time: '' } },
      { index: 9, start_time: '2027-04-27T10:00:00-05:00', end_time: '2027-04-27T10:45:00-05:00', reason: 'outside_working_hours' },
      { nonsense: true },
    ],
  });

  it('every colliding session: date, time and why', () => {
    const collisions = collisionsOf(problem.extra);
    expect(collisions.map((c) => collisionLine(c, slot))).toEqual([
      'Sesión 4 · 2027-03-23 10:00–10:45: ocupado por "Control"',
      'Sesión 6 · 2027-04-06 10:00–10:45: bloqueado: "Almuerzo"',
      'Sesión 9 · 2027-04-27 10:00–10:45: fuera del horario',
    ]);
    expect(collisionReason({ reason: 'slot_taken' })).toBe('ocupado por otra cita');
    expect(collisionsOf({})).toEqual([]);
    expect(problemMessage(problem)).toMatch(/^No se agendó la serie: 4 sesiones chocan/);
  });

  it('booked: how many, from when, and the sessions skipped', () => {
    expect(seriesCreatedSentence('Terapia', 10, 'martes, 2 de marzo, 10:00 a. m.')).toBe('Serie creada: 10 sesiones de «Terapia» (la primera: martes, 2 de marzo, 10:00 a. m.). Se envían a GHL en segundo plano.');
    const skipped = collisionsOf(problem.extra).slice(0, 2);
    expect(seriesCreatedSentence('Terapia', 8, 'martes, 2 de marzo', skipped)).toBe(
      'Serie creada: 8 sesiones de «Terapia» (la primera: martes, 2 de marzo); se omitieron 2: sesión 4 (ocupado por "Control"), sesión 6 (bloqueado: "Almuerzo"). Se envían a GHL en segundo plano.',
    );
  });

  it('a candidate of an ambiguous match is named by title and time', () => {
    expect(candidateLabel({ ghl_appointment_id: 'g1', title: null, start_time: '2027-03-02T10:00:00-05:00', end_time: '2027-03-02T10:30:00-05:00', contact_id: null }, slot)).toBe('«sin motivo», 2027-03-02 10:00–10:30');
  });
});

describe('connect-time matches', () => {
  it('a cita left ambiguous is flagged in words on its card and in «Conflictos»', async () => {
    const { conflictText } = await import('../../src/ui/browser/block-rules');
    expect(conflictText({ conflict: true, conflict_reason: 'ambiguous_match', blocked_by: null })).toBe('Sin vincular: varias citas de GHL podrían ser esta');
  });
});
