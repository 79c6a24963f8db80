import { sql } from 'drizzle-orm';
import type { OpenHoursRule } from '../domain/working-hours';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** A contact given by its details instead of a GHL contact id; upserted in GHL before the push. */
export interface ContactDetails {
  first_name?: string;
  last_name?: string;
  name?: string;
  email?: string;
  phone?: string;
  /** GHL deleted this contact: the cita keeps the last known name and says so. */
  deleted?: true;
}

/** GHL's appointment status vocabulary, so a status never needs translating on the way to GHL. */
export const CITA_STATUSES = ['new', 'confirmed', 'cancelled', 'showed', 'noshow', 'invalid'] as const;
export type CitaStatus = (typeof CITA_STATUSES)[number];
/** Longer than this, a cita is a long one (indexed apart); a list reads `desde` minus this. */
export const LONG_CITA = '1 day';

/** Statuses that no longer hold their slot; the overlap constraint ignores them. */
export const INACTIVE_STATUSES: readonly CitaStatus[] = ['cancelled', 'invalid'];

export const SYNC_STATUSES = ['synced', 'pending_sync', 'sync_failed', 'local_only'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

export const CITA_SOURCES = ['rv3', 'ghl'] as const;
export type CitaSource = (typeof CITA_SOURCES)[number];

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const citas = pgTable(
  'citas',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    locationId: text('location_id').notNull(),
    ghlCalendarId: text('ghl_calendar_id').notNull(),
    ghlAppointmentId: text('ghl_appointment_id').unique(),
    title: text('title').notNull(),
    contactId: text('contact_id'),
    contact: jsonb('contact').$type<ContactDetails>(),
    assignedUserId: text('assigned_user_id'),
    startTime: instant('start_time').notNull(),
    endTime: instant('end_time').notNull(),
    timeZone: text('time_zone').notNull(),
    status: text('status', { enum: CITA_STATUSES }).notNull().default('new'),
    notes: text('notes'),
    source: text('source', { enum: CITA_SOURCES }).notNull().default('rv3'),
    extras: jsonb('extras').$type<Record<string, unknown>>().notNull().default({}),
    syncStatus: text('sync_status', { enum: SYNC_STATUSES }).notNull().default('pending_sync'),
    syncError: text('sync_error'),
    syncRetries: integer('sync_retries').notNull().default(0),
    lastSyncedAt: instant('last_synced_at'),
    ghlDateUpdated: instant('ghl_date_updated'),
    contentHash: text('content_hash'),
    version: integer('version').notNull().default(1),
    createdAt: instant('created_at').notNull().defaultNow(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
    cancelledAt: instant('cancelled_at'),
    /**
     * Set on an appointment from GHL that overlaps an active cita: kept (never dropped) but outside
     * the overlap constraint, and listed with ?conflict=true for the front desk to resolve.
     */
    conflict: boolean('conflict').notNull().default(false),
    /**
     * Since when GHL no longer has this appointment (a Delete webhook's timestamp, or the start of
     * the scan that missed it). A cita gone from GHL is cancelled, and no event observed before
     * this moment may reopen or move it: GHL emitted it while the appointment still existed.
     */
    ghlDeletedAt: instant('ghl_deleted_at'),
    /**
     * The block this cita sits in, when it came from GHL into blocked time or was there before the
     * block was made: `{id, title, start_time, end_time}`. Kept by the database (drizzle/0012's
     * triggers), shown as a conflict for a person to look at; the cita keeps its slot.
     */
    blockConflict: jsonb('block_conflict').$type<BlockRef>(),
    /**
     * Booked on purpose past a block or the calendar's working hours (`"force": true`): who, when,
     * which rules. Null: the rules held. A move without force clears it (a new decision).
     */
    bookingOverride: jsonb('booking_override').$type<BookingOverride>(),
    /**
     * The recurring series this cita is one occurrence of: GHL's master event id (a series made in
     * GHL) or ours (a series made here, pushed as linked appointments), its RRULE, this occurrence's
     * 1-based position and the series' size (null: open-ended).
     */
    seriesId: text('series_id'),
    seriesRule: text('series_rule'),
    seriesIndex: integer('series_index'),
    seriesCount: integer('series_count'),
    /**
     * Found in GHL when the location connected, more than once (same calendar, times and patient):
     * left for a person to link (POST /api/citas/{id}/link) instead of pushed as a duplicate.
     */
    matchCandidates: jsonb('match_candidates').$type<MatchCandidate[]>(),
  },
  (t) => [
    index('citas_location_calendar_start_idx').on(t.locationId, t.ghlCalendarId, t.startTime),
    index('citas_location_start_idx').on(t.locationId, t.startTime),
    // The few citas longer than a day, apart: a list of a day then reads its day and these, not
    // every earlier cita of the location (src/citas/citas-repo.ts listPage).
    index('citas_location_long_start_idx')
      .on(t.locationId, t.startTime)
      .where(sql`${t.endTime} - ${t.startTime} > interval '${sql.raw(LONG_CITA)}'`),
    index('citas_series_idx').on(t.locationId, t.seriesId).where(sql`${t.seriesId} is not null`),
    index('citas_sync_status_idx')
      .on(t.syncStatus, t.updatedAt)
      .where(sql`${t.syncStatus} in ('pending_sync', 'sync_failed')`),
  ],
);

export type CitaRow = typeof citas.$inferSelect;

/** A block as a cita names it (citas.block_conflict, the 409 of a refused booking). UTC instants. */
export interface BlockRef {
  id: string;
  title: string;
  start_time: string;
  end_time: string;
}

/** A GHL appointment that could be an unlinked cita's (connect-time matching, sync/connect-match.ts). */
export interface MatchCandidate {
  ghl_appointment_id: string;
  title: string | null;
  start_time: string;
  end_time: string;
  contact_id: string | null;
}

export const BOOKING_RULES = ['slot_blocked', 'outside_working_hours'] as const;
export type BookingRule = (typeof BOOKING_RULES)[number];
export interface BookingOverride {
  /** The API client (key id) that forced it. */
  by: string;
  at: string;
  rules: BookingRule[];
}
export type NewCitaRow = typeof citas.$inferInsert;

export const locationSettings = pgTable('location_settings', {
  locationId: text('location_id').primaryKey(),
  defaultCalendarId: text('default_calendar_id'),
  timeZone: text('time_zone'),
  /** The GHL location's own zone, learnt when it was connected: the default when time_zone is unset. */
  ghlTimeZone: text('ghl_time_zone'),
  /** Calendars whose appointments are synced (one per doctor or room); the default is always one. */
  syncedCalendarIds: jsonb('synced_calendar_ids').$type<string[]>().notNull().default([]),
  /**
   * Whether our pushes let GHL run the location's automations (confirmation and reminder messages
   * to the patient): sent as `toNotify` on every create, edit and cancel. On by default, which is
   * GHL's own default (see README, "Sync to GHL").
   */
  notifyPatients: boolean('notify_patients').notNull().default(true),
  /**
   * The location's GHL calendars as last listed (by the settings route or GET /api/ghl/calendars)
   * and when: what a cita's create and edit check their calendar against (locations/calendar-rule.ts)
   * without asking GHL. Null: never listed.
   */
  ghlCalendars: jsonb('ghl_calendars').$type<{ id: string; name: string; active: boolean; open_hours?: OpenHoursRule[] | null; slot_duration_minutes?: number | null }[]>(),
  ghlCalendarsAt: instant('ghl_calendars_at'),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

export type LocationSettingsRow = typeof locationSettings.$inferSelect;

export const CONNECTION_STATUSES = ['active', 'reauth_required', 'uninstalled'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/**
 * How we reach GHL for a location: an OAuth install (rotating single-use refresh tokens) or a
 * Private Integration token. Tokens are stored encrypted (AES-GCM, TOKEN_ENCRYPTION_KEY).
 * `tokenVersion` grows with every rotation so a refresher can tell whether someone beat it to it.
 */
export const ghlConnections = pgTable('ghl_connections', {
  locationId: text('location_id').primaryKey(),
  authType: text('auth_type', { enum: ['oauth', 'pit'] }).notNull(),
  accessTokenEnc: text('access_token_enc').notNull(),
  refreshTokenEnc: text('refresh_token_enc'),
  accessExpiresAt: instant('access_expires_at'),
  scopes: text('scopes'),
  companyId: text('company_id'),
  status: text('status', { enum: CONNECTION_STATUSES }).notNull().default('active'),
  tokenVersion: integer('token_version').notNull().default(1),
  lastError: text('last_error'),
  lastRefreshedAt: instant('last_refreshed_at'),
  createdAt: instant('created_at').notNull().defaultNow(),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

export type GhlConnectionRow = typeof ghlConnections.$inferSelect;

export const WEBHOOK_OUTCOMES = ['applied', 'created', 'cancelled', 'conflict', 'stale', 'echo', 'unchanged', 'ignored', 'invalid', 'failed'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * Every GHL webhook we accepted (signature valid), written in the same transaction as the cita
 * change it caused: the durable half of idempotency. `deliveries` counts GHL's attempts we saw.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    webhookId: text('webhook_id').notNull().unique(),
    type: text('type').notNull(),
    locationId: text('location_id'),
    appointmentId: text('appointment_id'),
    citaId: uuid('cita_id'),
    payload: jsonb('payload').$type<unknown>().notNull(),
    receivedAt: instant('received_at').notNull(),
    processedAt: instant('processed_at'),
    outcome: text('outcome', { enum: WEBHOOK_OUTCOMES }).notNull(),
    error: text('error'),
    deliveries: integer('deliveries').notNull().default(1),
    requestId: text('request_id'),
  },
  (t) => [index('webhook_events_received_idx').on(t.receivedAt), index('webhook_events_appointment_idx').on(t.appointmentId)],
);

export type WebhookEventRow = typeof webhookEvents.$inferSelect;

export const SYNC_KINDS = ['incremental', 'full', 'cleanup', 'backfill', 'connect'] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

/** One scheduled job run for one location: what it saw and did, and how it ended. */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: SYNC_KINDS }).notNull(),
    locationId: text('location_id').notNull(),
    startedAt: instant('started_at').notNull(),
    finishedAt: instant('finished_at'),
    /** running | ok | partial (some window failed: no sweep there) | failed | skipped */
    outcome: text('outcome').notNull(),
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
    error: text('error'),
    messageId: text('message_id'),
  },
  (t) => [index('sync_runs_location_kind_idx').on(t.locationId, t.kind, t.startedAt)],
);
export type SyncRunRow = typeof syncRuns.$inferSelect;

/** Every state change of a cita: who (api, webhook, job), the changed fields before/after, the request. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    citaId: uuid('cita_id').notNull(),
    actor: text('actor', { enum: ['api', 'webhook', 'job'] }).notNull(),
    action: text('action').notNull(),
    changes: jsonb('changes').$type<Record<string, { before: unknown; after: unknown }>>().notNull(),
    requestId: text('request_id'),
    at: instant('at').notNull(),
  },
  (t) => [index('audit_log_cita_idx').on(t.citaId, t.at), index('audit_log_at_idx').on(t.at)],
);

export const SWEEP_HOLD_STATUSES = ['held', 'confirmed', 'dismissed'] as const;
export type SweepHoldStatus = (typeof SWEEP_HOLD_STATUSES)[number];

/**
 * A sweep a sync job refused to carry out: it would have cancelled an unusually large share of a
 * location's synced citas (GHL answering an empty calendar, a permission change, an incident).
 * The citas stay as they are until an admin confirms (they are cancelled) or dismisses it.
 * At most one open hold per location; later scans refresh it.
 */
export const sweepHolds = pgTable(
  'sweep_holds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    locationId: text('location_id').notNull(),
    runId: uuid('run_id'),
    status: text('status', { enum: SWEEP_HOLD_STATUSES }).notNull().default('held'),
    /** The citas the sweep would cancel. */
    citaIds: jsonb('cita_ids').$type<string[]>().notNull(),
    /** How many synced citas the scan looked for (the share's denominator). */
    candidates: integer('candidates').notNull(),
    /** When the scan that missed them started: GHL had none of them by then. */
    scanStartedAt: instant('scan_started_at').notNull(),
    createdAt: instant('created_at').notNull(),
    updatedAt: instant('updated_at').notNull(),
    decidedAt: instant('decided_at'),
    decidedBy: text('decided_by'),
  },
  (t) => [uniqueIndex('sweep_holds_one_open_idx').on(t.locationId).where(sql`${t.status} = 'held'`)],
);
export type SweepHoldRow = typeof sweepHolds.$inferSelect;

