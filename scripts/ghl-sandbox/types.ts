/**
 * The sandbox's public shapes. Wire shapes follow GHL API v2 as described in
 * /work/shared/reference/ghl-api.md; the rest (SeedData, FaultSpec, SandboxStats, the webhook and
 * action controls) is sandbox control.
 */

export const APPOINTMENT_STATUSES = ['new', 'confirmed', 'cancelled', 'showed', 'noshow', 'invalid'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const SCOPES = [
  'calendars.readonly',
  'calendars/events.readonly',
  'calendars/events.write',
  'contacts.readonly',
  'contacts.write',
  'locations.readonly',
] as const;
export type Scope = (typeof SCOPES)[number];

/** An appointment as `GET /calendars/events/appointments/:id` returns it (dates carry the location's offset). */
export interface Appointment {
  id: string;
  title: string;
  calendarId: string;
  locationId: string;
  contactId: string;
  groupId: string;
  appointmentStatus: AppointmentStatus;
  assignedUserId: string;
  users: string[];
  notes: string;
  description: string;
  address: string;
  /** true for a series' master and each of its occurrences. */
  isRecurring: boolean;
  /** A series only: the RRULE line, then EXDATE lines (`RRULE:FREQ=WEEKLY;COUNT=10\nEXDATE:20261110T150000Z`). */
  rrule?: string;
  startTime: string;
  endTime: string;
  dateAdded: string;
  dateUpdated: string;
  createdBy: { userId: string; source: string };
  /** An occurrence only: its series' master id (its own id is `<masterId>_<startMillis>_<durationSeconds>`). */
  masterEventId?: string;
}

/** What create/update answer: unwrapped, and without dateAdded/dateUpdated (GHL issue #246). */
export interface AppointmentWriteResult {
  id: string;
  calendarId: string;
  locationId: string;
  contactId: string;
  startTime: string;
  endTime: string;
  title: string;
  appointmentStatus: AppointmentStatus;
  assignedUserId: string;
  address: string;
  description: string;
  isRecurring: boolean;
  /** A series only. */
  rrule?: string;
}

export interface Location {
  id: string;
  companyId: string;
  name: string;
  timezone: string;
}

export interface TeamMember {
  userId: string;
  priority: number;
  isPrimary: boolean;
}

export interface Calendar {
  id: string;
  locationId: string;
  name: string;
  description: string;
  slug: string;
  groupId: string;
  isActive: boolean;
  calendarType: string;
  eventTitle: string;
  teamMembers: TeamMember[];
  slotDuration: number;
  slotDurationUnit: 'mins';
  slotInterval: number;
  slotIntervalUnit: 'mins';
  slotBuffer: number;
  preBuffer: number;
  appoinmentPerSlot: number; // sic: GHL's spelling
  autoConfirm: boolean;
  /** Working hours in the location's zone; [] when none are known (then free-slots offers none). */
  openHours: OpenHours;
}

/** One span of a working day (calendars.json Hour): a close at or before the open ends the next day. */
export interface OpenHourSpan {
  openHour: number;
  openMinute: number;
  closeHour: number;
  closeMinute: number;
}

/** calendars.json OpenHour[]: for each group of weekdays (0 = Sunday … 6 = Saturday), its spans. */
export type OpenHours = Array<{ daysOfTheWeek: number[]; hours: OpenHourSpan[] }>;

/**
 * A blocked slot as `GET /calendars/blocked-slots` lists it: calendars.json answers that call with
 * GetCalendarEventsSuccessfulResponseDTO, so a block is a CalendarEventDTO with every required field,
 * those that only mean something for appointments empty (`contactId`, `appointmentStatus`: '').
 * Dates carry the location's offset, as appointments' do.
 */
export interface Block {
  id: string;
  title: string;
  calendarId: string;
  locationId: string;
  contactId: '';
  groupId: string;
  appointmentStatus: '';
  /** '' for a calendar's block (the only kind the API creates: calendarId and assignedUserId exclude each other). */
  assignedUserId: string;
  users: string[];
  isRecurring: false;
  startTime: string;
  endTime: string;
  dateAdded: string;
  dateUpdated: string;
}

/** What POST/PUT /calendars/events/block-slots answer (BlockedSlotSuccessfulResponseDto), 201. */
export interface BlockWriteResult {
  id: string;
  locationId: string;
  title: string;
  startTime: string;
  endTime: string;
  calendarId: string;
  /** Only on a user's block; the sandbox's blocks are calendars', so it is absent. */
  assignedUserId?: string;
}

/** free-slots' answer: local dates (YYYY-MM-DD, in the asked zone) → slot starts with that zone's offset. */
export type FreeSlots = Record<string, { slots: string[] }>;

/** A contact as the sandbox keeps it: fields nobody gave are null; instants are epoch ms. */
export interface Contact {
  id: string;
  locationId: string;
  firstName: string | null;
  lastName: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  addedMs: number;
  /** Strictly later on every change (by 1 ms if the clock stands still): what orders a contact's news. */
  updatedMs: number;
  /** Deleted in GHL: gone from every read (404, not searched), kept so its appointments still name it. */
  deleted: boolean;
}

type ContactPersonFields = Partial<Record<'firstName' | 'lastName' | 'name' | 'email' | 'phone', string>>;

/**
 * A contact as `GET /contacts/:id` and upsert answer it (contacts.json GetContectByIdSchema):
 * strings, absent where unknown, never null. Dates are ISO-8601 UTC with milliseconds, as GHL's
 * contact dates read (`2021-07-02T05:18:26.704Z`), unlike appointments' offset strings.
 */
export type ContactView = { id: string; locationId: string; dateAdded: string; dateUpdated: string } & ContactPersonFields;

/**
 * One item of `POST /contacts/search` (ContactsSearchSchema plus what GHL's search index carries):
 * `contactName` rather than `name`, the lower-cased names beside the given ones.
 */
export type ContactSearchItem = {
  id: string;
  locationId: string;
  dateAdded: string;
  dateUpdated: string;
  tags: string[];
} & Partial<Record<'firstName' | 'lastName' | 'firstNameLowerCase' | 'lastNameLowerCase' | 'contactName' | 'email' | 'phone', string>>;

/** A seeded contact; `dateAdded`/`dateUpdated` ISO-8601 with an offset (default: the seeding moment). */
export type SeedContact = { id?: string; dateAdded?: string; dateUpdated?: string } & ContactPersonFields;

export type SeedAppointment = Partial<Appointment> & {
  calendarId: string;
  contactId: string;
  startTime: string;
  endTime: string;
};

/** A seeded block (GHL staff blocked this time); times ISO-8601 with an offset. */
export type SeedBlock = {
  id?: string;
  calendarId: string;
  title?: string;
  startTime: string;
  endTime: string;
  dateAdded?: string;
  dateUpdated?: string;
};

export type SeedData = {
  locations: Array<{
    id: string;
    name?: string;
    /** IANA; default America/Lima. */
    timezone?: string;
    calendars?: Array<{
      id?: string;
      name: string;
      isActive?: boolean;
      calendarType?: string;
      /** Minutes; default 30. Also the slot interval unless `slotInterval` is given. */
      slotDuration?: number;
      /** Minutes between slot starts. */
      slotInterval?: number;
      /** Minutes kept free after / before each appointment. Default 0. */
      slotBuffer?: number;
      preBuffer?: number;
      /** Default 1. */
      appoinmentPerSlot?: number;
      /** Working hours; without them a calendar has none ([]), and free-slots offers nothing. */
      openHours?: OpenHours;
      autoConfirm?: boolean;
      groupId?: string;
      description?: string;
      teamMembers?: Array<{ userId: string; isPrimary?: boolean; priority?: number }>;
    }>;
    contacts?: SeedContact[];
    appointments?: SeedAppointment[];
    blocks?: SeedBlock[];
  }>;
};

export type FaultKind = '429' | '500' | '502' | '503' | 'latency' | 'timeout_after_write' | 'network';

export type FaultSpec = {
  kind: FaultKind;
  match?: { method?: string; /** substring of, or RegExp source matched against, the path */ path?: string };
  /** Probability 0..1 per matching request, drawn from the seeded PRNG. */
  rate?: number;
  /** The next N matching requests (with `rate`: the next N that the draw selects). */
  count?: number;
  /** 'latency': delay then handle; 'timeout_after_write': handle, then delay the answer (default 30000). */
  latencyMs?: number;
  /** '429' only: send a Retry-After header. */
  retryAfterSeconds?: number;
};

export interface SandboxStats {
  /** "METHOD /path" with ids replaced by ':id', e.g. 'PUT /calendars/events/appointments/:id'. */
  calls: Record<string, number>;
  tokenRequests: number;
  refreshes: number;
  reusedRefreshTokens: number;
  /** 429s from the sandbox's own limits (never injected ones). */
  rateLimited: number;
  /** The most requests ever counted inside one sliding window, for any location. */
  maxInWindow: number;
  /** Faults that fired, by kind. */
  injected: Record<string, number>;
  /** Stored appointments, cancelled included, deleted excluded. */
  appointments: number;
  /** Successful `POST /calendars/events/appointments`. */
  creates: number;
  /** Webhook requests made (first attempts and retries; not dropped or held ones). */
  webhooksSent: number;
  /** Those requests by answer: '200', '429', …, 'network_error'. */
  webhooksByStatus: Record<string, number>;
}

/** An API request as the sandbox received it (`sandbox.requests()`); headers are not kept. */
export interface SandboxRequest {
  /** Sandbox clock, ISO-8601 UTC. */
  at: string;
  method: string;
  path: string;
  /** As in `stats().calls`: 'PUT /calendars/events/appointments/:id'. */
  call: string;
  query: Record<string, string>;
  /** Parsed JSON, or the form's fields (client_secret redacted); null without a body. */
  body: unknown;
}

export interface SandboxOptions {
  accessTokenTtlSeconds?: number;
  rateLimit?: { max: number; intervalMs: number };
  dailyLimit?: number;
  clientId?: string;
  clientSecret?: string;
  /** The Marketplace app's id and version, as INSTALL/UNINSTALL webhooks name them. */
  appId?: string;
  appVersionId?: string;
  seed?: number;
  now?: () => number;
  /**
   * Which id a webhook carries for a change to a whole series (GHL's documents do not say).
   * 'instance' (default): one webhook per occurrence it changed, each with its instance id and
   * `masterEventId`. 'master': one webhook with the master id, the series' first times and `rrule`.
   * A change to one occurrence always carries its instance id.
   */
  seriesWebhookIds?: SeriesWebhookIds;
}

export type SeriesWebhookIds = 'master' | 'instance';

export type AppointmentWebhookType = 'AppointmentCreate' | 'AppointmentUpdate' | 'AppointmentDelete';
export type ContactWebhookType = 'ContactCreate' | 'ContactUpdate' | 'ContactDelete';
export type AppWebhookType = 'INSTALL' | 'UNINSTALL';
export type WebhookType = AppointmentWebhookType | ContactWebhookType | AppWebhookType;

/**
 * An appointment webhook as GHL sends it (ghl-api.md §5): no description or isRecurring. For a
 * series, beyond the page (which shows neither): `masterEventId` when `id` is an instance id, and
 * `rrule` when `id` is a series' master id (`seriesWebhookIds: 'master'`).
 */
export interface AppointmentWebhookPayload {
  type: AppointmentWebhookType;
  locationId: string;
  appointment: Pick<
    Appointment,
    | 'id'
    | 'address'
    | 'title'
    | 'calendarId'
    | 'contactId'
    | 'groupId'
    | 'appointmentStatus'
    | 'assignedUserId'
    | 'users'
    | 'notes'
    | 'startTime'
    | 'endTime'
    | 'dateAdded'
    | 'dateUpdated'
  > & { source: string; masterEventId?: string; rrule?: string };
  /** When the change happened: ISO-8601 UTC with milliseconds. */
  timestamp: string;
  webhookId: string;
}

/**
 * The app's own events (AppInstall.md, AppUninstall.md, ghl-api.md §5), for a location-level
 * install: INSTALL when a location installs the app, UNINSTALL when it removes it. Like every
 * delivery they carry `timestamp` and `webhookId`, which the pages' examples leave out.
 */
export type AppWebhookPayload =
  | {
      type: 'INSTALL';
      appId: string;
      versionId: string;
      installType: 'Location';
      locationId: string;
      companyId: string;
      userId: string;
      companyName: string;
      isWhitelabelCompany: boolean;
      whitelabelDetails: Record<string, never>;
      timestamp: string;
      webhookId: string;
    }
  | { type: 'UNINSTALL'; appId: string; locationId: string; timestamp: string; webhookId: string };

/**
 * A contact webhook (ContactCreate.md, ContactUpdate.md, ContactDelete.md): the contact's fields at
 * the top level, as it was at the change (Delete: as it was deleted). Fields nobody gave are absent.
 * No `dateUpdated`, as the pages; `timestamp` is the change's instant (ms, strictly later per
 * contact), so it orders a contact's webhooks. No `attachments` (GHL issue #324: not sent).
 */
export type ContactWebhookPayload = {
  type: ContactWebhookType;
  locationId: string;
  id: string;
  dateAdded: string;
  dnd: boolean;
  tags: string[];
  customFields: Array<{ id: string; value: unknown }>;
  timestamp: string;
  webhookId: string;
} & Partial<Record<'firstName' | 'lastName' | 'name' | 'email' | 'phone', string>>;

export type WebhookPayload = AppointmentWebhookPayload | ContactWebhookPayload | AppWebhookPayload;

/** 'ed25519': `x-ghl-signature` (current); 'rsa': `x-wh-signature` (legacy); 'both': both headers. */
export type WebhookScheme = 'ed25519' | 'rsa' | 'both';

export interface WebhookConfig {
  /** The receiver. With `deliver` it only names the Request's URL (default http://localhost/api/webhooks/ghl). */
  url?: string;
  /** In-process transport, e.g. `(req) => app.request(req)`; wins over fetching `url`. */
  deliver?: (req: Request) => Response | Promise<Response>;
  /** Default 'ed25519'. */
  scheme?: WebhookScheme;
  /** Wait before re-delivering after a 429; default 600_000 (GHL's ~10 minutes). */
  retryDelayMs?: number;
  /** Re-deliveries after 429s; default 6, as GHL. */
  maxRetries?: number;
}

export interface WebhookPublicKeys {
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`) */
  ed25519PublicKeyPem: string;
  rsaPublicKeyPem: string;
}

/** Chaos for tests; applies to deliveries emitted while it is set (not to 429 retries). */
export interface WebhookMode {
  /** Send each webhook twice: same webhookId, same bytes. */
  duplicate?: boolean;
  /** Wait this long before the first attempt. */
  delayMs?: number;
  /** Never send; the log says 'dropped'. */
  drop?: boolean;
  /** Queue until `webhooks.release()`; the log says 'held'. */
  hold?: boolean;
}

export type WebhookStatus = number | 'network_error' | 'dropped' | 'held';

export interface WebhookLogEntry {
  webhookId: string;
  type: WebhookType;
  /** null but for Appointment* webhooks. */
  appointmentId: string | null;
  /** null but for Contact* webhooks. */
  contactId: string | null;
  /** 1 for the first request, 2 for the first retry…; 0 for 'dropped'/'held', where nothing was sent. */
  attempt: number;
  status: WebhookStatus;
  /** Sandbox clock, ISO-8601 UTC. */
  at: string;
}

export interface CreateAppointmentAction {
  locationId: string;
  calendarId: string;
  contactId: string;
  startTime: string;
  endTime: string;
  title?: string;
  appointmentStatus?: AppointmentStatus;
  assignedUserId?: string;
  notes?: string;
  /** A series (same rules as the API's create: DAILY/WEEKLY/MONTHLY, COUNT or UNTIL, ≤ 24 occurrences). */
  rrule?: string;
}

export interface EditAppointmentAction {
  title?: string;
  notes?: string;
  assignedUserId?: string;
  calendarId?: string;
  appointmentStatus?: AppointmentStatus;
}

/** A staff member adds a patient in GHL: at least one of the names, the phone or the email. */
export interface CreateContactAction {
  locationId: string;
  firstName?: string;
  lastName?: string;
  /** Default: firstName + lastName. */
  name?: string;
  phone?: string;
  email?: string;
}

/** Only the fields given change; '' clears one. New first/last names re-derive `name` unless it is given. */
export interface EditContactAction {
  firstName?: string;
  lastName?: string;
  name?: string;
  phone?: string;
  email?: string;
}

/** A staff member blocks time on a calendar in GHL's UI (no webhook: GHL sends none for blocks). */
export interface CreateBlockAction {
  locationId: string;
  calendarId: string;
  startTime: string;
  endTime: string;
  /** Default ''. */
  title?: string;
}

/** Only the fields given change; a new startTime without endTime keeps the block's length. */
export interface EditBlockAction {
  startTime?: string;
  endTime?: string;
  title?: string;
}

/**
 * What a person does in GHL's own UI: no token, no rate limit, no faults, no slot check (staff can
 * double-book). Each change bumps dateUpdated and emits its webhook, and returns the appointment
 * (or the contact).
 */
export interface GhlUserActions {
  /** With `rrule`, a series: returns its master; webhooks per `seriesWebhookIds`. */
  createAppointment(input: CreateAppointmentAction): Appointment;
  /**
   * Without `endTime` the appointment keeps its length. These four take an appointment's id, a
   * series' master id (the whole series: a move starts the rule again from the new first start), or
   * an instance id (that occurrence alone; its id stays).
   */
  moveAppointment(id: string, to: { startTime: string; endTime?: string }): Appointment;
  editAppointment(id: string, changes: EditAppointmentAction): Appointment;
  /** Status 'cancelled' → AppointmentUpdate. */
  cancelAppointment(id: string): Appointment;
  /** Gone from every read, as an API delete → AppointmentDelete (an occurrence: an EXDATE). Returns it as it was deleted. */
  deleteAppointment(id: string): Appointment;
  /**
   * The location installs the app from the Marketplace: INSTALL, and the code GHL hands the
   * browser for the redirect (exchanging it completes the install; it sends no second INSTALL).
   */
  installApp(locationId: string, opts?: { scopes?: string[] }): { code: string; webhook: AppWebhookPayload };
  /** The location removes the app: its OAuth tokens stop working (PITs are not the app's), UNINSTALL. */
  uninstallApp(locationId: string): { webhook: AppWebhookPayload };
  /**
   * A staff member adds a patient → ContactCreate. Refused (SandboxUsageError) when a live contact
   * of the location has the same email or phone: GHL's default "Allow Duplicate Contact: off".
   */
  createContact(input: CreateContactAction): ContactView;
  /** A staff member edits a patient → ContactUpdate; dateUpdated moves. Same duplicate rule. */
  editContact(id: string, changes: EditContactAction): ContactView;
  /**
   * A staff member deletes a patient → ContactDelete. Afterwards GET answers 404 and search leaves
   * it out; appointments naming it stay. Returns it as it was deleted.
   */
  deleteContact(id: string): ContactView;
  /** A staff member blocks time on a calendar; returns it as GET blocked-slots lists it. No webhook. */
  createBlock(input: CreateBlockAction): Block;
  /** Moves, stretches or renames a block; dateUpdated moves. No webhook. */
  editBlock(id: string, changes: EditBlockAction): Block;
  /** Removes a block (gone from every read); returns it as it was. No webhook. */
  deleteBlock(id: string): Block;
  /** Sets a calendar's working hours (calendars.json OpenHour[]); `[]` or null clears them. Returns the calendar. */
  setOpenHours(calendarId: string, openHours: OpenHours | null): Calendar;
}
