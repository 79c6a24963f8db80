/**
 * Cancelling asks first: a cancelled cita frees its slot and is cancelled in GHL too. The
 * question names the cita and its time in the clinic's zone; an error stays in the dialog. When it
 * closes, the keyboard goes back to the card it was asked from (see restoreFocus).
 */
import { focusPlaceOf, restoreFocus, type FocusPlace } from './agenda-view';
import type { Cita } from './api';
import { formatDay, formatTime, wallIn } from './clinic-time';
import { byId } from './dom';
import { isScope, sessionLabel, type Scope } from './series-rules';

interface Pending {
  cita: Cita;
  /** `scope`: for a session of a series, which sessions to cancel (issue 24); 'this' otherwise. */
  confirm: (scope: Scope) => Promise<string | null>;
  afterClose: () => Promise<void>;
}

let pending: Pending | null = null;
/** The agenda action that asked (its card may be redrawn, or gone, by the time the dialog closes). */
let opener: FocusPlace | null = null;

const dialog = () => byId<HTMLDialogElement>('dialogo-cancelar');

/**
 * `confirm` does the cancel; it answers an error message to show, or null when done.
 * `afterClose` runs once the dialog has closed after a done cancel (the agenda's reload): redrawn
 * before, the card would take the keyboard's place away while the dialog still held it.
 */
export function askToCancel(cita: Cita, zone: string, confirm: (scope: Scope) => Promise<string | null>, afterClose: () => Promise<void> = async () => {}): void {
  pending = { cita, confirm, afterClose };
  opener = focusPlaceOf(document.activeElement);
  byId('cancelar-texto').textContent =
    `Se cancelará «${cita.title}» del ${formatDay(wallIn(cita.start_time_utc, zone).day)}, ` +
    `${formatTime(cita.start_time_utc, zone)} – ${formatTime(cita.end_time_utc, zone)}. También quedará cancelada en GHL.`;
  byId('cancelar-error').textContent = '';
  // A session of a series: which sessions, «Solo esta sesión» unless another is chosen.
  const session = sessionLabel(cita.series);
  byId('cancelar-alcance').hidden = !session;
  byId('cancelar-alcance-sesion').textContent = session ? `Esta cita es parte de una serie (${session}).` : '';
  for (const radio of dialog().querySelectorAll<HTMLInputElement>('input[name="cancelar-scope"]')) radio.checked = radio.value === 'this';
  if (!dialog().open) dialog().showModal();
  // The safe answer has the focus: Enter by reflex must not cancel a cita.
  byId('volver-cancelar').focus();
}

function chosenScope(): Scope {
  const checked = dialog().querySelector<HTMLInputElement>('input[name="cancelar-scope"]:checked')?.value;
  return !byId('cancelar-alcance').hidden && isScope(checked) ? checked : 'this';
}

export function wireCancelDialog(): void {
  byId('volver-cancelar').addEventListener('click', () => dialog().close());
  // The dialog gives the focus back to the button that opened it; if a poll redrew that button
  // away meanwhile, the focus would fall to <body>: the same card (or its place) takes it instead.
  dialog().addEventListener('close', () => {
    const lost = !document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected;
    if (lost && opener) restoreFocus(byId('dias'), opener);
  });
  const yes = byId<HTMLButtonElement>('confirmar-cancelar');
  yes.addEventListener('click', async () => {
    if (!pending) return;
    yes.disabled = true;
    const done = pending;
    try {
      const error = await done.confirm(chosenScope());
      if (error) {
        byId('cancelar-error').textContent = error;
        return;
      }
      pending = null;
      dialog().close();
    } finally {
      yes.disabled = false;
    }
    await done.afterClose();
  });
}