export const API_KEY_ROLES = ['api', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/**
 * API keys made by an admin (keys from API_KEYS / ADMIN_API_KEYS are bootstrap keys and live in
 * the environment). Stored as the SHA-256 of the key, never the key; `location_ids` limits an
 * `api` key to those locations (null: every location). Revoked keys stay, for the record.
 */
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  /** The key's first characters, so a person can tell keys apart without the key. */
  prefix: text('prefix').notNull(),
  role: text('role', { enum: API_KEY_ROLES }).notNull().default('api'),
  locationIds: jsonb('location_ids').$type<string[] | null>(),
  createdAt: instant('created_at').notNull(),
  createdBy: text('created_by'),
  revokedAt: instant('revoked_at'),
});
export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * Idempotent writes (Stripe's `Idempotency-Key`): the first answer to a key, per API client, kept
 * 24 hours. Written in the same transaction as the write it describes, so a concurrent retry waits
 * for it and then gets the same answer instead of doing the work twice.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    clientId: text('client_id').notNull(),
    key: text('key').notNull(),
    /** Method and route, so one key cannot answer a different operation. */
    operation: text('operation').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    body: jsonb('body').$type<unknown>().notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);
export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;

/**
 * Patients as GHL last told us (GHL is their source of truth), per location: kept current by our
 * upserts, GHL's Contact* webhooks, fetches of ids seen on appointments, and the sync jobs. Names,
 * phones and emails are personal data: never logged (see README, "Data we keep").
 */
