import { contactDate, personFields } from './contact-model';
import { SANDBOX_COMPANY_NAME, type AppointmentRecord, type GhlStore } from './store';
import { SANDBOX_USER_ID } from './tokens';
import type {
  AppointmentWebhookPayload,
  AppointmentWebhookType,
  AppWebhookPayload,
  Contact,
  ContactWebhookPayload,
  ContactWebhookType,
  Location,
} from './types';

/** The app that is installed: ids as INSTALL/UNINSTALL carry them. */
export interface AppIdentity {
  appId: string;
  versionId: string;
}

/**
 * The webhook for one appointment change, taken at the moment of the change: later edits must not
 * leak into a delivery that is still queued. Key order follows GHL's docs; `source` is who created
 * the appointment (createdBy.source), as GHL reports it. An occurrence's adds `masterEventId`, a
 * series' master's its `rrule`: the page has neither, a one-off gets neither.
 */
export function appointmentWebhookPayload(
  store: GhlStore,
  rec: AppointmentRecord,
  type: AppointmentWebhookType,
  nowMs: number,
): AppointmentWebhookPayload {
  const e = store.eventView(rec);
  const series = e.masterEventId !== undefined ? { masterEventId: e.masterEventId } : e.rrule !== undefined ? { rrule: e.rrule } : {};
  return {
    type,
    locationId: rec.locationId,
    appointment: {
      id: e.id,
      address: e.address,
      title: e.title,
      calendarId: e.calendarId,
      contactId: e.contactId,
      groupId: e.groupId,
      appointmentStatus: e.appointmentStatus,
      assignedUserId: e.assignedUserId,
      users: e.users,
      notes: e.notes,
      source: e.createdBy.source,
      startTime: e.startTime,
      endTime: e.endTime,
      dateAdded: e.dateAdded,
      dateUpdated: e.dateUpdated,
      ...series,
    },
    timestamp: new Date(nowMs).toISOString(),
    webhookId: crypto.randomUUID(),
  };
}

/**
 * The webhook for one contact change, as ContactCreate/Update/Delete.md show it: the contact's
 * fields at the top level, the ones nobody gave left out. `timestamp` is the change's own instant
 * (the contact's updatedMs, strictly later for each change of the contact), so two changes in the
 * same millisecond still read in order.
 */
export function contactWebhookPayload(contact: Contact, type: ContactWebhookType): ContactWebhookPayload {
  return {
    type,
    locationId: contact.locationId,
    id: contact.id,
    ...personFields(contact),
    dateAdded: contactDate(contact.addedMs),
    dnd: false,
    tags: [],
    customFields: [],
    timestamp: contactDate(contact.updatedMs),
    webhookId: crypto.randomUUID(),
  };
}

/**
 * INSTALL for a location-level install, shaped as AppInstall.md's non-whitelabel example (plus
 * ghl-api.md §5's `versionId` and `installType`, and the `timestamp`/`webhookId` every delivery
 * has). No `planId` or `trial`: the sandbox's app is free.
 */
export function installWebhookPayload(app: AppIdentity, location: Location, nowMs: number): AppWebhookPayload {
  return {
    type: 'INSTALL',
    appId: app.appId,
    versionId: app.versionId,
    installType: 'Location',
    locationId: location.id,
    companyId: location.companyId,
    userId: SANDBOX_USER_ID,
    companyName: SANDBOX_COMPANY_NAME,
    isWhitelabelCompany: false,
    whitelabelDetails: {},
    timestamp: new Date(nowMs).toISOString(),
    webhookId: crypto.randomUUID(),
  };
}

/** UNINSTALL for a location-level uninstall, as AppUninstall.md's example (plus `timestamp`/`webhookId`). */
export function uninstallWebhookPayload(app: AppIdentity, location: Location, nowMs: number): AppWebhookPayload {
  return { type: 'UNINSTALL', appId: app.appId, locationId: location.id, timestamp: new Date(nowMs).toISOString(), webhookId: crypto.randomUUID() };
}
