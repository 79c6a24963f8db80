/**
 * The sandbox's public shapes. Wire shapes follow GHL API v2 as described in
 * /work/shared/reference/ghl-api.md; the rest (SeedData, FaultSpec, SandboxStats) is sandbox control.
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
  isRecurring: false;
  startTime: string;
  endTime: string;
  dateAdded: string;
  dateUpdated: string;
  createdBy: { userId: string; source: string };
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
  isRecurring: false;
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
  openHours: Array<{
    daysOfTheWeek: number[];
    hours: Array<{ openHour: number; openMinute: number; closeHour: number; closeMinute: number }>;
  }>;
}

export interface Contact {
  id: string;
  locationId: string;
  firstName: string | null;
  lastName: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
}

export type SeedAppointment = Partial<Appointment> & {
  calendarId: string;
  contactId: string;
  startTime: string;
  endTime: string;
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
      slotDuration?: number;
      autoConfirm?: boolean;
      groupId?: string;
      description?: string;
      teamMembers?: Array<{ userId: string; isPrimary?: boolean; priority?: number }>;
    }>;
    contacts?: Array<{ id?: string; firstName?: string; lastName?: string; email?: string; phone?: string }>;
    appointments?: SeedAppointment[];
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
}

export interface SandboxOptions {
  accessTokenTtlSeconds?: number;
  rateLimit?: { max: number; intervalMs: number };
  dailyLimit?: number;
  clientId?: string;
  clientSecret?: string;
  seed?: number;
  now?: () => number;
}
