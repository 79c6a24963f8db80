/**
 * The service's errors (problem+json with a stable `code`) as the front desk should read them:
 * in Spanish, saying what happened and what to do next. No DOM here, so they are unit-tested.
 */
import { blockedSentence, outsideHoursSentence, type BlockTimes, type WorkingHoursOfDay } from './block-rules';

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

type Wording = (p: ApiProblem, context: ProblemContext, wait: string, describeSlot?: (c: { start_time: string; end_time: string }) => string) => string;

const KEY_REFUSED = 'La clave no es válida o fue revocada. Ingrese una clave de API válida.';
const KEY_FORBIDDEN = 'Esta clave no tiene permiso para esta acción. Ingrese otra clave.';
const RELOAD = 'Recargue la página y vuelva a intentar; si se repite, avise a soporte';

/** Support finds the answer in the logs by its request id. */
function requestOf(p: ApiProblem): string {
  return typeof p.extra.request_id === 'string' ? ` (solicitud ${p.extra.request_id})` : '';
}

/**
 * Every `code` the service answers with (src/errors.ts, src/http/render-error.ts, the middleware,
 * the routes), in the front desk's words: what happened and what to do. The API's `detail` stays
 * English for developers and never reaches the screen. test/unit/ui-problems.test.ts collects the
 * codes from the service's code and fails when one has no sentence here.
 */
export const PROBLEM_WORDING: Record<string, Wording> = {
  network: () => 'No hay conexión con el servicio. Revise su conexión a internet y vuelva a intentar.',
  unauthorized: () => KEY_REFUSED,
  forbidden: () => KEY_FORBIDDEN,
  slot_taken: (p, _c, _w, describeSlot) => {
    const other = p.extra.conflicting_cita as ConflictingCita | null | undefined;
    if (other?.start_time && other.end_time) {
      const when = describeSlot ? describeSlot({ start_time: other.start_time, end_time: other.end_time }) : `${other.start_time} – ${other.end_time}`;
      return `Ese horario ya está ocupado en este calendario por «${other.title ?? 'otra cita'}» (${when}). Elija otra hora u otro calendario.`;
    }
    return 'Ese horario ya está ocupado en este calendario por otra cita. Elija otra hora u otro calendario.';
  },
  // Issue 23: the dialog that asks whether to book anyway adds the question (src/ui/browser/force-dialog.ts).
  slot_blocked: (p) => `${blockedSentence(p.extra.block as BlockTimes | null | undefined)} Elija otra hora u otro calendario.`,
  outside_working_hours: (p) => `${outsideHoursSentence(p.extra.working_hours as WorkingHoursOfDay | null | undefined)} Elija otra hora u otro calendario.`,
  already_linked: () => 'Esa cita de GHL ya está vinculada a otra cita de la agenda.',
  series_conflict: (p) => {
    const n = Array.isArray(p.extra.collisions) ? p.extra.collisions.length : 0;
    return `No se agendó la serie: ${n === 1 ? 'una sesión choca' : `${n} sesiones chocan`} con otra cita, un bloqueo o el horario de atención. Cambie la hora, o agende solo las sesiones libres.`;
  },
  version_mismatch: () => 'Otra persona cambió esta cita mientras usted la editaba. Cargue la versión actual y vuelva a aplicar sus cambios.',
  validation_failed: () => 'Revise los campos marcados.',
  not_found: () => 'No se encontró (quizá fue eliminada, o esta clave no tiene acceso a esa sede).',
  route_not_found: (p) => `La página pidió algo que el servicio no ofrece (quizá la página quedó desactualizada)${requestOf(p)}. Recargue la página.`,
  rate_limited: (_p, _c, wait) => `Demasiadas solicitudes seguidas. ${wait}`,
  payload_too_large: () => 'Los datos son demasiado grandes (revise las notas).',
  invalid_json: (p) => `El servicio no pudo leer lo que envió la página${requestOf(p)}. ${RELOAD}.`,
  bad_request: (p) => `El servicio no pudo procesar la solicitud${requestOf(p)}. ${RELOAD}.`,
  unsupported_media_type: (p) => `El servicio no pudo leer lo que envió la página${requestOf(p)}. ${RELOAD}.`,
  invalid_if_match: (p) => `La página no indicó qué versión de la cita editaba${requestOf(p)}. ${RELOAD}.`,
  idempotency_key_reused: () => 'Este envío repetía uno anterior con otros datos, y no se guardó. Revise la agenda y vuelva a guardar.',
  // The webhook and job routes' codes: the page never calls them, but they have words too.
  invalid_signature: () => 'La firma del mensaje no es válida: se rechazó.',
  stale_webhook: () => 'El aviso de GHL llegó con una hora demasiado antigua (o futura) y se rechazó.',
  invalid_payload: () => 'Los datos enviados por GHL no son válidos y se rechazaron.',
  retry_later: () => 'El servicio no pudo guardar el aviso de GHL en este momento; GHL lo enviará de nuevo.',
  already_decided: () => 'Esa sincronización retenida ya se confirmó o se descartó.',
  ghl_unavailable: (_p, context, wait) =>
    context === 'cita' ? 'GHL no responde en este momento. La cita está guardada y se enviará a GHL en cuanto responda.' : `GHL no responde en este momento. ${wait}`,
  ghl_not_connected: () => 'Esta sede no está conectada a GHL: las citas se guardan, pero no llegan a GHL hasta conectarla.',
  ghl_reauth_required: () => 'La conexión de esta sede con GHL debe autorizarse de nuevo; mientras tanto las citas quedan pendientes.',
  ghl_not_found: () => 'GHL no encontró el calendario o el paciente indicado (quizá se eliminó en GHL). Revise el calendario y el paciente.',
  ghl_rejected: (p) =>
    /no longer available/i.test(p.detail)
      ? 'GHL indica que ese horario ya no está libre en su calendario. Elija otra hora.'
      : 'GHL rechazó la cita. Revise el calendario, el contacto y el horario, y vuelva a guardar.',
  database_unavailable: (_p, _c, wait) => `El servicio no está disponible en este momento. ${wait}`,
  store_unavailable: (_p, _c, wait) => `El servicio no está disponible en este momento. ${wait}`,
  write_conflict: (_p, _c, wait) => `Otro cambio se cruzó con este y no se guardó nada. ${wait}`,
  config_invalid: (p) => `El servicio está mal configurado${requestOf(p)}: avise al administrador.`,
  internal: (p, _c, wait) => `Error del servicio${requestOf(p)}. ${wait}`,
};

