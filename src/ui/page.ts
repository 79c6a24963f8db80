/**
 * The agenda page's shell, rendered on the server: every control with its label, the dialogs, the
 * live regions. It holds no data (that needs the key, which only the browser has); the script
 * (src/ui/browser/, bundled into src/ui/generated/) fills it in through /api.
 */
import { html, raw } from 'hono/html';
import { AGENDA_CSS } from './styles';

const DURATIONS: [number, string][] = [
  [15, '15 min'],
  [30, '30 min'],
  [45, '45 min'],
  [60, '1 h'],
  [90, '1 h 30'],
  [120, '2 h'],
];

function keyEntry() {
  return html`<section id="entrada" aria-labelledby="entrada-titulo" class="card narrow">
    <h2 id="entrada-titulo">Ingrese su clave de API</h2>
    <p>La clave se guarda solo en esta pestaña del navegador y se olvida al cerrarla.</p>
    <form id="form-clave" novalidate>
      <label for="clave">Clave de API</label>
      <input id="clave" name="clave" type="password" autocomplete="off" spellcheck="false" required aria-describedby="clave-error" />
      <button type="submit" class="primary">Entrar</button>
      <p id="clave-error" class="error" role="alert"></p>
    </form>
  </section>`;
}

function toolbar() {
  return html`<div class="toolbar">
    <div role="group" aria-label="Vista">
      <button type="button" id="vista-dia" aria-pressed="false">Día</button>
      <button type="button" id="vista-semana" aria-pressed="true">Semana</button>
    </div>
    <div role="group" aria-label="Navegar por fechas">
      <button type="button" id="anterior">‹ Anterior</button>
      <button type="button" id="hoy">Hoy</button>
      <button type="button" id="siguiente">Siguiente ›</button>
    </div>
    <div class="field-inline"><label for="ir-a">Ir a la fecha</label><input type="date" id="ir-a" /></div>
    <div class="field-inline"><label for="filtro-estado">Mostrar</label><select id="filtro-estado"></select></div>
    <div class="field-inline"><label for="calendario-horario">Horario de</label><select id="calendario-horario" aria-describedby="calendario-horario-ayuda"></select></div>
    <p class="sr-only" id="calendario-horario-ayuda">La agenda marca en gris las horas en que este calendario no atiende, y «Horarios libres» muestra sus horarios.</p>
    <button type="button" id="nueva-cita" class="primary">Nueva cita</button>
    <button type="button" id="bloquear-horario">Bloquear horario</button>
  </div>`;
}

function calendarsPanel() {
  return html`<section id="calendarios" aria-labelledby="calendarios-titulo" class="card">
    <h2 id="calendarios-titulo">Calendarios de GHL</h2>
    <p class="hint">La agenda muestra los calendarios sincronizados; las citas nuevas van al predeterminado.</p>
    <form id="form-calendarios" novalidate>
      <table>
        <thead><tr><th scope="col">Calendario</th><th scope="col">Sincronizar</th><th scope="col">Predeterminado</th></tr></thead>
        <tbody id="lista-calendarios"></tbody>
      </table>
      <p><label><input type="checkbox" id="avisar-pacientes" name="avisar" /> Que GHL avise a los pacientes (confirmación y recordatorios) de las citas que se crean, cambian o cancelan aquí</label></p>
      <p id="calendarios-error" class="error" role="alert"></p>
      <button type="submit" id="guardar-calendarios">Guardar calendarios</button>
    </form>
  </section>`;
}

function conflictsPanel() {
  return html`<section id="conflictos" aria-labelledby="conflictos-titulo" class="card">
    <h2 id="conflictos-titulo">Conflictos</h2>
    <p class="hint">Citas llegadas de GHL que se superponen con otra cita activa o caen dentro de un bloqueo, y citas que GHL ya tenía más de una vez al conectar la sede: elija cuál es con «Vincular».</p>
    <ul id="lista-conflictos"></ul>
  </section>`;
}

/**
 * «Horarios libres» (issue 23): GHL's free slots of the chosen calendar on a day; one clicked
 * opens the new-cita form there. src/ui/browser/free-slots.ts.
 */
function freeSlotsPanel() {
  return html`<section id="libres" aria-labelledby="libres-titulo" class="card">
    <h2 id="libres-titulo">Horarios libres</h2>
    <p class="hint" id="libres-calendario"></p>
    <div class="field-inline"><label for="libres-dia">Día</label><input type="date" id="libres-dia" /></div>
    <p id="libres-estado" class="hint" aria-live="polite"></p>
    <ul id="lista-libres" class="slots" aria-labelledby="libres-titulo"></ul>
  </section>`;
}

/** A form control: its kind and any fixed attributes (written here, never from data). */
type Control = { tag: 'input'; attrs: string } | { tag: 'select' } | { tag: 'textarea'; attrs: string };

