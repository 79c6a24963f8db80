/**
 * The service's errors (problem+json with a stable `code`) as the front desk should read them:
 * in Spanish, saying what happened and what to do next. No DOM here, so they are unit-tested.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

/** A failed call: an answer with a problem, or (status 0) no answer at all. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly fields: FieldProblem[] = [],
    /** Seconds, from `Retry-After`. */
    readonly retryAfter: number | null = null,
    /** The rest of the problem: `conflicting_cita`, `current_version`, `request_id`… */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = 'ApiProblem';
  }

  /** The key is wrong, revoked or not allowed: only another key helps. */
  get needsKey(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** Reads a problem answer; anything unexpected still becomes a problem with the status. */
export async function problemFrom(res: { status: number; headers: Headers; text(): Promise<string> }): Promise<ApiProblem> {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(await res.text()) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page): the status alone must do.
  }
  const { code, detail, fields, ...extra } = body;
  return new ApiProblem(
    res.status,
    typeof code === 'string' ? code : `http_${res.status}`,
    typeof detail === 'string' ? detail : '',
    Array.isArray(fields) ? (fields as FieldProblem[]) : [],
    retryAfterSeconds(res.headers.get('Retry-After')),
    extra,
  );
}

/** `Retry-After` is seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** What the message is about: a cita write says the cita is safe when only GHL failed. */
export type ProblemContext = 'cita' | 'general';

interface ConflictingCita {
  title?: string;
  start_time?: string;
  end_time?: string;
}

/**
 * One sentence for the person at the desk. `describeSlot` formats the conflicting cita's times in
 * the clinic's zone (the caller knows it).
 */
export function problemMessage(p: ApiProblem, context: ProblemContext = 'general', describeSlot?: (c: { start_time: string; end_time: string }) => string): string {
  const wait = p.retryAfter !== null ? `Vuelva a intentar en ${p.retryAfter} s.` : 'Vuelva a intentar en unos segundos.';
  switch (p.code) {
    case 'network':
      return 'No hay conexión con el servicio. Revise su conexión a internet y vuelva a intentar.';
    case 'unauthorized':
      return 'La clave no es válida o fue revocada. Ingrese una clave de API válida.';
    case 'forbidden':
      return 'Esta clave no tiene permiso para esta acción. Ingrese otra clave.';
    case 'slot_taken': {
      const other = p.extra.conflicting_cita as ConflictingCita | null | undefined;
      if (other?.start_time && other.end_time) {
        const when = describeSlot ? describeSlot({ start_time: other.start_time, end_time: other.end_time }) : `${other.start_time} – ${other.end_time}`;
        return `Ese horario ya está ocupado en este calendario por «${other.title ?? 'otra cita'}» (${when}). Elija otra hora u otro calendario.`;
      }
      return 'Ese horario ya está ocupado en este calendario por otra cita. Elija otra hora u otro calendario.';
    }
    case 'version_mismatch':
      return 'Otra persona cambió esta cita mientras usted la editaba. Cargue la versión actual y vuelva a aplicar sus cambios.';
    case 'validation_failed':
      return 'Revise los campos marcados.';
    case 'not_found':
      return 'No se encontró (quizá fue eliminada, o esta clave no tiene acceso a esa sede).';
    case 'rate_limited':
      return `Demasiadas solicitudes seguidas. ${wait}`;
    case 'ghl_unavailable':
      return context === 'cita'
        ? 'GHL no responde en este momento. La cita está guardada y se enviará a GHL en cuanto responda.'
        : `GHL no responde en este momento. ${wait}`;
    case 'ghl_not_connected':
      return 'Esta sede no está conectada a GHL: las citas se guardan, pero no llegan a GHL hasta conectarla.';
    case 'ghl_reauth_required':
      return 'La conexión de esta sede con GHL debe autorizarse de nuevo; mientras tanto las citas quedan pendientes.';
    case 'ghl_rejected':
      return `GHL rechazó la cita${p.detail ? `: ${p.detail}` : '.'}`;
    case 'database_unavailable':
    case 'store_unavailable':
      return `El servicio no está disponible en este momento. ${wait}`;
    case 'write_conflict':
      return `Otro cambio se cruzó con este y no se guardó nada. ${wait}`;
    case 'payload_too_large':
      return 'Los datos son demasiado grandes (revise las notas).';
  }
  if (p.status === 401) return 'La clave no es válida o fue revocada. Ingrese una clave de API válida.';
  if (p.status === 403) return 'Esta clave no tiene permiso para esta acción. Ingrese otra clave.';
  if (p.status === 429) return `Demasiadas solicitudes seguidas. ${wait}`;
  const request = typeof p.extra.request_id === 'string' ? ` (solicitud ${p.extra.request_id})` : '';
  if (p.status >= 500) return `Error del servicio${request}. ${wait}`;
  return `No se pudo completar: ${p.detail || p.code}${request}.`;
}

/** The service's field messages are in English; the usual ones, in Spanish. */
export function fieldMessage(message: string): string {
  const known: [RegExp, string][] = [
    [/^must be after start_time$/, 'El fin debe ser posterior al inicio.'],
    [/^a cita lasts at least (\d+) minutes$/, 'La cita debe durar al menos $1 minutos.'],
    [/^a cita lasts at most (\d+) hours$/, 'La cita puede durar como máximo $1 horas.'],
    [/^must not be empty$/, 'No puede estar vacío.'],
    [/does not exist in .* \(skipped by a daylight-saving change\)$/, 'Esa hora no existe en la zona de la clínica (cambio de horario).'],
    [/^calendar (\S+) \((.*)\) is inactive in GHL$/, 'El calendario «$2» está inactivo en GHL.'],
    [/^calendar (\S+) does not exist in GHL location/, 'El calendario $1 no existe en GHL.'],
    [/^required: this location has no default calendar configured$/, 'Elija un calendario: la sede no tiene uno predeterminado.'],
    [/^needs an email or a phone/, 'Indique un email o un teléfono.'],
  ];
  for (const [re, es] of known) {
    const m = re.exec(message);
    if (m) return es.replace(/\$(\d)/g, (_, i: string) => m[Number(i)] ?? '');
  }
  return message;
}
