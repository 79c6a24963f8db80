/**
 * Patients as the front desk reads them: a name and a way to call, never a GHL id; and the rules
 * of the «Nuevo paciente» form (the service's, in Spanish). No DOM here, so they are unit-tested.
 */

/** What the page knows of a patient: a cita's `contact` or a search result (GET /api/contacts). */
export interface Patient {
  /** GHL's contact id: sent back to the service, never shown. Null: a cita made by details not yet in GHL. */
  id: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  deleted: boolean;
}

/** A Peruvian mobile (+51 and nine digits) in threes, as people read it aloud; any other number as GHL keeps it. */
export function phoneText(phone: string): string {
  const m = /^\+51(\d{3})(\d{3})(\d{3})$/.exec(phone.replace(/[\s()-]/g, ''));
  return m ? `+51 ${m[1]} ${m[2]} ${m[3]}` : phone;
}

/** How to reach the patient: the phone, else the email. */
function reachOf(p: Patient): string | null {
  return p.phone ? phoneText(p.phone) : p.email;
}

/**
 * One line for a patient (cards, the picker, the history): «Ana Pérez Quispe · +51 999 000 111».
 * A contact GHL deleted keeps its last known name; one whose details have not arrived yet (the
 * service learns them within seconds, the agenda's polling brings them) says so.
 */
export function patientText(p: Patient | null): string {
  if (!p) return 'Sin paciente';
  const reach = reachOf(p);
  if (p.deleted) return `${p.name ?? 'Sin nombre'} · Paciente eliminado en GHL`;
  if (p.name) return reach ? `${p.name} · ${reach}` : p.name;
  if (reach) return `${reach} (sin nombre en GHL)`;
  return p.id ? 'Cargando datos del paciente…' : 'Sin paciente';
}

/** The name alone (the history), or what stands for it. */
export function patientName(p: Patient | null): string {
  if (!p) return 'otro paciente';
  if (p.deleted) return `${p.name ?? 'sin nombre'} (eliminado en GHL)`;
  return p.name ?? reachOf(p) ?? 'paciente sin nombre';
}

// ── «Nuevo paciente» ──────────────────────────────────────────────────────────────────────────

/** The «Nuevo paciente» form, as typed. */
export interface NewPatientValues {
  first_name: string;
  last_name: string;
  phone: string;
  email: string;
}

export type NewPatientErrors = Partial<Record<keyof NewPatientValues, string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The service's rule (src/routes/contacts/schemas.ts). */
const PHONE = /^\+?[0-9 ()-]{6,20}$/;

/**
 * What was typed in «Paciente» before choosing «Nuevo paciente», put where it belongs: an email,
 * a phone, or a name (first word the names, the rest the surnames: «Rosa Huamán Torres»).
 */
export function newPatientFrom(typed: string): NewPatientValues {
  const text = typed.trim().replace(/\s+/g, ' ');
  const empty = { first_name: '', last_name: '', phone: '', email: '' };
  if (!text) return empty;
  if (text.includes('@')) return { ...empty, email: text };
  if (/^[+\d() -]+$/.test(text) && (text.match(/\d/g) ?? []).length >= 6) return { ...empty, phone: text };
  const [first, ...rest] = text.split(' ');
  return { ...empty, first_name: first!, last_name: rest.join(' ') };
}

/** The service's rules for a new patient, said field by field before anything is sent. */
export function validateNewPatient(v: NewPatientValues): NewPatientErrors {
  const errors: NewPatientErrors = {};
  const [first, last, phone, email] = [v.first_name.trim(), v.last_name.trim(), v.phone.trim(), v.email.trim()];
  if (!first && !last) errors.first_name = 'Escriba los nombres del paciente (o sus apellidos).';
  if (first.length > 100) errors.first_name = 'Los nombres admiten hasta 100 caracteres.';
  if (last.length > 100) errors.last_name = 'Los apellidos admiten hasta 100 caracteres.';
  if (!phone && !email) errors.phone = 'Indique un teléfono o un correo: GHL reconoce por ellos a un paciente que ya tiene.';
  if (phone && !PHONE.test(phone)) errors.phone = 'El teléfono no es válido (ejemplo: +51 999 000 111).';
  if (email && !EMAIL.test(email)) errors.email = 'El correo no es válido (ejemplo: ana@example.com).';
  return errors;
}

/** POST /api/contacts body: only what was typed. */
export function newPatientBody(v: NewPatientValues, locationId: string) {
  const given = (s: string) => s.trim().replace(/\s+/g, ' ') || undefined;
  const body: { location_id: string; first_name?: string; last_name?: string; phone?: string; email?: string } = { location_id: locationId };
  for (const k of ['first_name', 'last_name', 'phone', 'email'] as const) {
    const value = given(v[k]);
    if (value) body[k] = value;
  }
  return body;
}

/** Where the service's field names (POST /api/contacts) show in the «Nuevo paciente» form. */
export function newPatientFieldOf(apiField: string): keyof NewPatientValues | null {
  const map: Record<string, keyof NewPatientValues> = { first_name: 'first_name', name: 'first_name', last_name: 'last_name', phone: 'phone', email: 'email' };
  return map[apiField] ?? null;
}
