/**
 * The page's side of issue 23 that needs no browser: the «Bloquear horario» form's checks and
 * bodies, and the Spanish sentences for a blocked slot, closed hours and a booking made anyway.
 */
import { describe, expect, it } from 'vitest';
import { blockBody, blockedSentence, blockFieldOf, blockPatch, blockSpan, blockValuesOf, conflictText, outsideHoursSentence, overlapSentence, validateBlockForm, type BlockFormValues } from '../../src/ui/browser/block-rules';
import { ApiProblem, problemMessage } from '../../src/ui/browser/problems';

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
const LIMA = 'America/Lima';
const lunch: BlockFormValues = { calendarId: 'cal-1', day: '2026-12-08', from: '13:00', endDay: '2026-12-08', to: '14:00', title: ' Almuerzo ' };

describe('the «Bloquear horario» form', () => {
  it('a valid block passes; its body sends wall times the service reads in the clinic zone', () => {
    expect(validateBlockForm(lunch, LIMA)).toEqual({});
    expect(blockBody(lunch, 'loc-1')).toEqual({ location_id: 'loc-1', calendar_id: 'cal-1', title: 'Almuerzo', start_time: '2026-12-08T13:00', end_time: '2026-12-08T14:00' });
  });

  it('says what is missing or wrong, field by field', () => {
    expect(validateBlockForm({ ...lunch, title: ' ', calendarId: '' }, LIMA)).toEqual({
      title: 'Escriba el motivo del bloqueo (por ejemplo, «Almuerzo»).',
      calendarId: 'Elija un calendario.',
    });
    expect(validateBlockForm({ ...lunch, from: '', to: '9' }, LIMA)).toEqual({ from: 'Escriba la hora de inicio (hh:mm).', to: 'Escriba la hora de fin (hh:mm).' });
    expect(validateBlockForm({ ...lunch, to: '12:00' }, LIMA)).toEqual({ to: 'El fin del bloqueo debe ser posterior a su inicio.' });
    expect(validateBlockForm({ ...lunch, endDay: '2026-02-30' }, LIMA)).toEqual({ endDay: 'Elija una fecha válida.' });
    // A vacation: ends days later, earlier in the day than it began.
    expect(validateBlockForm({ ...lunch, endDay: '2026-12-11', to: '09:00' }, LIMA)).toEqual({});
    // A wall time skipped by a DST change does not exist.
    expect(validateBlockForm({ ...lunch, day: '2026-03-08', endDay: '2026-03-08', from: '02:30', to: '04:00' }, 'America/New_York').from).toMatch(/no existe/);
  });

  it('an edit sends only what changed; a block read back gives the form its values', () => {
    const before = blockValuesOf({ calendar_id: 'cal-1', title: 'Almuerzo', start_time: '2026-12-08T13:00:00-05:00', end_time: '2026-12-08T14:00:00-05:00' }, LIMA);
    expect(before).toEqual({ ...lunch, title: 'Almuerzo' });
    expect(blockPatch(before, before)).toEqual({});
    expect(blockPatch({ ...before, to: '14:30' }, before)).toEqual({ end_time: '2026-12-08T14:30' });
    expect(blockPatch({ ...before, title: 'Curso', from: '12:30' }, before)).toEqual({ title: 'Curso', start_time: '2026-12-08T12:30' });
    expect(blockFieldOf('end_time')).toBe('to');
    expect(blockFieldOf('location_id')).toBeNull();
  });
});

describe('sentences about blocks and hours', () => {
  it('names the block and its times in the clinic’s wall clock, as the service wrote them', () => {
    expect(blockSpan({ start_time: '2026-12-08T13:00:00-05:00', end_time: '2026-12-08T14:00:00-05:00' })).toBe('13:00–14:00');
    expect(blockSpan({ start_time: '2026-12-08T18:00:00-05:00', end_time: '2026-12-09T00:00:00-05:00' })).toBe('18:00–24:00');
    expect(plain(blockSpan({ start_time: '2026-12-14T00:00:00-05:00', end_time: '2026-12-19T00:00:00-05:00' }))).toMatch(/^lun, 14 dic\.? 00:00 – vie, 18 dic\.? 24:00$/);
    expect(blockedSentence({ title: 'Almuerzo', start_time: '2026-12-08T13:00:00-05:00', end_time: '2026-12-08T14:00:00-05:00' })).toBe('El horario está bloqueado por "Almuerzo" (13:00–14:00).');
  });

  it('the 409 slot_blocked and the 422 outside_working_hours, in Spanish', () => {
    const blocked = new ApiProblem(409, 'slot_blocked', 'the slot is blocked', [], null, { block: { id: 'b1', calendar_id: 'c', title: 'Almuerzo', start_time: '2026-12-08T13:00:00-05:00', end_time: '2026-12-08T14:00:00-05:00' } });
    expect(problemMessage(blocked, 'cita')).toBe('El horario está bloqueado por "Almuerzo" (13:00–14:00). Elija otra hora u otro calendario.');
    const outside = new ApiProblem(422, 'outside_working_hours', 'outside', [{ field: 'start_time', message: 'x' }], null, {
      working_hours: { fecha: '2026-12-08', weekday: 2, hours: [{ open: '09:00', close: '18:00' }] },
    });
    expect(problemMessage(outside, 'cita')).toBe('Fuera del horario de atención (09:00–18:00 el martes). Elija otra hora u otro calendario.');
    expect(outsideHoursSentence({ weekday: 0, hours: [] })).toBe('Fuera del horario de atención (cerrado el domingo).');
    // Without the details, still a sentence.
    expect(problemMessage(new ApiProblem(409, 'slot_blocked', ''), 'cita')).toBe('El horario está bloqueado en ese calendario. Elija otra hora u otro calendario.');
  });

  it('citas under a new block, and why a cita is flagged', () => {
    expect(overlapSentence([])).toBe('');
    expect(overlapSentence([{}])).toBe('Hay 1 cita en ese horario: revísela.');
    expect(overlapSentence([{}, {}])).toBe('Hay 2 citas en ese horario: revíselas.');
    expect(conflictText({ conflict: false })).toBeNull();
    expect(conflictText({ conflict: true, conflict_reason: 'overlap', blocked_by: null })).toBe('Conflicto: se superpone con otra cita');
    expect(conflictText({ conflict: true, conflict_reason: 'blocked', blocked_by: { title: 'Almuerzo' } })).toBe('Dentro de un bloqueo: "Almuerzo"');
  });
});
