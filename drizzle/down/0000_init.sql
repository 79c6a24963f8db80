-- Reverses 0000_init. Dropping a table also drops its primary key, its unique constraint
-- (citas_ghl_appointment_id_unique) and any index left on it; the indexes are still dropped one by
-- one first so this file mirrors the up migration step for step. Every cita and location setting
-- is lost: back up first (pg_dump).
DROP INDEX "citas_sync_status_idx";
--> statement-breakpoint
DROP INDEX "citas_location_start_idx";
--> statement-breakpoint
DROP INDEX "citas_location_calendar_start_idx";
--> statement-breakpoint
DROP TABLE "location_settings";
--> statement-breakpoint
DROP TABLE "citas";
