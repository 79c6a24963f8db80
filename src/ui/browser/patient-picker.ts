/**
 * «Paciente» in the cita dialog: an editable combobox with list autocomplete (WAI-ARIA 1.2's
 * combobox pattern) over GET /api/contacts, and the «Nuevo paciente» form its last option opens.
 *
 * Typing searches (after a pause of SEARCH_DELAY_MS; a search overtaken by more typing is
 * aborted, and a late answer of an older one is dropped). The list keeps DOM focus on the box:
 * arrows move the active option (aria-activedescendant), Enter picks it, Escape closes the list
 * (and only the list: the dialog stays open), Tab leaves it. Typing again drops the pick, so what
 * the box shows is always either the patient picked or a search.
 */
import type { Contact, ContactSearch } from './api';
import { byId, h } from './dom';
import { newPatientBody, newPatientFieldOf, newPatientFrom, patientText, validateNewPatient, type NewPatientErrors, type NewPatientValues, type Patient } from './patients';
import { ApiProblem, fieldLine, fieldMessage, problemMessage } from './problems';

const SEARCH_DELAY_MS = 250;
const HINT = 'Escriba parte del nombre, el teléfono o el correo y elija con las flechas y Enter. Si no está, elija «Nuevo paciente».';
/** GHL's appointment edit takes no contactId: a cita GHL has keeps its patient (the service says the same). */
const FIXED_HINT = 'GHL no permite cambiar el paciente de una cita que ya recibió: para otro paciente, cancele esta cita y cree otra.';
const NEW_FIELDS = ['first_name', 'last_name', 'phone', 'email'] as const;

export interface PatientSource {
  search(q: string, signal: AbortSignal): Promise<ContactSearch>;
  create(body: ReturnType<typeof newPatientBody>): Promise<{ contact: Contact; created: boolean }>;
  locationId(): string;
  /** A wrong or revoked key: the page goes back to the key entry (answers true); else the picker says what happened. */
  keyProblem(err: unknown): boolean;
}

/** An option of the list: a patient, or «Nuevo paciente». */
type Option = { kind: 'patient'; patient: Patient } | { kind: 'new' };

export class PatientPicker {
  private readonly input = byId<HTMLInputElement>('cita-patient');
  private readonly popup = byId('cita-patient-popup');
  private readonly list = byId('cita-patient-lista');
  private readonly note = byId('cita-patient-nota');
  private readonly chosenLine = byId('cita-patient-elegido');
  private readonly status = byId('cita-patient-estado');
  private readonly group = byId('paciente-nuevo');
  private readonly groupError = byId('paciente-nuevo-error');
  private readonly createButton = byId<HTMLButtonElement>('crear-paciente');
  private readonly hint = byId('cita-patient-ayuda');

  private choice: Patient | null = null;
  /** The cita's patient cannot change (GHL has the cita). */
  private fixed = false;
  private options: Option[] = [];
  private active = -1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: AbortController | null = null;
  /** What the list shows the results of: an answer for other text is stale. */
  private shownFor: string | null = null;

  constructor(private readonly source: PatientSource) {
    this.input.addEventListener('input', () => this.typed());
    this.input.addEventListener('keydown', (e) => this.key(e));
    this.input.addEventListener('blur', () => {
      this.cancelSearch();
      this.close();
    });
    // Clicking an option must not take the focus from the box (the list would close first).
    this.list.addEventListener('mousedown', (e) => e.preventDefault());
    this.list.addEventListener('click', (e) => {
      const li = (e.target as HTMLElement).closest('li');
      if (li?.dataset.index) this.pick(Number(li.dataset.index));
    });
    this.createButton.addEventListener('click', () => void this.createPatient());
    byId('cancelar-paciente').addEventListener('click', () => this.closeNewPatient(true));
    for (const name of NEW_FIELDS) {
      this.newField(name).addEventListener('keydown', (e) => {
        // Inside the cita form: Enter creates the patient (not the cita), Escape closes this form (not the dialog).
        if (e.key === 'Enter') {
          e.preventDefault();
          void this.createPatient();
        } else if (e.key === 'Escape') {
          e.preventDefault();
          this.closeNewPatient(true);
        }
      });
    }
  }

  /** The patient picked, or null. */
  get value(): Patient | null {
    return this.choice;
  }