/**
 * One sentence for the person at the desk. `describeSlot` formats the conflicting cita's times in
 * the clinic's zone (the caller knows it).
 */
export function problemMessage(p: ApiProblem, context: ProblemContext = 'general', describeSlot?: (c: { start_time: string; end_time: string }) => string): string {
  const wait = p.retryAfter !== null ? `Vuelva a intentar en ${p.retryAfter} s.` : 'Vuelva a intentar en unos segundos.';
  const wording = Object.hasOwn(PROBLEM_WORDING, p.code) ? PROBLEM_WORDING[p.code] : undefined;
  if (wording) return wording(p, context, wait, describeSlot);
  // A code this page does not know yet (or no problem body at all): its status still says enough.
  if (p.status === 401) return KEY_REFUSED;
  if (p.status === 403) return KEY_FORBIDDEN;
  if (p.status === 429) return `Demasiadas solicitudes seguidas. ${wait}`;
  if (p.status >= 500) return `Error del servicio${requestOf(p)}. ${wait}`;
  return `No se pudo completar la acción (error ${p.status}${requestOf(p) ? `, solicitud ${p.extra.request_id as string}` : ''}). ${RELOAD}.`;
}

// ── Field problems ────────────────────────────────────────────────────────────────────────────

/** The API's field names (JSON paths) as the form calls them. */
const FIELD_NAMES: Record<string, string> = {
  title: 'Motivo',
  contact_id: 'Paciente',
  contact: 'Paciente',
  'contact.name': 'Nombre del contacto',
  'contact.first_name': 'Nombre del contacto',
  'contact.last_name': 'Apellido del contacto',
  'contact.email': 'Email del contacto',
  'contact.phone': 'Teléfono del contacto',
  calendar_id: 'Calendario',
  default_calendar_id: 'Calendario predeterminado',
  synced_calendar_ids: 'Calendarios sincronizados',
  start_time: 'Inicio',
  end_time: 'Fin',
  notes: 'Notas',
  status: 'Estado',
  estado: 'Estado',
  extras: 'Datos adicionales',
  assigned_user_id: 'Profesional asignado',
  location_id: 'Sede',
  first_name: 'Nombres',
  last_name: 'Apellidos',
  name: 'Nombre',
  phone: 'Teléfono',
  email: 'Correo',
  q: 'Búsqueda',
  time_zone: 'Zona horaria',
  desde: 'Desde',
  hasta: 'Hasta',
  cursor: 'Página de resultados',
  limit: 'Cantidad por página',
  // Issue 24: series and connect-time matches.
  repeat: 'Repetir',
  'repeat.freq': 'Repetir',
  'repeat.interval': 'Cada cuántos días, semanas o meses',
  'repeat.count': 'Número de sesiones',
  'repeat.until': 'Hasta el',
  on_conflict: 'Sesiones que chocan',
  scope: 'Sesiones de la serie',
  ghl_appointment_id: 'Cita de GHL',
  'Idempotency-Key': 'Clave de envío',
  '(body)': 'Los datos enviados',
};