export const contacts = pgTable(
  'contacts',
  {
    locationId: text('location_id').notNull(),
    /** GHL's contact id. */
    id: text('id').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    name: text('name'),
    phone: text('phone'),
    email: text('email'),
    /** What a cita shows of this patient (citas.contact), kept ready so one statement copies it. */
    details: jsonb('details').$type<ContactDetails>().notNull(),
    /** Folded names, email and phone digits: what a typed search matches (src/contacts/patient.ts). */
    searchText: text('search_text').notNull(),
    /** GHL's dateUpdated, else when GHL told us: an older account never overwrites a newer one. */
    ghlUpdatedAt: instant('ghl_updated_at').notNull(),
    deletedAt: instant('deleted_at'),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.locationId, t.id] }),
    // "Contains" searches through trigrams (pg_trgm), not a read of every patient.
    index('contacts_search_idx').using('gin', t.searchText.op('gin_trgm_ops')).with({ fastupdate: false }),
  ],
);
export type ContactRow = typeof contacts.$inferSelect;

export const BLOCK_SOURCES = ['rv3', 'ghl'] as const;
export const BLOCK_SYNC_STATUSES = ['synced', 'pending_sync', 'sync_failed'] as const;
export type BlockSyncStatus = (typeof BLOCK_SYNC_STATUSES)[number];

