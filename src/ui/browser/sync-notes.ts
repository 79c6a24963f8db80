/**
 * A cita's push to GHL, told to the front desk in Spanish: what happened and what happens next.
 * The service keeps `sync.error` in English for developers (src/sync/outbound.ts writes
 * `<kind>: <what GHL answered>`, the kinds of src/ghl/errors.ts, or one of the reasons of
 * src/sync/gone-from-ghl.ts); none of that text reaches the screen. No DOM here: unit-tested.
 */

/**
 * How the service retries a push (src/sync/push-retry.ts): a failure that passes with time is
 * tried again within seconds to minutes, and after SYNC_MAX_ATTEMPTS counted attempts the cita is
 * `sync_failed`. The service's defaults; test/unit/ui-problems.test.ts holds them to its config.
 */
export const PUSH_ATTEMPTS = 3;

export interface SyncState {
  status: string;
  error: string | null;
  retries: number;
}

/** When the service tries again by itself: within minutes, once the location is reconnected, at the hourly sync. */
export type Next = 'soon' | 'reconnect' | 'hourly';

/** Each kind of failure: what happened, and when the service tries again by itself. */
const KINDS: Record<string, { what: (detail: string) => string; next: Next }> = {
  rate_limited: { what: () => 'GHL pidió esperar porque recibió demasiadas solicitudes seguidas', next: 'soon' },
  server: { what: (d) => `GHL tuvo un error en su servidor${statusOf(d)}`, next: 'soon' },
  network: { what: () => 'GHL no respondió a tiempo (o se cortó la conexión)', next: 'soon' },
  circuit_open: { what: () => 'GHL falló varias veces seguidas con esta sede, y el servicio dejó de llamarlo por un momento', next: 'soon' },
  store_unavailable: { what: () => 'un componente interno del servicio no estaba disponible', next: 'soon' },
  not_connected: { what: () => 'la sede no está conectada a GHL', next: 'reconnect' },
  reauth_required: { what: () => 'la conexión de la sede con GHL dejó de valer', next: 'reconnect' },
  auth: { what: () => 'GHL no aceptó la autorización de esta sede', next: 'reconnect' },
  scope: { what: () => 'la conexión con GHL no tiene los permisos necesarios', next: 'reconnect' },
  not_found: { what: () => 'GHL no encontró el calendario, el contacto o la cita indicados', next: 'hourly' },
  slot_unavailable: { what: () => 'GHL dice que ese horario ya no está libre en su calendario', next: 'hourly' },
  validation: { what: () => 'GHL rechazó los datos de la cita', next: 'hourly' },
  internal: { what: () => 'hubo un error interno del servicio al enviarla', next: 'hourly' },
};

/** What the service notes when GHL no longer has the appointment (src/sync/gone-from-ghl.ts). */
const GONE: [RegExp, string][] = [
  [/deleted in GHL.*our edit was not sent/, 'La cita se eliminó en GHL; aquí quedó cancelada y el último cambio no se envió.'],
  [/^the appointment was deleted in GHL/, 'La cita se eliminó en GHL; aquí quedó cancelada.'],
  [/^GHL no longer lists this appointment/, 'GHL ya no tiene esta cita; aquí quedó cancelada.'],
  [/^the GHL appointment no longer exists/, 'La cita ya no existe en GHL.'],
];

/** `POST calendars/events/appointments → 503: Service Unavailable` → « (código 503)». */
function statusOf(detail: string): string {
  const code = /→ (\d{3})\b/.exec(detail)?.[1];
  return code ? ` (código ${code})` : '';
}

/** The kind and GHL's words of a `sync.error`; null when it is not `<kind>: …`. */
export function parseSyncError(error: string): { kind: string; detail: string } | null {
  const m = /^([a-z_]+): ([\s\S]*)$/.exec(error);
  return m ? { kind: m[1]!, detail: m[2]! } : null;
}

/** When the service tries a failure of this kind again by itself; null for a kind this page does not know. */
export function nextTryOf(kind: string): Next | null {
  return Object.hasOwn(KINDS, kind) ? KINDS[kind]!.next : null;
}

function kindOf(error: string): { what: string; next: Next } | null {
  const parsed = parseSyncError(error);
  if (!parsed || !Object.hasOwn(KINDS, parsed.kind)) return null;
  const kind = KINDS[parsed.kind]!;
  return { what: kind.what(parsed.detail), next: kind.next };
}

function goneWording(error: string): string | null {
  return GONE.find(([re]) => re.test(error))?.[1] ?? null;
}

/** The Spanish for what happened, or null when this page has no words for that error. */
export function syncErrorWording(error: string): string | null {
  const what = goneWording(error) ?? kindOf(error)?.what;
  return what ? `${what.charAt(0).toUpperCase()}${what.slice(1)}${what.endsWith('.') ? '' : '.'}` : null;
}

/** What the desk should know about the push to GHL, beyond the badge; null when nothing. */
export function syncNote(sync: SyncState): string | null {
  if (sync.status !== 'sync_failed' && !(sync.status === 'pending_sync' && sync.error)) return null;
  const error = sync.error ?? '';
  const gone = goneWording(error);
  if (gone) return gone;
  const kind = kindOf(error) ?? { what: 'el envío a GHL falló', next: 'hourly' as const };
  if (sync.status === 'sync_failed') {
    const fix = kind.next === 'hourly' ? 'revise el calendario, el contacto y el horario, y use' : 'use';
    return `No se pudo enviar a GHL: ${kind.what}. Se intentó ${PUSH_ATTEMPTS} veces sin éxito. La cita está guardada; ${fix} «Reintentar envío» cuando se haya resuelto.`;
  }
  const tries = sync.retries > 0 ? ` (van ${Math.min(sync.retries, PUSH_ATTEMPTS)} de ${PUSH_ATTEMPTS} intentos)` : '';
  const lead = `GHL aún no la recibió: ${kind.what}. La cita está guardada`;
  switch (kind.next) {
    case 'soon':
      return `${lead} y se volverá a enviar automáticamente en unos segundos o minutos${tries}; si fallan los ${PUSH_ATTEMPTS} intentos, quedará como «Falló el envío a GHL».`;
    case 'reconnect':
      return `${lead} y se enviará automáticamente cuando un administrador vuelva a conectar la sede con GHL.`;
    default:
      return `${lead}; se volverá a intentar en la sincronización de cada hora${tries}, o use «Reintentar envío» tras revisarla.`;
  }
}

/**
 * A block's push to GHL, in the same words as a cita's but shorter: what happened, and that the
 * block is kept here (and already refuses bookings) while GHL catches up.
 */
export function blockSyncNote(sync: SyncState): string | null {
  if (sync.status !== 'sync_failed' && !(sync.status === 'pending_sync' && sync.error)) return null;
  const what = syncErrorWording(sync.error ?? '') ?? 'El envío a GHL falló.';
  return sync.status === 'sync_failed'
    ? `No se pudo enviar el bloqueo a GHL. ${what} El bloqueo está guardado aquí.`
    : `GHL aún no recibió el bloqueo. ${what} Se volverá a enviar automáticamente.`;
}
