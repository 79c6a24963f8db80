-- The location's GHL calendars as last listed ({id, name, active}) and when, beside its settings: a
-- cita's create checks its calendar against them in the statement it already runs (no GHL call).
ALTER TABLE "location_settings" ADD COLUMN "ghl_calendars" jsonb;--> statement-breakpoint
ALTER TABLE "location_settings" ADD COLUMN "ghl_calendars_at" timestamp with time zone;
