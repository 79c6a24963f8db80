/** The service's codes as the front desk reads them. */

export const STATUS_LABEL: Record<string, string> = {
  new: 'Nueva',
  confirmed: 'Confirmada',
  cancelled: 'Cancelada',
  showed: 'Asistió',
  noshow: 'No asistió',
  invalid: 'Inválida',
};

/** The filter: "active" is what the desk usually wants to see. */
export const STATUS_FILTERS: { value: string; label: string }[] = [
  { value: '', label: 'Todas' },
  { value: 'new,confirmed', label: 'Activas (nuevas y confirmadas)' },
  { value: 'new', label: 'Nuevas' },
  { value: 'confirmed', label: 'Confirmadas' },
  { value: 'showed', label: 'Asistió' },
  { value: 'noshow', label: 'No asistió' },
  { value: 'cancelled', label: 'Canceladas' },
];

/** What an edit may set the status to (cancelling has its own button and confirmation). */
export const EDITABLE_STATUSES = ['new', 'confirmed', 'showed', 'noshow'] as const;

export const SYNC_LABEL: Record<string, string> = {
  synced: 'Sincronizada con GHL',
  pending_sync: 'Pendiente de envío a GHL',
  sync_failed: 'Falló el envío a GHL',
  local_only: 'Solo en RV3',
};

/** A block's sync state: the cita's words, said of a «bloqueo». */
export const BLOCK_SYNC_LABEL: Record<string, string> = {
  synced: 'Sincronizado con GHL',
  pending_sync: SYNC_LABEL.pending_sync!,
  sync_failed: SYNC_LABEL.sync_failed!,
};

export const ACTOR_LABEL: Record<string, string> = {
  api: 'RV3 (recepción)',
  webhook: 'GHL',
  job: 'Sincronización programada',
};

export const ACTION_LABEL: Record<string, string> = {
  create: 'Creada',
  update: 'Modificada',
  cancel: 'Cancelada',
  create_from_ghl: 'Creada en GHL',
  update_from_ghl: 'Modificada en GHL',
  deleted_in_ghl: 'Eliminada en GHL',
};

export const FIELD_LABEL: Record<string, string> = {
  title: 'motivo',
  start_time: 'inicio',
  end_time: 'fin',
  status: 'estado',
  notes: 'notas',
  ghl_calendar_id: 'calendario',
  calendar_id: 'calendario',
  contact_id: 'paciente',
  contact: 'paciente',
  sync_status: 'sincronización',
  ghl_appointment_id: 'cita en GHL',
  conflict: 'conflicto',
  cancelled_at: 'cancelada el',
  ghl_deleted_at: 'eliminada en GHL el',
  assigned_user_id: 'profesional asignado',
  extras: 'datos adicionales',
  source: 'origen',
};
