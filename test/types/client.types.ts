/**
 * Type-level checks of the typed client, run by `npm test`'s typecheck (tsc --noEmit): a wrong body
 * must fail to compile (each @ts-expect-error below would itself be an error if it compiled), and a
 * right one must return the cita type.
 */
import { citasClient, type CitaView } from '../../src/client';

const api = citasClient('http://localhost', { apiKey: 'k' });
const valid = { location_id: 'l', title: 'Control', contact_id: 'c', start_time: '2027-01-01T09:00', end_time: '2027-01-01T09:30' };

export async function typeChecks() {
  // @ts-expect-error title must be a string
  await api.api.citas.$post({ json: { ...valid, title: 1 } });
  // @ts-expect-error start_time is required
  await api.api.citas.$post({ json: { location_id: 'l', title: 'x', contact_id: 'c', end_time: '2027-01-01T09:30' } });
  // @ts-expect-error status is one of the cita statuses
  await api.api.citas[':id'].$patch({ param: { id: 'x' }, json: { status: 'done' } });
  // @ts-expect-error the list needs location_id
  await api.api.citas.$get({ query: {} });

  // @ts-expect-error the patients' search needs location_id
  await api.api.contacts.$get({ query: { q: 'ana' } });
  const found = await api.api.contacts.$get({ query: { location_id: 'l', q: 'ana' } });
  if (found.status === 200) {
    const { data } = await found.json();
    const name: string | null | undefined = data[0]?.name;
    // @ts-expect-error a patient has no such field
    void data[0]?.not_a_field;
    void name;
  }

  const res = await api.api.citas.$post({ json: valid });
  await api.api.citas[':id'].$patch({ param: { id: 'x' }, json: { status: 'confirmed' } });
  if (res.status === 201) {
    const cita = await res.json();
    const typed: Pick<CitaView, 'id' | 'start_time' | 'sync'> = cita;
    // @ts-expect-error no such field on a cita
    void cita.not_a_field;
    return typed;
  }
  const listed = await api.api.citas.$get({ query: { location_id: 'l' } });
  // A 304 (If-None-Match) has no body: the status narrows the answer to the page.
  if (listed.status !== 200) return undefined;
  const page = await listed.json();
  if ('data' in page) return page.data[0]?.start_time_utc;
  return undefined;
}
