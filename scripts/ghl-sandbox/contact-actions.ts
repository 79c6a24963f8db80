import { buildContact, contactView, editContact, emptyContact, laterThan, type ContactFields } from './contact-model';
import type { SandboxCore } from './core';
import { ghlId } from './ids';
import { SandboxUsageError } from './store';
import type { Contact, GhlUserActions } from './types';

type ContactActions = Pick<GhlUserActions, 'createContact' | 'editContact' | 'deleteContact'>;

const FIELDS = ['firstName', 'lastName', 'name', 'phone', 'email'] as const;

/**
 * A staff member keeping patients in GHL's own UI: adding, editing and deleting contacts, each
 * change stamped (dateUpdated strictly later) and reported as its Contact* webhook. GHL's UI
 * refuses a second contact with the same email or phone (its default duplicate setting); so do these.
 */
export function contactActions(core: SandboxCore): ContactActions {
  const { store } = core;

  const live = (id: string): Contact => {
    const c = store.liveContact(id);
    if (!c) throw new SandboxUsageError(`action: no live contact ${id}`);
    return c;
  };

  const refuseDuplicate = (c: Contact): void => {
    const twin = store.findContactFor(c.locationId, c.email, c.phone, c.id);
    if (twin) throw new SandboxUsageError(`action: contact ${twin.id} in ${c.locationId} already has this email or phone`);
  };

  const stored = (type: 'ContactCreate' | 'ContactUpdate' | 'ContactDelete', c: Contact) => {
    store.contacts.set(c.id, c);
    core.contactChanged(type, c);
    return contactView(c);
  };

  return {
    createContact(input) {
      if (!store.locations.has(input.locationId)) throw new SandboxUsageError(`action: unknown location ${input.locationId}`);
      const given = givenFields(input);
      if (Object.keys(given).length === 0) throw new SandboxUsageError('action: a contact needs a name, a phone or an email');
      const nowMs = core.now();
      const contact = buildContact(emptyContact(ghlId(), input.locationId, nowMs), given);
      refuseDuplicate(contact);
      return stored('ContactCreate', contact);
    },

    editContact(id, changes) {
      const base = live(id);
      const given = Object.fromEntries(FIELDS.filter((f) => changes[f] !== undefined).map((f) => [f, changes[f]])) as ContactFields;
      if (Object.keys(given).length === 0) throw new SandboxUsageError('action: give at least one field to change');
      const contact = { ...editContact(base, given), updatedMs: laterThan(core.now(), base.updatedMs) };
      if (contact.firstName === null && contact.lastName === null && contact.name === null && contact.email === null && contact.phone === null) {
        throw new SandboxUsageError('action: a contact keeps at least a name, a phone or an email');
      }
      refuseDuplicate(contact);
      return stored('ContactUpdate', contact);
    },

    deleteContact(id) {
      const base = live(id);
      return stored('ContactDelete', { ...base, deleted: true, updatedMs: laterThan(core.now(), base.updatedMs) });
    },
  };
}

/** The non-empty, trimmed fields of a new contact. */
function givenFields(input: ContactFields): ContactFields {
  const out: ContactFields = {};
  for (const f of FIELDS) {
    const v = input[f]?.trim();
    if (v) out[f] = v;
  }
  return out;
}
