/**
 * «Bloquear horario» and «Editar bloqueo» (issue 23): the form for a block (calendar, day, from,
 * to, the day it ends, reason), and the question before «Quitar bloqueo». What to do with the
 * values is the caller's, as with the cita form.
 */
import { focusPlaceOf, restoreFocus, type FocusPlace } from './agenda-view';
import type { Block } from './api';
import type { BlockFieldErrors, BlockFormValues } from './block-rules';
import { formatDay, formatTime, wallIn } from './clinic-time';
import { byId, h } from './dom';

export type BlockMode = 'crear' | 'editar';

const FIELDS = ['calendarId', 'day', 'from', 'to', 'endDay', 'title'] as const;

export class BlockDialog {
  private readonly dialog = byId<HTMLDialogElement>('dialogo-bloqueo');
  private readonly form = byId<HTMLFormElement>('form-bloqueo');
  private readonly summary = byId('bloqueo-errores');
  private mode: BlockMode = 'crear';

  constructor(onSubmit: (values: BlockFormValues, mode: BlockMode) => void) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      onSubmit(this.read(), this.mode);
    });
    byId('cerrar-bloqueo').addEventListener('click', () => this.close());
    // The end day follows the start day until someone sets it apart (a block over several days).
    let lastDay = '';
    this.input('day').addEventListener('focus', () => (lastDay = this.input('day').value));
    this.input('day').addEventListener('change', () => {
      if (this.input('endDay').value === lastDay || !this.input('endDay').value) this.input('endDay').value = this.input('day').value;
      lastDay = this.input('day').value;
    });
  }

  open(mode: BlockMode, values: BlockFormValues, calendars: { id: string; name: string }[], zoneLabel: string): void {
    this.mode = mode;
    byId('dialogo-bloqueo-titulo').textContent = mode === 'crear' ? 'Bloquear horario' : 'Editar bloqueo';
    byId('bloqueo-zona').textContent = `(hora de la clínica: ${zoneLabel})`;
    const options = [...calendars];
    if (values.calendarId && !options.some((c) => c.id === values.calendarId)) options.push({ id: values.calendarId, name: values.calendarId });
    this.input('calendarId').replaceChildren(...options.map((c) => h('option', { value: c.id }, c.name)));
    // A block stays on its calendar: moving it is removing it and blocking the other.
    (this.input('calendarId') as unknown as HTMLSelectElement).disabled = mode === 'editar';
    for (const name of FIELDS) this.input(name).value = values[name];
    this.clearErrors();
    this.setBusy(false);
    if (!this.dialog.open) this.dialog.showModal();
    this.input(mode === 'crear' ? 'calendarId' : 'from').focus();
  }

  read(): BlockFormValues {
    const v = (name: (typeof FIELDS)[number]) => this.input(name).value;
    return { calendarId: v('calendarId'), day: v('day'), from: v('from'), to: v('to'), endDay: v('endDay') || v('day'), title: v('title') };
  }

  showErrors(errors: BlockFieldErrors, summary: string): void {
    this.clearErrors();
    let first: HTMLElement | null = null;
    for (const [name, message] of Object.entries(errors) as [keyof BlockFormValues, string][]) {
      const el = document.getElementById(`bloqueo-${name}`);
      const slot = document.getElementById(`bloqueo-${name}-error`);
      if (!el || !slot) continue;
      slot.textContent = message;
      el.setAttribute('aria-invalid', 'true');
      first ??= el;
    }
    this.summary.replaceChildren(...(summary ? [h('p', {}, summary)] : []));
    (first ?? this.form.querySelector<HTMLElement>('#guardar-bloqueo'))?.focus();
  }

  clearErrors(): void {
    this.summary.replaceChildren();
    for (const slot of this.form.querySelectorAll('.field .error')) slot.textContent = '';
    for (const el of this.form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  setBusy(busy: boolean): void {
    const save = byId<HTMLButtonElement>('guardar-bloqueo');
    save.disabled = busy;
    save.textContent = busy ? 'Guardando…' : 'Guardar bloqueo';
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }

  private input(name: (typeof FIELDS)[number]): HTMLInputElement {
    return byId<HTMLInputElement>(`bloqueo-${name}`);
  }
}

// ── «Quitar bloqueo» asks first ──────────────────────────────────────────────────────────────

let removing: { confirm: () => Promise<string | null>; afterClose: () => Promise<void> } | null = null;
let opener: FocusPlace | null = null;
const removeDialog = () => byId<HTMLDialogElement>('dialogo-quitar-bloqueo');

/** `confirm` removes it and answers an error to show, or null when done; `afterClose` redraws. */
export function askToRemoveBlock(block: Block, zone: string, confirm: () => Promise<string | null>, afterClose: () => Promise<void>): void {
  removing = { confirm, afterClose };
  opener = focusPlaceOf(document.activeElement);
  byId('quitar-bloqueo-texto').textContent =
    `Se quitará el bloqueo «${block.title}» del ${formatDay(wallIn(block.start_time_utc, zone).day)}, ` +
    `${formatTime(block.start_time_utc, zone)} – ${formatTime(block.end_time_utc, zone)}. También se quitará en GHL, y ese horario quedará libre para agendar.`;
  byId('quitar-bloqueo-error').textContent = '';
  if (!removeDialog().open) removeDialog().showModal();
  byId('volver-quitar-bloqueo').focus();
}

export function wireRemoveBlockDialog(): void {
  byId('volver-quitar-bloqueo').addEventListener('click', () => removeDialog().close());
  removeDialog().addEventListener('close', () => {
    const lost = !document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected;
    if (lost && opener) restoreFocus(byId('dias'), opener);
  });
  const yes = byId<HTMLButtonElement>('confirmar-quitar-bloqueo');
  yes.addEventListener('click', async () => {
    if (!removing) return;
    yes.disabled = true;
    const done = removing;
    try {
      const error = await done.confirm();
      if (error) {
        byId('quitar-bloqueo-error').textContent = error;
        return;
      }
      removing = null;
      removeDialog().close();
    } finally {
      yes.disabled = false;
    }
    await done.afterClose();
  });
}