/** `synced_calendar_ids.2` → «Calendarios sincronizados (n.º 3)»; an unknown name is shown as the path it is. */
export function fieldLabel(field: string): string {
  if (FIELD_NAMES[field]) return FIELD_NAMES[field]!;
  const item = /^(.+)\.(\d+)$/.exec(field);
  if (item && FIELD_NAMES[item[1]!]) return `${FIELD_NAMES[item[1]!]} (n.º ${Number(item[2]) + 1})`;
  const parent = /^([^.]+)\./.exec(field);
  if (parent && FIELD_NAMES[parent[1]!]) return `${FIELD_NAMES[parent[1]!]} («${field.slice(parent[1]!.length + 1)}»)`;
  return `«${field}»`;
}

const UNITS: Record<string, [string, string]> = {
  characters: ['carácter', 'caracteres'],
  items: ['elemento', 'elementos'],
  entries: ['entrada', 'entradas'],
  bytes: ['byte', 'bytes'],
};
function units(n: string, unit: string): string {
  const [one, many] = UNITS[unit] ?? [unit, unit];
  return `${n} ${n === '1' ? one : many}`;
}
/** zod's bound words: `<=5` → «como máximo 5». */
function bound(op: string, n: string, unit?: string): string {
  const amount = unit ? units(n, unit) : n;
  if (op === '<=') return `como máximo ${amount}`;
  if (op === '<') return `menos de ${amount}`;
  if (op === '>=') return `como mínimo ${amount}`;
  if (op === '>') return `más de ${amount}`;
  return `exactamente ${amount}`;
}

const TYPES: Record<string, string> = {
  string: 'un texto',
  number: 'un número',
  int: 'un número entero',
  boolean: 'verdadero o falso',
  object: 'un objeto con campos',
  array: 'una lista',
  date: 'una fecha',
  bigint: 'un número entero',
  null: 'vacío (null)',
};

/** zod's format nouns (`Invalid email address`, `Invalid UUID`…): the ones the service uses, said plainly. */
const FORMATS: Record<string, string> = {
  // zod's email rule (ASCII only) refuses `ana.pérez@correo.pe`: on purpose, see README «The front desk's agenda».
  'email address': 'El email no es válido: escríbalo como nombre@dominio.pe, sin espacios y sin tildes ni ñ (los proveedores de correo no las admiten).',
  UUID: 'No es un identificador válido.',
  GUID: 'No es un identificador válido.',
  UUIDv4: 'No es un identificador válido.',
  UUIDv6: 'No es un identificador válido.',
  URL: 'No es una dirección web (URL) válida.',
  'ISO datetime': 'No es una fecha y hora válida (AAAA-MM-DDThh:mm).',
  'ISO date': 'No es una fecha válida (AAAA-MM-DD).',
  'ISO time': 'No es una hora válida (hh:mm).',
  'ISO duration': 'No es una duración válida.',
  'E.164 number': 'El teléfono no es válido (ejemplo: +51999000111).',
};

type FieldWording = string | ((m: RegExpExecArray) => string);

/**
 * The service's field messages, English for developers: zod's own (one pattern per issue code,
 * src/errors.ts passes them through) and the service's rules (cita-rules.ts, time.ts, text.ts,
 * the route schemas, settings). test/unit/ui-problems.test.ts collects both from zod and from the
 * service's code and fails when one reaches the fallback below.
 */