/** One labelled control with the place its error is shown; `name` is the form value it holds. */
function field(name: string, label: string, control: Control, hint?: string, prefix = 'cita') {
  const id = `${prefix}-${name}`;
  const describedBy = [hint ? `${id}-ayuda` : '', `${id}-error`].filter(Boolean).join(' ');
  const common = html`id="${id}" name="${name}" aria-describedby="${describedBy}"`;
  const el =
    control.tag === 'input'
      ? html`<input ${common} ${raw(control.attrs)} />`
      : control.tag === 'select'
        ? html`<select ${common}></select>`
        : html`<textarea ${common} ${raw(control.attrs)}></textarea>`;
  return html`<div class="field" data-field="${name}">
    <label for="${id}">${label}</label>
    ${hint ? html`<p class="hint" id="${id}-ayuda">${hint}</p>` : ''}
    ${el}
    <p class="error" id="${id}-error"></p>
  </div>`;
}

/** A field of the «Nuevo paciente» form (inside the cita form: not a form of its own). */
function newPatientField(name: string, label: string, attrs: string) {
  const id = `paciente-${name}`;
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <input id="${id}" name="${id}" aria-describedby="${id}-error" ${raw(attrs)} />
    <p class="error" id="${id}-error"></p>
  </div>`;
}

/**
 * «Paciente»: an editable combobox (ARIA 1.2, list autocomplete) over GET /api/contacts, and the
 * small «Nuevo paciente» form its last option opens (POST /api/contacts). The patient picked is
 * shown under it by name and phone; GHL ids stay out of sight. src/ui/browser/patient-picker.ts.
 */
function patientPicker() {
  return html`<div class="field" data-field="patient">
      <label for="cita-patient">Paciente</label>
      <p class="hint" id="cita-patient-ayuda">Escriba parte del nombre, el teléfono o el correo y elija con las flechas y Enter. Si no está, elija «Nuevo paciente».</p>
      <div class="combo">
        <input id="cita-patient" name="patient" type="text" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="cita-patient-lista" autocomplete="off" spellcheck="false" aria-describedby="cita-patient-elegido cita-patient-ayuda cita-patient-error" />
        <div class="combo-popup" id="cita-patient-popup" hidden>
          <ul id="cita-patient-lista" role="listbox" aria-label="Pacientes encontrados"></ul>
          <p class="combo-note" id="cita-patient-nota"></p>
        </div>
      </div>
      <p class="chosen" id="cita-patient-elegido"></p>
      <p class="sr-only" id="cita-patient-estado" role="status"></p>
      <p class="error" id="cita-patient-error"></p>
    </div>
    <div id="paciente-nuevo" class="new-patient" role="group" aria-labelledby="paciente-nuevo-titulo" hidden>
      <h3 id="paciente-nuevo-titulo">Nuevo paciente</h3>
      <p class="hint">Se crea en GHL. Si GHL ya tiene un paciente con ese teléfono o correo, se usa ese mismo.</p>
      <div class="row">
        ${newPatientField('first_name', 'Nombres', 'type="text" maxlength="100" autocomplete="off"')}
        ${newPatientField('last_name', 'Apellidos', 'type="text" maxlength="100" autocomplete="off"')}
      </div>
      <div class="row">
        ${newPatientField('phone', 'Teléfono', 'type="tel" autocomplete="off" placeholder="+51 999 000 111"')}
        ${newPatientField('email', 'Correo', 'type="email" autocomplete="off"')}
      </div>
      <p id="paciente-nuevo-error" class="error" role="alert"></p>
      <div class="actions">
        <button type="button" id="crear-paciente">Crear paciente</button>
        <button type="button" id="cancelar-paciente">Cancelar</button>
      </div>
    </div>
`;
}

/**
 * «Repetir» (issue 24, new citas only): how often, and until when — a number of sessions or a last
 * day; typing in either input picks its way of ending. src/ui/browser/cita-dialog.ts.
 */
function repeatFields() {
  return html`<fieldset id="cita-repetir">
        <legend>Serie de sesiones</legend>
        ${field('repeat', 'Repetir', { tag: 'select' }, 'Para una serie de sesiones (por ejemplo, cada martes, 10 sesiones). Se comprueba cada sesión antes de agendar.')}
        <div id="cita-repetir-fin" role="radiogroup" aria-labelledby="cita-repetir-fin-titulo" hidden>
          <p id="cita-repetir-fin-titulo" class="group-title">Termina</p>
          <div class="row">
            <div class="field">
              <label class="check"><input type="radio" name="repeatEnd" value="count" id="cita-repeatEnd-count" checked /> Después de un número de sesiones</label>
              ${field('repeatCount', 'Número de sesiones', { tag: 'input', attrs: 'type="number" min="2" max="24" step="1" inputmode="numeric"' })}
            </div>
            <div class="field">
              <label class="check"><input type="radio" name="repeatEnd" value="until" id="cita-repeatEnd-until" /> En una fecha</label>
              ${field('repeatUntil', 'Hasta el', { tag: 'input', attrs: 'type="date"' })}
            </div>
          </div>
        </div>
      </fieldset>`;
}

/** Which sessions of a series an edit or a cancel reaches (issue 24); hidden for a cita on its own. */
function scopeChoice(prefix: string, legend: string) {
  const options: [string, string][] = [
    ['this', 'Solo esta sesión'],
    ['following', 'Esta y las siguientes'],
    ['all', 'Toda la serie'],
  ];
  return html`<fieldset id="${prefix}-alcance" class="scope" hidden>
    <legend>${legend}</legend>
    <p class="hint" id="${prefix}-alcance-sesion"></p>
    <div class="choices">
      ${options.map(([value, label]) => html`<label><input type="radio" name="${prefix}-scope" value="${value}" ${value === 'this' ? raw('checked') : ''} /> ${label}</label>`)}
    </div>
  </fieldset>`;
}

function citaDialog() {
  return html`<dialog id="dialogo-cita" aria-labelledby="dialogo-cita-titulo">
    <form id="form-cita" novalidate>
      <h2 id="dialogo-cita-titulo">Nueva cita</h2>
      <div id="cita-errores" class="error-summary" role="alert"></div>
      ${field('title', 'Motivo', { tag: 'input', attrs: 'type="text" maxlength="200" required' })}
      ${patientPicker()}
      ${field('calendarId', 'Calendario', { tag: 'select' })}
      <fieldset>
        <legend>Fecha y hora <span class="zone-note" id="cita-zona"></span></legend>
        <div class="row">
          ${field('day', 'Fecha', { tag: 'input', attrs: 'type="date" required' })}
          ${field('start', 'Inicio', { tag: 'input', attrs: 'type="time" step="300" required' })}
          ${field('end', 'Fin', { tag: 'input', attrs: 'type="time" step="300" required' })}
        </div>
        <label class="check"><input type="checkbox" id="cita-endsNextDay" name="endsNextDay" /> Termina al día siguiente</label>
        <div role="group" aria-label="Duración" class="durations">
          <span aria-hidden="true">Duración:</span>
          ${DURATIONS.map(([minutes, label]) => html`<button type="button" data-minutos="${minutes}" aria-label="Duración ${label}">${label}</button>`)}
        </div>
      </fieldset>
      ${field('status', 'Estado', { tag: 'select' })}
      ${field('notes', 'Notas', { tag: 'textarea', attrs: 'rows="3" maxlength="10000"' })}
      ${repeatFields()}
      ${scopeChoice('cita', '¿A qué sesiones aplicar los cambios?')}
      <div class="actions">
        <button type="submit" class="primary" id="guardar-cita">Guardar cita</button>
        <button type="button" id="cerrar-cita">Cerrar</button>
      </div>
    </form>
  </dialog>`;
}

function cancelDialog() {
  return html`<dialog id="dialogo-cancelar" aria-labelledby="cancelar-titulo" aria-describedby="cancelar-texto">
    <h2 id="cancelar-titulo">¿Cancelar la cita?</h2>
    <p id="cancelar-texto"></p>
    ${scopeChoice('cancelar', '¿Qué sesiones cancelar?')}
    <p id="cancelar-error" class="error" role="alert"></p>
    <div class="actions">
      <button type="button" id="confirmar-cancelar" class="danger">Sí, cancelar la cita</button>
      <button type="button" id="volver-cancelar">No, volver</button>
    </div>
  </dialog>`;
}

/** Booking into a block or outside working hours: said, then asked (src/ui/browser/force-dialog.ts). */
function forceDialog() {
  return html`<dialog id="dialogo-forzar" aria-labelledby="forzar-titulo" aria-describedby="forzar-texto">
    <h2 id="forzar-titulo">Horario no disponible</h2>
    <p id="forzar-texto"></p>
    <p id="forzar-error" class="error" role="alert"></p>
    <div class="actions">
      <button type="button" id="confirmar-forzar" class="primary">Agendar de todos modos</button>
      <button type="button" id="volver-forzar">Volver</button>
    </div>
  </dialog>`;
}

/**
 * A series some of whose sessions collide (409 series_conflict, issue 24): each one said, then
 * asked: book only the free sessions, or go back (src/ui/browser/series-dialog.ts).
 */
function seriesConflictDialog() {
  return html`<dialog id="dialogo-serie" aria-labelledby="serie-titulo" aria-describedby="serie-texto">
    <h2 id="serie-titulo">Algunas sesiones no están disponibles</h2>
    <p id="serie-texto"></p>
    <ul id="serie-choques" class="collisions"></ul>
    <p id="serie-error" class="error" role="alert"></p>
    <div class="actions">
      <button type="button" id="confirmar-serie" class="primary">Agendar solo las sesiones libres</button>
      <button type="button" id="volver-serie">Volver</button>
    </div>
  </dialog>`;
}

/** «Bloquear horario» / «Editar bloqueo» (src/ui/browser/block-dialog.ts). */
function blockDialog() {
  const f = (name: string, label: string, control: Control, hint?: string) => field(name, label, control, hint, 'bloqueo');
  return html`<dialog id="dialogo-bloqueo" aria-labelledby="dialogo-bloqueo-titulo">
    <form id="form-bloqueo" novalidate>
      <h2 id="dialogo-bloqueo-titulo">Bloquear horario</h2>
      <p class="hint">Nadie podrá agendar en ese horario sin confirmarlo. El bloqueo también se crea en GHL. <span class="zone-note" id="bloqueo-zona"></span></p>
      <div id="bloqueo-errores" class="error-summary" role="alert"></div>
      ${f('calendarId', 'Calendario', { tag: 'select' })}
      <div class="row">
        ${f('day', 'Día', { tag: 'input', attrs: 'type="date" required' })}
        ${f('from', 'Desde', { tag: 'input', attrs: 'type="time" step="300" required' })}
        ${f('to', 'Hasta', { tag: 'input', attrs: 'type="time" step="300" required' })}
      </div>
      ${f('endDay', 'Día en que termina', { tag: 'input', attrs: 'type="date" required' }, 'Cámbielo solo si el bloqueo abarca varios días (vacaciones, un curso).')}
      ${f('title', 'Motivo', { tag: 'input', attrs: 'type="text" maxlength="200" required placeholder="Almuerzo"' })}
      <div class="actions">
        <button type="submit" class="primary" id="guardar-bloqueo">Guardar bloqueo</button>
        <button type="button" id="cerrar-bloqueo">Cerrar</button>
      </div>
    </form>
  </dialog>`;
}

function removeBlockDialog() {
  return html`<dialog id="dialogo-quitar-bloqueo" aria-labelledby="quitar-bloqueo-titulo" aria-describedby="quitar-bloqueo-texto">
    <h2 id="quitar-bloqueo-titulo">¿Quitar el bloqueo?</h2>
    <p id="quitar-bloqueo-texto"></p>
    <p id="quitar-bloqueo-error" class="error" role="alert"></p>
    <div class="actions">
      <button type="button" id="confirmar-quitar-bloqueo" class="danger">Sí, quitar el bloqueo</button>
      <button type="button" id="volver-quitar-bloqueo">No, volver</button>
    </div>
  </dialog>`;
}

function auditDialog() {
  return html`<dialog id="dialogo-historial" aria-labelledby="historial-titulo" class="wide">
    <h2 id="historial-titulo">Historial</h2>
    <div id="historial-contenido"></div>
    <div class="actions"><button type="button" id="cerrar-historial">Cerrar</button></div>
  </dialog>`;
}

export function agendaPage(scriptUrl: string) {
  return html`<!doctype html>
<html lang="es-PE">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Agenda · citas-sync</title>
    <link rel="icon" href="data:," />
    <style>${raw(AGENDA_CSS)}</style>
    <script src="${scriptUrl}" defer></script>
  </head>
  <body>
    <a class="skip" href="#agenda">Saltar a la agenda</a>
    <header class="top">
      <h1>Agenda de citas</h1>
      <div id="sesion" class="session" hidden>
        <div class="field-inline"><label for="sede">Sede</label><select id="sede"></select></div>
        <p id="zona" class="zone"></p>
        <button type="button" id="cambiar-clave">Cambiar clave</button>
      </div>
    </header>
    <main>
      <noscript><p class="alert">Esta página necesita JavaScript.</p></noscript>
      ${keyEntry()}
      <div id="app" hidden>
        <p id="aviso" class="notice" role="status"></p>
        <p id="alerta" class="alert" role="alert"></p>
        <div class="layout">
          <section id="agenda" aria-labelledby="agenda-titulo" tabindex="-1">
            <h2 id="agenda-titulo">Agenda</h2>
            ${toolbar()}
            <p id="periodo" class="period" aria-live="polite"></p>
            <div id="dias" class="days" aria-busy="false"></div>
          </section>
          <aside aria-label="Horarios libres, calendarios y conflictos">${freeSlotsPanel()} ${calendarsPanel()} ${conflictsPanel()}</aside>
        </div>
      </div>
    </main>
    ${citaDialog()} ${cancelDialog()} ${auditDialog()} ${forceDialog()} ${seriesConflictDialog()} ${blockDialog()} ${removeBlockDialog()}
  </body>
</html>`;
}
