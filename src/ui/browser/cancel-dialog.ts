/**
 * Cancelling asks first: a cancelled cita frees its slot and is cancelled in GHL too. The
 * question names the cita and its time in the clinic's zone; an error stays in the dialog.
 */
import type { Cita } from './api';
import { formatDay, formatTime, wallIn } from './clinic-time';
import { byId } from './dom';

let pending: { cita: Cita; confirm: () => Promise<string | null> } | null = null;

const dialog = () => byId<HTMLDialogElement>('dialogo-cancelar');

/** `confirm` does the cancel; it answers an error message to show, or null when done. */
export function askToCancel(cita: Cita, zone: string, confirm: () => Promise<string | null>): void {
  pending = { cita, confirm };
  byId('cancelar-texto').textContent =
    `Se cancelará «${cita.title}» del ${formatDay(wallIn(cita.start_time_utc, zone).day)}, ` +
    `${formatTime(cita.start_time_utc, zone)} – ${formatTime(cita.end_time_utc, zone)}. También quedará cancelada en GHL.`;
  byId('cancelar-error').textContent = '';
  if (!dialog().open) dialog().showModal();
  // The safe answer has the focus: Enter by reflex must not cancel a cita.
  byId('volver-cancelar').focus();
}

export function wireCancelDialog(): void {
  byId('volver-cancelar').addEventListener('click', () => dialog().close());
  const yes = byId<HTMLButtonElement>('confirmar-cancelar');
  yes.addEventListener('click', async () => {
    if (!pending) return;
    yes.disabled = true;
    try {
      const error = await pending.confirm();
      if (error) byId('cancelar-error').textContent = error;
      else {
        pending = null;
        dialog().close();
      }
    } finally {
      yes.disabled = false;
    }
  });
}
