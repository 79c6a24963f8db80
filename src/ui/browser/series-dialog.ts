/**
 * A series some of whose sessions cannot be booked (409 series_conflict, issue 24): the service
 * booked nothing. The dialog lists every colliding session (date, time, why) and asks:
 * «Agendar solo las sesiones libres» sends the series again with `on_conflict: 'skip'`; «Volver»
 * (or Escape) goes back to the form to change the time. The keyboard starts on «Volver», the safe
 * answer, as in the force dialog.
 */
import { byId, h } from './dom';

interface Pending {
  /** Sends the series again, skipping the colliding sessions; shows its own outcome. */
  confirm: () => Promise<void>;
  /** Back to the form, nothing sent. */
  back: () => void;
}

let pending: Pending | null = null;

const dialog = () => byId<HTMLDialogElement>('dialogo-serie');

/** `sentence` says what happened; `lines`, one per colliding session («Sesión 4 · …: ocupado por "Control"»). */
export function askAboutCollisions(sentence: string, lines: string[], confirm: () => Promise<void>, back: () => void): void {
  pending = { confirm, back };
  byId('serie-texto').textContent = sentence;
  byId('serie-choques').replaceChildren(...lines.map((l) => h('li', {}, l)));
  byId('serie-error').textContent = '';
  if (!dialog().open) dialog().showModal();
  byId('volver-serie').focus();
}

export function wireSeriesDialog(): void {
  byId('volver-serie').addEventListener('click', () => dialog().close());
  dialog().addEventListener('close', () => {
    const left = pending;
    pending = null;
    left?.back();
  });
  byId('confirmar-serie').addEventListener('click', () => {
    const chosen = pending;
    if (!chosen) return;
    pending = null;
    dialog().close();
    void chosen.confirm();
  });
}
