/**
 * Patients on the agenda page (issue 22), the parts that need no browser: how a patient reads
 * (never by GHL id), and the «Nuevo paciente» form's rules against the service's own.
 */
import { describe, expect, it } from 'vitest';
import { createContactBody } from '../../src/routes/contacts/schemas';
import { newPatientBody, newPatientFieldOf, newPatientFrom, patientName, patientText, phoneText, validateNewPatient, type Patient } from '../../src/ui/browser/patients';

const ana: Patient = { id: 'demo-contact-ana', name: 'Ana Pérez Quispe', phone: '+51999000111', email: 'ana.perez@example.com', deleted: false };

describe('a patient as the desk reads it', () => {
  it('name and phone (the email when there is no phone); a Peruvian mobile in threes', () => {
    expect(patientText(ana)).toBe('Ana Pérez Quispe · +51 999 000 111');
    expect(patientText({ ...ana, phone: null })).toBe('Ana Pérez Quispe · ana.perez@example.com');
    expect(patientText({ ...ana, phone: null, email: null })).toBe('Ana Pérez Quispe');
    expect(phoneText('+1 212 555 0100')).toBe('+1 212 555 0100');
    expect(phoneText('+51 (999) 000-111')).toBe('+51 999 000 111');
  });

  it('deleted in GHL: the last known name, said so; not learnt yet: loading; never the GHL id', () => {
    expect(patientText({ ...ana, deleted: true })).toBe('Ana Pérez Quispe · Paciente eliminado en GHL');
    expect(patientText({ ...ana, name: null, deleted: true })).toBe('Sin nombre · Paciente eliminado en GHL');
    expect(patientText({ id: 'OHAfctFubs7JpMLSe401', name: null, phone: null, email: null, deleted: false })).toBe('Cargando datos del paciente…');
    expect(patientText({ id: 'OHAfctFubs7JpMLSe401', name: null, phone: '+51999000111', email: null, deleted: false })).toBe('+51 999 000 111 (sin nombre en GHL)');
    expect(patientText(null)).toBe('Sin paciente');
    for (const p of [ana, { ...ana, name: null }, { ...ana, name: null, phone: null, email: null }, { ...ana, deleted: true }]) {
      expect(patientText(p)).not.toContain(ana.id!);
      expect(patientName(p)).not.toContain(ana.id!);
    }
    expect(patientName({ ...ana, deleted: true })).toBe('Ana Pérez Quispe (eliminado en GHL)');
    expect(patientName(null)).toBe('otro paciente');
  });
});

describe('«Nuevo paciente»', () => {
  it('what was typed in «Paciente» goes where it belongs: names, a phone or an email', () => {
    expect(newPatientFrom('  Rosa   Huamán Torres ')).toEqual({ first_name: 'Rosa', last_name: 'Huamán Torres', phone: '', email: '' });
    expect(newPatientFrom('Rosa')).toEqual({ first_name: 'Rosa', last_name: '', phone: '', email: '' });
    expect(newPatientFrom('+51 988 777 666')).toEqual({ first_name: '', last_name: '', phone: '+51 988 777 666', email: '' });
    expect(newPatientFrom('rosa@example.com')).toEqual({ first_name: '', last_name: '', phone: '', email: 'rosa@example.com' });
    // Too few digits for a phone: a name as far as the form can tell.
    expect(newPatientFrom('988')).toMatchObject({ first_name: '988', phone: '' });
    expect(newPatientFrom('')).toEqual({ first_name: '', last_name: '', phone: '', email: '' });
  });

  it('needs a name and a phone or an email, well formed, said in Spanish beside each field', () => {
    const empty = { first_name: '', last_name: '', phone: '', email: '' };
    expect(validateNewPatient(empty)).toEqual({
      first_name: 'Escriba los nombres del paciente (o sus apellidos).',
      phone: 'Indique un teléfono o un correo: GHL reconoce por ellos a un paciente que ya tiene.',
    });
    expect(validateNewPatient({ ...empty, last_name: 'Quispe', email: 'rosa@example.com' })).toEqual({});
    expect(validateNewPatient({ ...empty, first_name: 'Rosa', phone: '51-99' }).phone).toBe('El teléfono no es válido (ejemplo: +51 999 000 111).');
    expect(validateNewPatient({ ...empty, first_name: 'Rosa', email: 'rosa@' }).email).toBe('El correo no es válido (ejemplo: ana@example.com).');
    expect(validateNewPatient({ ...empty, first_name: 'R'.repeat(101), phone: '+51988777666' }).first_name).toMatch(/hasta 100/);
  });

  it('what the form lets through, the service takes (the same rules); what it stops, the service refuses too', () => {
    const cases = [
      { first_name: 'Rosa', last_name: 'Huamán Torres', phone: '+51 988 777 666', email: '' },
      { first_name: '', last_name: 'Quispe', phone: '', email: 'rosa@example.com' },
      { first_name: 'Rosa', last_name: '', phone: '51-99', email: '' },
      { first_name: '', last_name: '', phone: '+51988777666', email: '' },
      { first_name: 'Rosa', last_name: '', phone: '', email: '' },
      { first_name: '  ', last_name: ' ', phone: '+51988777666', email: 'rosa@example.com' },
    ];
    for (const v of cases) {
      const formOk = Object.keys(validateNewPatient(v)).length === 0;
      const body = newPatientBody(v, 'demo-location');
      expect(createContactBody.safeParse(body).success, JSON.stringify(v)).toBe(formOk);
    }
    expect(newPatientBody(cases[0]!, 'demo-location')).toEqual({ location_id: 'demo-location', first_name: 'Rosa', last_name: 'Huamán Torres', phone: '+51 988 777 666' });
  });

  it('the service’s field errors land beside the form’s fields', () => {
    const refused = createContactBody.safeParse({ location_id: 'demo-location', first_name: 'Ana', email: 'ana.pérez@correo.pe' });
    expect(refused.success).toBe(false);
    for (const issue of refused.error!.issues) expect(newPatientFieldOf(issue.path.join('.'))).not.toBeNull();
    expect(newPatientFieldOf('email')).toBe('email');
    expect(newPatientFieldOf('name')).toBe('first_name');
    expect(newPatientFieldOf('location_id')).toBeNull();
  });
});
