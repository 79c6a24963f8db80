import type { AppointmentRecord, GhlStore } from './store';
import type { AppointmentWebhookPayload, AppointmentWebhookType } from './types';

/**
 * The webhook for one appointment change, taken at the moment of the change: later edits must not
 * leak into a delivery that is still queued. Key order follows GHL's docs; `source` is who created
 * the appointment (createdBy.source), as GHL reports it.
 */
export function appointmentWebhookPayload(
  store: GhlStore,
  rec: AppointmentRecord,
  type: AppointmentWebhookType,
  nowMs: number,
): AppointmentWebhookPayload {
  const e = store.eventView(rec);
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
    },
    timestamp: new Date(nowMs).toISOString(),
    webhookId: crypto.randomUUID(),
  };
}
