/**
 * Booking into a blocked stretch, or outside the calendar's working hours (issue 23): the service
 * refuses (409 slot_blocked, 422 outside_working_hours) and the person decides. The dialog says
 * why and asks; «Agendar de todos modos» sends the cita again with `force: true`, «Volver» (or
 * Escape) goes back to the form to pick another time. The keyboard starts on «Volver», the safe
 * answer (Enter by reflex books nothing), and goes back to the form when the dialog closes.
 */
import { byId } from './dom';

interface Pending {
  /** Sends the cita again, forced; shows its own outcome (closes the form, or an error in it). */
  confirm: () => Promise<void>;
  /** Back to the form, nothing sent. */
  back: () => void;
}

let pending: Pending | null = null;

const dialog = () => byId<HTMLDialogElement>('dialogo-forzar');

/** `sentence`: what stands in the way, in Spanish («El horario está bloqueado por "Almuerzo" (13:00–14:00).»). */
export function askToForce(sentence: string, confirm: () => Promise<void>, back: () => void): void {
  pending = { confirm, back };
  byId('forzar-texto').textContent = `${sentence} ¿Agendar de todos modos?`;
  byId('forzar-error').textContent = '';
  if (!dialog().open) dialog().showModal();
  byId('volver-forzar').focus();
}

export function wireForceDialog(): void {
  byId('volver-forzar').addEventListener('click', () => dialog().close());
  // Closed by «Volver» or Escape: back to the form. (Closed by the confirmation: nothing pending.)
  dialog().addEventListener('close', () => {
    const left = pending;
    pending = null;
    left?.back();
  });
  byId('confirmar-forzar').addEventListener('click', () => {
    const chosen = pending;
    if (!chosen) return;
    pending = null;
    dialog().close();
    void chosen.confirm();
  });
}
