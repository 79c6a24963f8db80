/**
 * Every metric the service records, in one place: name, kind, labels, buckets, help text. The
 * Prometheus exposition, the JSON report and the dashboard (ops/grafana-dashboard.json) read it.
 * Durations are seconds (Prometheus base units). Label values are bounded: route templates,
 * outcomes, status classes, GHL operations, job kinds — never ids of citas or appointments.
 */

const LATENCY = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const FAMILIES = {
  http_request_duration_seconds: {
    type: 'histogram',
    labels: ['route', 'method', 'status_class'],
    buckets: LATENCY,
  },
  webhooks_total: {
    type: 'counter',
    labels: ['outcome'],
  },
  webhooks_first_delivery_total: {
    type: 'counter',
    labels: [],
  },
  webhook_duration_seconds: {
    type: 'histogram',
    labels: ['outcome'],
    buckets: LATENCY,
  },
  ghl_request_duration_seconds: {
    type: 'histogram',
    labels: ['operation', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
  },
  ghl_errors_total: {
    type: 'counter',
    labels: ['type'],
  },
  sync_pushes_total: {
    type: 'counter',
    labels: ['outcome'],
  },
  create_to_ghl_seconds: {
    type: 'histogram',
    labels: [],
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
  },
  job_duration_seconds: {
    type: 'histogram',
    labels: ['kind', 'outcome'],
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600],
  },
} as const;

/**
 * Each family's help text, for the Prometheus exposition only: apart from FAMILIES so that a
 * function that records metrics but never renders them does not carry the prose in its bundle.
 */
export const FAMILY_HELP: { [K in keyof typeof FAMILIES]: string } = {
  http_request_duration_seconds:
    'Time to answer an HTTP request, by route template, method and status class.',
  webhooks_total:
    'GHL webhook deliveries by outcome (created, applied, cancelled, conflict, stale, echo, unchanged, ignored, duplicate, invalid_signature, invalid_timestamp, invalid_payload, failed).',
  webhooks_first_delivery_total:
    'Webhooks processed on their first delivery (GHL never had to send them again).',
  webhook_duration_seconds:
    'Time to handle a GHL webhook delivery, by outcome.',
  ghl_request_duration_seconds:
    'GHL API calls by operation and outcome (2xx, 401, 403, 404, 429, 4xx, 5xx, network), each attempt counted.',
  ghl_errors_total:
    'GHL API errors by type (401, 403, 429, 5xx, network).',
  sync_pushes_total:
    'Pushes of citas to GHL by outcome (synced, unchanged, retry, failed, deferred).',
  create_to_ghl_seconds:
    'From a cita created in RV3 to its appointment existing in GHL.',
  job_duration_seconds:
    'Scheduled job runs for one location, by kind and outcome (ok, partial, failed).',
};

export type FamilyName = keyof typeof FAMILIES;
export type CounterName = { [K in FamilyName]: (typeof FAMILIES)[K]['type'] extends 'counter' ? K : never }[FamilyName];
export type HistogramName = { [K in FamilyName]: (typeof FAMILIES)[K]['type'] extends 'histogram' ? K : never }[FamilyName];
export type LabelsOf<K extends FamilyName> = { [L in (typeof FAMILIES)[K]['labels'][number]]: string };

/** Gauges computed when scraped (from the database and the store), not counted. */
export const GAUGES = {
  citas: { help: "Citas needing attention per location, by state (pending_sync, sync_failed, conflict)." },
  sync_last_success_age_seconds: { help: "Seconds since a location's last successful sync of a kind (since it was connected, before any)." },
  ghl_connection_status: { help: "A location's GHL connection: 1 for its current status (active, reauth_required, uninstalled)." },
  ghl_breaker_open: { help: "1 while a location's GHL circuit breaker is open (its GHL calls paused)." },
  sync_held_sweeps: { help: 'Sweeps held for review per location (an admin must confirm or dismiss).' },
  webhooks_first_delivery_ratio: { help: 'Share of processed webhooks processed on their first delivery (the durable record, all time).' },
} as const;

/** A series' field in the shared hash: the family and its labels, sorted, as Prometheus writes them. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}
