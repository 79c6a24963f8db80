/**
 * The page's styles, inlined in its <head> (one request less, nothing from elsewhere). Colours are
 * chosen for at least 4.5:1 contrast; focus is always visible.
 */
export const AGENDA_CSS = `
:root { --ink:#1b1f24; --muted:#4a535c; --line:#c9d1d9; --bg:#f5f7f9; --card:#fff; --accent:#0b5cad; --accent-ink:#fff;
  --ok-bg:#e3f3e6; --ok:#1d5a2c; --warn-bg:#fff4d6; --warn:#6b4a00; --bad-bg:#fde7e7; --bad:#8f1d1d; font-family: system-ui, sans-serif; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:var(--bg); line-height:1.4; }
.skip { position:absolute; left:-999px; } .skip:focus { left:8px; top:8px; background:var(--card); padding:6px; z-index:10; }
.sr-only { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }
:focus-visible { outline:3px solid #f0a500; outline-offset:2px; }
header.top { display:flex; flex-wrap:wrap; gap:12px 24px; align-items:center; justify-content:space-between; padding:10px 20px; background:#0d2c4b; color:#fff; }
header.top h1 { font-size:1.3rem; margin:0; }
header.top label, header.top .zone { color:#fff; }
.session { display:flex; flex-wrap:wrap; gap:8px 16px; align-items:center; }
.zone { margin:0; font-weight:600; }
main { padding:16px 20px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin-bottom:16px; }
.narrow { max-width:460px; margin:40px auto; }
h2 { font-size:1.15rem; margin:0 0 8px; } h3 { font-size:1rem; margin:0 0 6px; } h4 { font-size:1rem; margin:2px 0; }
label { font-weight:600; }
input, select, textarea, button { font:inherit; color:var(--ink); }
input, select, textarea { border:1px solid #6b7680; border-radius:4px; padding:5px 7px; background:#fff; max-width:100%; }
input[aria-invalid="true"], select[aria-invalid="true"] { border:2px solid var(--bad); }
button { border:1px solid #51606e; background:#fff; border-radius:4px; padding:5px 10px; cursor:pointer; }
button:hover { background:#eef2f6; }
button.primary { background:var(--accent); color:var(--accent-ink); border-color:var(--accent); }
button.primary:hover { background:#094a8c; }
button.danger { background:var(--bad); color:#fff; border-color:var(--bad); }
button[aria-pressed="true"] { background:#0d2c4b; color:#fff; }
button:disabled { opacity:.6; cursor:not-allowed; }
.hint { color:var(--muted); font-size:.9rem; margin:2px 0 6px; }
.error { color:var(--bad); font-weight:600; margin:4px 0; } .error:empty { display:none; }
.error-summary:not(:empty) { background:var(--bad-bg); color:var(--bad); border:1px solid var(--bad); border-radius:6px; padding:8px 10px; margin-bottom:10px; }
.notice:not(:empty) { background:var(--ok-bg); color:var(--ok); border-radius:6px; padding:8px 12px; }
.alert:not(:empty) { background:var(--bad-bg); color:var(--bad); border-radius:6px; padding:8px 12px; font-weight:600; }
.notice:empty, .alert:empty { display:none; }
.layout { display:grid; grid-template-columns:minmax(0,1fr) 320px; gap:16px; align-items:start; }
/* minmax(0,…): a long option («Activas (nuevas y confirmadas)») must not widen the column past a 375 px screen. */
@media (max-width: 1000px) { .layout { grid-template-columns:minmax(0,1fr); } }
.toolbar { display:flex; flex-wrap:wrap; gap:10px 16px; align-items:center; margin-bottom:8px; }
.field-inline { display:flex; flex-wrap:wrap; gap:2px 6px; align-items:center; min-width:0; max-width:100%; }
.period { font-weight:600; margin:6px 0 10px; }
/* Columns always fit (no sideways scrolling); a narrow screen lists the days one under another. */
.days { display:grid; grid-template-columns:repeat(var(--cols,7), minmax(0,1fr)); gap:6px; }
@media (max-width: 760px) { .days { grid-template-columns:1fr; } }
.day { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:6px; min-height:120px; min-width:0; overflow-wrap:break-word; }
.day.today { border:2px solid var(--accent); }
/* Cards never outgrow their day: long words (an error's URL) break instead. */
.day ol { list-style:none; margin:0; padding:0; display:grid; grid-template-columns:minmax(0,1fr); gap:8px; }
.day .empty { color:var(--muted); font-size:.9rem; }
.tag-today { display:inline-block; white-space:nowrap; background:var(--accent); color:#fff; border-radius:4px; padding:0 6px; font-size:.8rem; margin-left:4px; }
.cita { min-width:0; overflow-wrap:break-word; border:1px solid var(--line); border-left:5px solid var(--accent); border-radius:6px; padding:6px 8px; background:#fbfcfd; }
.cita.cancelled { border-left-color:#6b7680; background:#f1f3f5; }
.cita.cancelled h4 { text-decoration:line-through; }
.cita.conflict { border-left-color:#b35c00; }
.cita p { margin:2px 0; font-size:.85rem; }
.when { font-weight:600; }
.continues { color:var(--muted); font-weight:400; font-size:.85rem; }
.badges { display:flex; flex-wrap:wrap; gap:4px; }
.badge { border-radius:10px; padding:0 8px; font-size:.8rem; font-weight:600; background:#e8edf2; color:#23303d; }
.badge.synced { background:var(--ok-bg); color:var(--ok); }
.badge.pending_sync { background:var(--warn-bg); color:var(--warn); }
.badge.sync_failed, .badge.conflict { background:var(--bad-bg); color:var(--bad); }
.sync-error { color:var(--bad); overflow-wrap:anywhere; }
.cita .actions { display:flex; flex-wrap:wrap; justify-content:flex-start; gap:4px; margin-top:4px; }
.cita .actions button { padding:2px 8px; font-size:.85rem; max-width:100%; white-space:normal; }
table { border-collapse:collapse; width:100%; margin-bottom:8px; font-size:.9rem; }
th, td { text-align:left; padding:4px; border-bottom:1px solid var(--line); vertical-align:top; }
/* Spanish headers are long ("Predeterminado"): smaller and whole, so the 320px panel holds them; names wrap instead. */
th { font-size:.78rem; white-space:nowrap; }
td.center, th.center { text-align:center; }
.inactive { color:var(--muted); }
#lista-conflictos { padding-left:18px; margin:0; } #lista-conflictos li { margin-bottom:6px; }
dialog { border:1px solid var(--line); border-radius:10px; padding:16px 20px; max-width:560px; width:calc(100% - 24px); }
dialog.wide { max-width:820px; }
dialog::backdrop { background:rgba(13,44,75,.45); }
fieldset { border:1px solid var(--line); border-radius:6px; margin:0 0 10px; padding:8px 10px; }
legend { font-weight:700; padding:0 4px; }
.zone-note { font-weight:400; color:var(--muted); }
.field { margin-bottom:8px; display:flex; flex-direction:column; gap:2px; }
.row { display:flex; flex-wrap:wrap; gap:10px; } .row .field { flex:1 1 120px; }
.choices { display:flex; flex-wrap:wrap; gap:4px 16px; margin-bottom:6px; } .choices label, label.check { font-weight:400; }
.durations { display:flex; flex-wrap:wrap; gap:6px; align-items:center; margin-top:6px; }
.actions { display:flex; gap:8px; justify-content:flex-end; margin-top:10px; }
.audit td:first-child { white-space:nowrap; }
/* «Paciente»: the list opens under the box, as wide as it (never wider than a 375 px screen). */
.combo { position:relative; }
.combo input { width:100%; }
.combo-popup { position:absolute; left:0; right:0; top:100%; z-index:5; margin-top:2px; background:#fff; border:1px solid #6b7680; border-radius:4px; box-shadow:0 4px 12px rgba(13,44,75,.2); max-height:min(18rem, 50vh); overflow-y:auto; }
.combo-popup ul { list-style:none; margin:0; padding:2px 0; }
.combo-popup li { padding:6px 8px; cursor:pointer; overflow-wrap:break-word; }
.combo-popup li .reach { color:var(--muted); display:inline-block; max-width:100%; }
.combo-popup li.active { background:var(--accent); color:#fff; } .combo-popup li.active .reach { color:#fff; }
.combo-popup li.new { border-top:1px solid var(--line); font-weight:600; }
.combo-note { margin:0; padding:6px 8px; color:var(--muted); font-size:.9rem; } .combo-note:empty { display:none; }
.chosen { margin:2px 0; font-size:.95rem; } .chosen:empty { display:none; }
.chosen.deleted { color:var(--bad); }
.new-patient { border:1px solid var(--line); border-radius:6px; padding:8px 10px; margin:0 0 10px; background:#f8fafc; }
.new-patient .actions { justify-content:flex-start; margin-top:4px; }
.cita .patient.deleted { color:var(--bad); }
.audit ul { margin:0; padding-left:16px; }
/* Issue 23: blocked time and closed hours are grey bands, striped so they read as "not available" without colour too; each says so in words. */
.block { min-width:0; overflow-wrap:break-word; border:1px solid #8a949e; border-left:5px solid #4a535c; border-radius:6px; padding:6px 8px; color:var(--ink);
  background:repeating-linear-gradient(135deg, #eceff2 0 8px, #dfe3e8 8px 16px); }
.block p { margin:2px 0; font-size:.85rem; }
.block .actions { display:flex; flex-wrap:wrap; gap:4px; margin-top:4px; }
.block .actions button { padding:2px 8px; font-size:.85rem; max-width:100%; white-space:normal; }
.closed-hours { margin:0; padding:4px 8px; border-radius:6px; font-size:.85rem; color:#2f3740; background:repeating-linear-gradient(135deg, #f0f2f4 0 6px, #e4e8ec 6px 12px); border:1px dashed #8a949e; }
.day.closed-day { background:#eef0f3; }
.cita.in-block { border-left-color:#4a535c; }
.override { color:var(--warn); font-weight:600; }
.slots { list-style:none; margin:6px 0 0; padding:0; display:flex; flex-wrap:wrap; gap:6px; }
.slots button { padding:3px 8px; font-size:.9rem; }
/* Issue 24: series. A session says which it is; the scopes and the colliding sessions are plain lists. */
.cita p.session { font-weight:600; color:#23303d; }
.group-title { font-weight:600; margin:4px 0; }
fieldset.scope { margin-top:6px; }
.collisions { margin:4px 0 8px; padding-left:18px; } .collisions li { margin-bottom:4px; overflow-wrap:anywhere; }
.candidates p { margin:4px 0 2px; font-size:.9rem; }
.candidates ul { margin:0; padding-left:16px; } .candidates li { margin-bottom:4px; overflow-wrap:anywhere; }
.candidates button { padding:2px 8px; font-size:.85rem; }
`;