const FIELD_WORDING: [RegExp, FieldWording][] = [
  // The service's own rules.
  [/^(must be after start_time|endTime must be after startTime)$/, 'El fin debe ser posterior al inicio.'],
  [/^a cita lasts at least (\d+) minutes$/, (m) => `La cita debe durar al menos ${m[1]} minutos.`],
  [/^a cita lasts at most (\d+) hours$/, (m) => `La cita puede durar como máximo ${m[1]} horas.`],
  [/^must not be empty$/, 'No puede estar vacío.'],
  [/^at most (\d+) characters$/, (m) => `Admite hasta ${m[1]} caracteres.`],
  [/^between (\d+) and (\d+) characters of text$/, (m) => `Debe tener entre ${m[1]} y ${m[2]} caracteres.`],
  [/does not exist in .* \(skipped by a daylight-saving change\)$/, 'Esa hora no existe en la zona de la clínica (cambio de horario).'],
  [/^expected an ISO-8601 date-time/, 'No es una fecha y hora válida (AAAA-MM-DDThh:mm).'],
  [/^not an ISO date-time within the years we accept$/, 'No es una fecha y hora válida, o su año está fuera de lo admitido.'],
  [/^not a valid date-time \(/, 'Esa fecha u hora no existe (día, hora o minuto fuera de rango).'],
  [/^not a valid calendar date \(YYYY-MM-DD, years (\d+)–(\d+)\)$/, (m) => `No es una fecha válida (AAAA-MM-DD, años ${m[1]} a ${m[2]}).`],
  [/^the year must be between (\d+) and (\d+)$/, (m) => `El año debe estar entre ${m[1]} y ${m[2]}.`],
  [/^(\S+) is not a UTC offset/, (m) => `${m[1]} no es una diferencia horaria válida (van de -12:00 a +14:00).`],
  [/^(\S+) is not a known time zone$/, (m) => `${m[1]} no es una zona horaria conocida.`],
  [/^not a known IANA time zone/, 'No es una zona horaria conocida (por ejemplo, America/Lima).'],
  [/^calendar (\S+) \((.*)\) is inactive in GHL$/, (m) => `El calendario «${m[2]}» está inactivo en GHL.`],
  [/^calendar (\S+) does not exist in GHL location/, (m) => `El calendario ${m[1]} no existe en GHL.`],
  [/^calendar (\S+) is not among the calendars synced for location/, (m) => `El calendario ${m[1]} no está entre los sincronizados de esta sede: márquelo en «Calendarios de GHL».`],
  [/^required: this location has no default calendar configured$/, 'Elija un calendario: la sede no tiene uno predeterminado.'],
  [/^needs an email or a phone/, 'Indique un email o un teléfono.'],
  [/^needs a name$/, 'Escriba el nombre del paciente.'],
  [/^GHL cannot give an appointment another patient/, 'Esta cita ya está en GHL y GHL no permite cambiarle el paciente: cancélela y cree una nueva para el paciente correcto.'],
  [/^a phone number such as (\S+)$/, (m) => `El teléfono no es válido (ejemplo: ${m[1]}).`],
  [/^send contact_id or contact$/, 'Elija un paciente.'],
  [/^needs a name$/, 'Escriba el nombre del paciente.'],
  [/^GHL cannot give an appointment another patient/, 'GHL no permite cambiar el paciente de una cita que ya recibió: cancele esta cita y cree otra para el paciente correcto.'],
  // Issue 23: blocks and working hours.
  [/^a block lasts at most (\d+) days$/, (m) => `Un bloqueo puede durar como máximo ${m[1]} días.`],
  [/^at most (\d+) days after desde$/, (m) => `Puede abarcar como máximo ${m[1]} días desde la fecha inicial.`],
  [/^outside the calendar's working hours/, 'Fuera del horario de atención del calendario.'],
  [/^the calendar is closed on /, 'El calendario no atiende ese día.'],
  [/^send at least one field to change$/, 'No hay cambios que guardar.'],
  [/^send status or its alias estado, not both$/, 'Indique el estado una sola vez.'],
  [/^create the cita, then cancel it/, 'Una cita no puede crearse cancelada: créela y luego cancélela.'],
  [/^must not be before desde$/, 'La fecha final no puede ser anterior a la inicial.'],
  [/^not a cursor returned by this API$/, 'La página de resultados pedida no es válida: recargue la agenda.'],
  [/^not a cita id$/, 'No es un identificador de cita válido.'],
  [/^not a block id$/, 'No es un identificador de bloqueo válido.'],
  [/^this cita is not part of a series$/, 'Esta cita no es parte de una serie.'],
  [/^not one of this cita’s match candidates$/, 'Esa cita de GHL no es una de las posibles para esta cita.'],
  [/^a series has at most (\d+) occurrences$/, (m) => `Una serie tiene como máximo ${m[1]} sesiones: elija una fecha final más cercana.`],
  [/^a series has at least 2 occurrences$/, 'Una serie tiene al menos 2 sesiones.'],
  [/^one of this, following, all$/, 'Elija: solo esta sesión, esta y las siguientes, o toda la serie.'],
  [/^send count or until, one of them$/, 'Indique cuántas sesiones o hasta qué fecha (solo una de las dos).'],
  [/^only with repeat$/, 'Solo se usa al repetir la cita.'],
  [/^at least (\d+)$/, (m) => `Debe ser al menos ${m[1]}.`],
  [/^at most (\d+)$/, (m) => `Puede ser como máximo ${m[1]}.`],
  [/^a date, YYYY-MM-DD$/, 'Debe ser una fecha (AAAA-MM-DD).'],
  [/^an admin key serves every location/, 'Una clave de administrador sirve para todas las sedes: no indique sedes.'],
  [/^already used with another body or operation$/, 'Esa clave de envío ya se usó con otros datos.'],
  [/^nested (?:at most|more than) (\d+) levels deep$/, (m) => `Puede anidarse como máximo ${m[1]} niveles.`],
  [/^at most (\d+) bytes as JSON$/, (m) => `Puede ocupar como máximo ${m[1]} bytes.`],
  [/^contains (?:a NUL character|an unpaired surrogate)/, 'Contiene un carácter que no se puede guardar: bórrelo y vuelva a escribir el texto.'],
  [/^a key /, 'Uno de sus nombres de campo contiene un carácter que no se puede guardar.'],
  [/^unknown field$|^Unrecognized keys?: /, 'El servicio no admite este campo.'],
  // zod's messages, one per issue code (zod/v4/locales/en).
  [/^Invalid input: expected (\w+), received undefined$/, 'Es obligatorio.'],
  [/^Invalid input: expected (\w+), received (\w+)$/, (m) => `Debe ser ${TYPES[m[1]!] ?? 'de otro tipo'}.`],
  [/^Invalid input: expected (.+)$/, (m) => `El único valor admitido es ${m[1]}.`],
  [/^Invalid option: expected one of /, 'Elija una de las opciones admitidas.'],
  [/^Too small: expected string to have >=?1 characters?$/, 'No puede estar vacío.'],
  [/^Too (big|small): expected (\w+) to have (<=|<|>=|>|exactly )(\S+) (\w+)$/, (m) => `Debe tener ${bound(m[3]!.trim(), m[4]!, m[5])}.`],
  [/^Too (big|small): expected (\w+) to be (<=|<|>=|>|exactly )(.+)$/, (m) => `Debe ser ${bound(m[3]!.trim(), m[4]!)}.`],
  [/^Invalid string: must start with "(.*)"$/, (m) => `Debe empezar por «${m[1]}».`],
  [/^Invalid string: must end with "(.*)"$/, (m) => `Debe terminar en «${m[1]}».`],
  [/^Invalid string: must include "(.*)"$/, (m) => `Debe incluir «${m[1]}».`],
  [/^Invalid string: must match pattern /, 'No tiene el formato esperado.'],
  [/^Invalid number: must be a multiple of (\S+)$/, (m) => `Debe ser múltiplo de ${m[1]}.`],
  [/^Invalid key in \w+$/, 'Una de sus claves no es válida.'],
  [/^Invalid value in \w+$/, 'Uno de sus valores no es válido.'],
  [/^Invalid discriminator value/, 'Elija una de las opciones admitidas.'],
  [/^Invalid input: more than one option matched$/, 'El valor es ambiguo: coincide con más de una opción.'],
  [/^Invalid input$/, 'El valor no es válido.'],
  [/^Invalid (.+)$/, (m) => FORMATS[m[1]!] ?? 'No tiene el formato esperado.'],
];

/** The Spanish words for a field message, or null when there are none yet. */
export function fieldWording(message: string): string | null {
  for (const [re, es] of FIELD_WORDING) {
    const m = re.exec(message);
    if (m) return typeof es === 'string' ? es : es(m);
  }
  return null;
}

/** The service's field message, in Spanish: one nobody has words for yet is still never shown in English. */
export function fieldMessage(message: string): string {
  return fieldWording(message) ?? 'Este dato no es válido: revíselo.';
}

/** A field problem where the form has no place for it: which field, and what is wrong. */
export function fieldLine(f: FieldProblem): string {
  return `${fieldLabel(f.field)}: ${fieldMessage(f.message)}`;
}
