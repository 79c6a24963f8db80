/**
 * The floors' statements: the least work each route's answer needs, written directly against
 * drizzle/*.sql. One copy, imported by the Node benchmarks (webhooks.ts, api.ts) and by the floor
 * Workers of bench:edge (edge-floors/), so the two kinds of floor cannot drift apart.
 */

// ---- webhook floor: one SET NX + one transaction (upsert the appointment, insert the event) ----

export const STATUSES = new Set(['new', 'confirmed', 'showed', 'noshow', 'invalid', 'cancelled']);

export const UPSERT_CITA = `
insert into citas (location_id, ghl_calendar_id, ghl_appointment_id, title, contact_id, assigned_user_id, start_time, end_time,
                   time_zone, status, source, sync_status, ghl_date_updated, last_synced_at, cancelled_at, created_at, updated_at)
values ($1, $2, $3, $4, $5, $6, $7, $8,
        coalesce((select coalesce(time_zone, ghl_time_zone) from location_settings where location_id = $1), $9),
        $10, 'ghl', 'synced', $11, $12, $13, $12, $12)
on conflict (ghl_appointment_id) do update set
  ghl_calendar_id = excluded.ghl_calendar_id, title = excluded.title, contact_id = excluded.contact_id,
  assigned_user_id = excluded.assigned_user_id, start_time = excluded.start_time, end_time = excluded.end_time,
  status = excluded.status, cancelled_at = coalesce(citas.cancelled_at, excluded.cancelled_at),
  ghl_date_updated = excluded.ghl_date_updated, last_synced_at = excluded.last_synced_at,
  updated_at = excluded.updated_at, version = citas.version + 1
where citas.location_id = excluded.location_id
  and (citas.ghl_date_updated is null or citas.ghl_date_updated < excluded.ghl_date_updated)
returning id, (xmax = 0) as inserted`;

export const INSERT_EVENT = `
insert into webhook_events (webhook_id, type, location_id, appointment_id, cita_id, payload, received_at, processed_at, outcome, deliveries, request_id)
values ($1, $2, $3, $4, $5, $6, $7, $7, $8, 1, $9)`;

export interface GhlEvent {
  type: string;
  locationId: string;
  timestamp: string;
  webhookId: string;
  appointment: { id: string; calendarId: string; contactId?: string; assignedUserId?: string; title?: string; appointmentStatus?: string; startTime: string; endTime: string; dateUpdated?: string };
}

// ---- create floor: one transaction (read location_settings, insert the cita, its audit row) ----

export const READ_SETTINGS = `select default_calendar_id, coalesce(time_zone, ghl_time_zone) as zone from location_settings where location_id = $1`;
export const INSERT_CITA = `
insert into citas (location_id, ghl_calendar_id, title, contact_id, start_time, end_time, time_zone, status, source, sync_status, created_at, updated_at)
values ($1, $2, $3, $4, $5, $6, $7, 'new', 'rv3', 'pending_sync', $8, $8)
returning *`;
export const INSERT_AUDIT = `insert into audit_log (cita_id, actor, action, changes, request_id, at) values ($1, 'api', 'create', $2, $3, $4)`;

// ---- list floor: the range query GET /api/citas runs, LIMIT 50 ----

export const LIST = `select * from citas where location_id = $1 and start_time < $2 and end_time > $3 order by start_time asc, id asc limit 50`;