/**
 * Time a calendar is not available (lunch, a course, a vacation): GHL's blocked slots, kept per
 * location and calendar. From GHL they come by scan (GHL sends no webhook for blocks); made here,
 * they are pushed like citas. Deleted ones stay, with `deleted_at`, until GHL has been told.
 * Bookings into them are refused by the database itself (drizzle/0012).
 */
export const calendarBlocks = pgTable(
  'calendar_blocks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    locationId: text('location_id').notNull(),
    calendarId: text('calendar_id').notNull(),
    ghlBlockId: text('ghl_block_id'),
    title: text('title').notNull(),
    startTime: instant('start_time').notNull(),
    endTime: instant('end_time').notNull(),
    timeZone: text('time_zone').notNull(),
    source: text('source', { enum: BLOCK_SOURCES }).notNull(),
    deletedAt: instant('deleted_at'),
    syncStatus: text('sync_status', { enum: BLOCK_SYNC_STATUSES }).notNull().default('synced'),
    syncError: text('sync_error'),
    syncRetries: integer('sync_retries').notNull().default(0),
    lastSyncedAt: instant('last_synced_at'),
    version: integer('version').notNull().default(1),
    createdAt: instant('created_at').notNull().defaultNow(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('calendar_blocks_ghl_id_idx').on(t.locationId, t.ghlBlockId),
    index('calendar_blocks_live_idx').on(t.locationId, t.calendarId, t.startTime).where(sql`${t.deletedAt} is null`),
    index('calendar_blocks_pending_idx').on(t.syncStatus).where(sql`${t.syncStatus} = 'pending_sync'`),
  ],
);
export type BlockRow = typeof calendarBlocks.$inferSelect;
export type NewBlockRow = typeof calendarBlocks.$inferInsert;

/**
 * When each calendar's blocks were last read from GHL, and over which span: a booking re-reads
 * its day from GHL when the copy that covers it is older than a few minutes (BLOCKS_FRESH_MS).
 */
export const blockScans = pgTable(
  'block_scans',
  {
    locationId: text('location_id').notNull(),
    calendarId: text('calendar_id').notNull(),
    scannedFrom: instant('scanned_from').notNull(),
    scannedTo: instant('scanned_to').notNull(),
    scannedAt: instant('scanned_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.locationId, t.calendarId] })],
);
