/**
 * The create / edit dialog: fills the form, reads it back, shows errors next to their fields and
 * in a summary. What to do with the values (check, send, react to the answer) is the caller's.
 */
import { byId, h } from './dom';
import { endAfter, type CitaFormValues, type FieldErrors, type FieldName } from './form-rules';
import { EDITABLE_STATUSES, STATUS_LABEL } from './labels';
import { PatientPicker, type PatientSource } from './patient-picker';
import { isScope, NO_REPEAT, REPEAT_OPTIONS, sessionLabel, type RepeatFreq, type RepeatValues, type Scope } from './series-rules';

export type FormMode = 'crear' | 'editar';

export interface OpenOptions {
  mode: FormMode;
  values: CitaFormValues;
  calendars: { id: string; name: string }[];
  zoneLabel: string;
  /** Edit only: the cita is in GHL, whose appointment edit cannot change the patient. */
  patientFixed?: boolean;
  /** Edit only: the series the cita is a session of; the form then asks which sessions to change. */
  series?: { index: number | null; count: number | null } | null;
}

const TEXT_FIELDS = ['title', 'calendarId', 'day', 'start', 'end', 'status', 'notes'] as const;
type TextField = (typeof TEXT_FIELDS)[number];

export class CitaDialog {
  private readonly dialog = byId<HTMLDialogElement>('dialogo-cita');
  private readonly form = byId<HTMLFormElement>('form-cita');
  private readonly summary = byId('cita-errores');
  private mode: FormMode = 'crear';
  private readonly patient: PatientPicker;

