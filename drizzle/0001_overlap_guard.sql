-- Double-booking protection lives in the database, not in application code: two concurrent
-- requests for one slot can both pass any check made before inserting, but only one can commit
-- past this constraint. drizzle-kit cannot express EXCLUDE constraints, hence this custom migration.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "citas" ADD CONSTRAINT "citas_time_order_check" CHECK ("end_time" > "start_time");
--> statement-breakpoint
ALTER TABLE "citas" ADD CONSTRAINT "citas_status_check"
  CHECK ("status" IN ('new', 'confirmed', 'cancelled', 'showed', 'noshow', 'invalid'));
--> statement-breakpoint
ALTER TABLE "citas" ADD CONSTRAINT "citas_sync_status_check"
  CHECK ("sync_status" IN ('synced', 'pending_sync', 'sync_failed', 'local_only'));
--> statement-breakpoint
ALTER TABLE "citas" ADD CONSTRAINT "citas_source_check" CHECK ("source" IN ('rv3', 'ghl'));
--> statement-breakpoint
-- Half-open ranges: a cita ending at 10:00 and the next starting at 10:00 do not overlap.
-- Cancelled and invalid citas give their slot back.
ALTER TABLE "citas" ADD CONSTRAINT "citas_no_overlap"
  EXCLUDE USING gist (
    "location_id" WITH =,
    "ghl_calendar_id" WITH =,
    tstzrange("start_time", "end_time", '[)') WITH &&
  ) WHERE ("status" NOT IN ('cancelled', 'invalid'));