  /** Starts over with this patient (or none): the dialog opening, or the current version loaded. */
  reset(patient: Patient | null, fixed = false): void {
    this.cancelSearch();
    this.close();
    this.closeNewPatient(false);
    this.fixed = fixed;
    this.input.readOnly = fixed;
    this.hint.textContent = fixed ? FIXED_HINT : HINT;
    this.setChoice(patient);
    this.status.textContent = '';
  }

  // ── The box and its list ─────────────────────────────────────────────────────────────────

  private typed(): void {
    if (this.choice) this.setChoice(null, this.input.value);
    this.cancelSearch();
    this.timer = setTimeout(() => void this.search(), SEARCH_DELAY_MS);
  }

  private key(e: KeyboardEvent): void {
    if (this.fixed) return;
    const open = !this.popup.hidden;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open || this.shownFor !== this.input.value) {
        // A closed box (or one whose list is for older text): the list for what is typed, all patients
        // when nothing is; an arrow also moves onto it, Alt+ArrowDown only opens it.
        void this.search(e.altKey ? undefined : e.key === 'ArrowDown' ? 'first' : 'last');
        return;
      }
      const n = this.options.length;
      this.setActive(e.key === 'ArrowDown' ? (this.active + 1) % n : this.active <= 0 ? n - 1 : this.active - 1);
    } else if (e.key === 'Enter' && open) {
      // The list is open: Enter is about the list, never sending the cita.
      e.preventDefault();
      if (this.active >= 0) this.pick(this.active);
      else this.close();
    } else if (e.key === 'Escape' && open) {
      // Escape closes the list only: the dialog stays.
      e.preventDefault();
      e.stopPropagation();
      this.cancelSearch();
      this.close();
    } else if (e.key === 'Tab') {
      this.close();
    }
  }

  private cancelSearch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.inFlight?.abort();
    this.inFlight = null;
  }

  private async search(activate?: 'first' | 'last'): Promise<void> {
    this.cancelSearch();
    const q = this.input.value;
    const controller = new AbortController();
    this.inFlight = controller;
    this.status.textContent = 'Buscando pacientes…';
    let found: ContactSearch;
    try {
      found = await this.source.search(q.trim(), controller.signal);
    } catch (err) {
      if (controller.signal.aborted) return;
      this.inFlight = null;
      if (this.source.keyProblem(err) || document.activeElement !== this.input) return;
      this.show(q, [], `No se pudo buscar: ${err instanceof ApiProblem ? problemMessage(err) : String(err)}`);
      return;
    }
    // More typing since (its own search is coming), or the person has moved on.
    if (controller.signal.aborted || this.input.value !== q) return;
    this.inFlight = null;
    if (document.activeElement !== this.input) return;
    const note = found.ghl_search === 'unavailable' ? 'GHL no respondió: se muestran solo los pacientes ya conocidos por RV3.' : '';
    this.show(q, found.data, note);
    if (activate) this.setActive(activate === 'first' ? 0 : this.options.length - 1);
  }

  /** Draws the list for `q`: its patients, then «Nuevo paciente». */
  private show(q: string, patients: Contact[], note: string): void {
    this.shownFor = q;
    this.options = [...patients.map((patient): Option => ({ kind: 'patient', patient })), { kind: 'new' }];
    this.active = -1;
    const typed = q.trim();
    this.list.replaceChildren(
      ...this.options.map((o, i) => {
        const attrs = { role: 'option', id: `cita-patient-op-${i}`, 'aria-selected': 'false', data: { index: String(i) } };
        if (o.kind === 'new') return h('li', { ...attrs, class: 'new' }, typed ? `Nuevo paciente: «${typed}»…` : 'Nuevo paciente…');
        const [name, ...reach] = patientText(o.patient).split(' · ');
        return h('li', attrs, h('span', { class: 'name' }, name!), reach.length ? h('span', { class: 'reach' }, ` · ${reach.join(' · ')}`) : null);
      }),
    );
    const none = patients.length === 0 ? (typed ? `Ningún paciente coincide con «${typed}».` : 'Esta sede aún no tiene pacientes.') : '';
    this.note.textContent = [none, note].filter(Boolean).join(' ');
    this.status.textContent = patients.length
      ? `${patients.length === 1 ? '1 paciente encontrado' : `${patients.length} pacientes encontrados`}; flechas para recorrerlos, Enter para elegir.`
      : `${none} Puede elegir «Nuevo paciente».`;
    this.popup.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.input.removeAttribute('aria-activedescendant');
  }

  private setActive(i: number): void {
    this.active = i;
    for (const li of this.list.querySelectorAll('li')) {
      const on = li.dataset.index === String(i);
      li.classList.toggle('active', on);
      li.setAttribute('aria-selected', String(on));
      if (on) li.scrollIntoView({ block: 'nearest' });
    }
    if (i >= 0) this.input.setAttribute('aria-activedescendant', `cita-patient-op-${i}`);
    else this.input.removeAttribute('aria-activedescendant');
  }

  private close(): void {
    this.popup.hidden = true;
    this.active = -1;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  private pick(i: number): void {
    const o = this.options[i];
    if (!o) return;
    const typed = this.shownFor ?? this.input.value;
    this.close();
    if (o.kind === 'new') return this.openNewPatient(typed);
    this.setChoice(o.patient);
    this.status.textContent = `Paciente elegido: ${patientText(o.patient)}.`;
  }

  /** Shows the patient picked (by name in the box, name and phone under it), or none. */
  private setChoice(patient: Patient | null, typed?: string): void {
    this.choice = patient;
    if (typed === undefined) this.input.value = patient?.name ?? patient?.phone ?? patient?.email ?? '';
    this.chosenLine.textContent = patient ? `Paciente elegido: ${patientText(patient)}` : '';
    this.chosenLine.classList.toggle('deleted', !!patient?.deleted);
    if (patient) {
      this.input.removeAttribute('aria-invalid');
      byId('cita-patient-error').textContent = '';
    }
  }

  // ── «Nuevo paciente» ─────────────────────────────────────────────────────────────────────

  private newField(name: (typeof NEW_FIELDS)[number]): HTMLInputElement {
    return byId<HTMLInputElement>(`paciente-${name}`);
  }

  private openNewPatient(typed: string): void {
    const guess = newPatientFrom(typed);
    for (const name of NEW_FIELDS) this.newField(name).value = guess[name];
    this.showNewErrors({}, '');
    this.group.hidden = false;
    // The first field still empty (usually «Apellidos» or «Teléfono»), else «Nombres».
    (NEW_FIELDS.map((n) => this.newField(n)).find((el) => !el.value) ?? this.newField('first_name')).focus();
  }

  private closeNewPatient(focusBox: boolean): void {
    this.group.hidden = true;
    this.setCreating(false);
    if (focusBox) this.input.focus();
  }

  private readNew(): NewPatientValues {
    return { first_name: this.newField('first_name').value, last_name: this.newField('last_name').value, phone: this.newField('phone').value, email: this.newField('email').value };
  }

  private showNewErrors(errors: NewPatientErrors, summary: string): void {
    let first: HTMLElement | null = null;
    for (const name of NEW_FIELDS) {
      const el = this.newField(name);
      const message = errors[name];
      byId(`paciente-${name}-error`).textContent = message ?? '';
      if (message !== undefined) {
        el.setAttribute('aria-invalid', 'true');
        first ??= el;
      } else el.removeAttribute('aria-invalid');
    }
    this.groupError.textContent = summary;
    first?.focus();
  }

  private setCreating(busy: boolean): void {
    this.createButton.disabled = busy;
    this.createButton.textContent = busy ? 'Creando en GHL…' : 'Crear paciente';
  }

  private async createPatient(): Promise<void> {
    if (this.createButton.disabled) return;
    const values = this.readNew();
    const errors = validateNewPatient(values);
    if (Object.keys(errors).length) return this.showNewErrors(errors, '');
    this.showNewErrors({}, '');
    this.setCreating(true);
    try {
      const { contact, created } = await this.source.create(newPatientBody(values, this.source.locationId()));
      this.closeNewPatient(true);
      this.setChoice(contact);
      // The same email or phone: GHL's upsert found the patient it had (no duplicate).
      const said = created ? 'Paciente creado en GHL y elegido' : 'GHL ya tenía este paciente (mismo teléfono o correo): se eligió';
      this.chosenLine.textContent = `${said}: ${patientText(contact)}`;
      this.status.textContent = `${said}.`;
    } catch (err) {
      this.setCreating(false);
      if (this.source.keyProblem(err)) return;
      if (!(err instanceof ApiProblem)) return this.showNewErrors({}, `Error inesperado en la página: ${String(err)}`);
      const placed: NewPatientErrors = {};
      const unplaced: string[] = [];
      for (const f of err.status < 500 ? err.fields : []) {
        const name = newPatientFieldOf(f.field);
        if (name && !placed[name]) placed[name] = fieldMessage(f.message);
        else unplaced.push(fieldLine(f));
      }
      this.showNewErrors(placed, [problemMessage(err), ...unplaced].join(' '));
    }
  }
}