  constructor(onSubmit: (values: CitaFormValues, mode: FormMode) => void, patients: PatientSource) {
    this.patient = new PatientPicker(patients);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      onSubmit(this.read(), this.mode);
    });
    byId('cerrar-cita').addEventListener('click', () => this.close());
    for (const button of this.form.querySelectorAll<HTMLButtonElement>('button[data-minutos]')) {
      button.addEventListener('click', () => {
        const end = endAfter(this.input('start').value, Number(button.dataset.minutos));
        if (!end) return this.showErrors({ start: 'Escriba primero la hora de inicio.' }, '');
        this.input('end').value = end.end;
        this.checkbox().checked = end.endsNextDay;
      });
    }
    byId<HTMLSelectElement>('cita-repeat').replaceChildren(...REPEAT_OPTIONS.map(([value, label]) => h('option', { value }, label)));
    byId('cita-repeat').addEventListener('change', () => this.showRepeatEnd());
    // Typing a number of sessions or a last day is choosing that way of ending.
    byId('cita-repeatCount').addEventListener('input', () => (byId<HTMLInputElement>('cita-repeatEnd-count').checked = true));
    byId('cita-repeatUntil').addEventListener('input', () => (byId<HTMLInputElement>('cita-repeatEnd-until').checked = true));
  }

  private showRepeatEnd(): void {
    byId('cita-repetir-fin').hidden = !byId<HTMLSelectElement>('cita-repeat').value;
  }

  /** Which sessions an edit reaches: «Solo esta sesión» unless another is chosen. */
  get scope(): Scope {
    const checked = this.form.querySelector<HTMLInputElement>('input[name="cita-scope"]:checked')?.value;
    return !byId('cita-alcance').hidden && isScope(checked) ? checked : 'this';
  }

  private fillRepeat(r: RepeatValues): void {
    byId<HTMLSelectElement>('cita-repeat').value = r.freq;
    byId<HTMLInputElement>(`cita-repeatEnd-${r.end}`).checked = true;
    byId<HTMLInputElement>('cita-repeatCount').value = r.count;
    byId<HTMLInputElement>('cita-repeatUntil').value = r.until;
    this.showRepeatEnd();
  }

  private readRepeat(): RepeatValues {
    return {
      freq: byId<HTMLSelectElement>('cita-repeat').value as RepeatFreq,
      end: byId<HTMLInputElement>('cita-repeatEnd-until').checked ? 'until' : 'count',
      count: byId<HTMLInputElement>('cita-repeatCount').value,
      until: byId<HTMLInputElement>('cita-repeatUntil').value,
    };
  }

  open(opts: OpenOptions): void {
    this.mode = opts.mode;
    byId('dialogo-cita-titulo').textContent = opts.mode === 'crear' ? 'Nueva cita' : 'Editar cita';
    byId('cita-zona').textContent = `(hora de la clínica: ${opts.zoneLabel})`;
    const calendars = [...opts.calendars];
    if (opts.values.calendarId && !calendars.some((c) => c.id === opts.values.calendarId)) calendars.push({ id: opts.values.calendarId, name: opts.values.calendarId });
    this.input('calendarId').replaceChildren(...calendars.map((c) => h('option', { value: c.id }, c.name)));
    const statuses = opts.mode === 'crear' ? (['new', 'confirmed'] as const) : EDITABLE_STATUSES;
    this.input('status').replaceChildren(...statuses.map((s) => h('option', { value: s }, STATUS_LABEL[s] ?? s)));
    this.fill(opts.values, opts.mode === 'editar' && !!opts.patientFixed);
    // A series is made when booking; a session of one is edited alone or with its series.
    byId('cita-repetir').hidden = opts.mode !== 'crear';
    this.fillRepeat(opts.values.repeat ?? NO_REPEAT);
    const session = opts.mode === 'editar' ? sessionLabel(opts.series) : null;
    byId('cita-alcance').hidden = !session;
    byId('cita-alcance-sesion').textContent = session ? `Esta cita es parte de una serie (${session}).` : '';
    for (const radio of this.form.querySelectorAll<HTMLInputElement>('input[name="cita-scope"]')) radio.checked = radio.value === 'this';
    this.clearErrors();
    this.setBusy(false);
    if (!this.dialog.open) this.dialog.showModal();
    this.input('title').focus();
  }

  /** Puts values in the form (also after "load the current version"). */
  fill(v: CitaFormValues, patientFixed: boolean): void {
    for (const name of TEXT_FIELDS) this.input(name).value = v[name];
    this.checkbox().checked = v.endsNextDay;
    this.patient.reset(v.patient, patientFixed);
  }

  read(): CitaFormValues {
    const value = (name: TextField) => this.input(name).value;
    return {
      title: value('title'),
      patient: this.patient.value,
      calendarId: value('calendarId'),
      day: value('day'),
      start: value('start'),
      end: value('end'),
      endsNextDay: this.checkbox().checked,
      status: value('status'),
      notes: value('notes'),
      ...(this.mode === 'crear' ? { repeat: this.readRepeat() } : {}),
    };
  }

  /** Each message next to its field (and the field marked invalid), the first one focused. */
  showErrors(errors: FieldErrors, summary: string, action?: { label: string; run: () => void }): void {
    this.clearErrors();
    let first: HTMLElement | null = null;
    for (const [name, message] of Object.entries(errors) as [FieldName, string][]) {
      const el = document.getElementById(`cita-${name}`);
      const slot = document.getElementById(`cita-${name}-error`);
      if (!el || !slot) continue;
      slot.textContent = message;
      el.setAttribute('aria-invalid', 'true');
      first ??= el;
    }
    const lines = [summary, ...Object.values(errors).filter((m) => m && !summary.includes(m))].filter(Boolean);
    this.summary.replaceChildren(
      ...(lines.length ? [h('p', {}, lines[0]!), ...(lines.length > 1 ? [h('ul', {}, ...lines.slice(1).map((l) => h('li', {}, l)))] : [])] : []),
      ...(action ? [h('button', { type: 'button', on: { click: action.run } }, action.label)] : []),
    );
    (first ?? this.summary.querySelector('button'))?.focus();
  }

  clearErrors(): void {
    this.summary.replaceChildren();
    for (const slot of this.form.querySelectorAll('.field .error')) slot.textContent = '';
    for (const el of this.form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  setBusy(busy: boolean): void {
    const save = byId<HTMLButtonElement>('guardar-cita');
    save.disabled = busy;
    save.textContent = busy ? 'Guardando…' : 'Guardar cita';
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }

  get isOpen(): boolean {
    return this.dialog.open;
  }

  private input(name: TextField): HTMLInputElement {
    return byId<HTMLInputElement>(`cita-${name}`);
  }

  private checkbox(): HTMLInputElement {
    return byId<HTMLInputElement>('cita-endsNextDay');
  }
}
