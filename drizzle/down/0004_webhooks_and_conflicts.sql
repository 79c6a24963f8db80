-- Reverses 0004_webhooks_and_conflicts, newest step first. Lost: the webhook_events record
-- (deliveries are no longer deduplicated against it) and which citas were flagged conflict.
DROP INDEX "citas_conflict_idx";
--> statement-breakpoint
ALTER TABLE "citas" DROP CONSTRAINT "citas_no_overlap";
--> statement-breakpoint
-- citas_no_overlap as 0001_overlap_guard defined it: conflicting citas no longer step outside.
-- Postgres refuses this ("could not create exclusion constraint", naming the two keys) while
-- citas flagged conflict still overlap another active cita: cancel them or move them (or delete
-- them) first, then roll back again. Nothing is changed until it succeeds.
ALTER TABLE "citas" ADD CONSTRAINT "citas_no_overlap"
  EXCLUDE USING gist (
    "location_id" WITH =,
    "ghl_calendar_id" WITH =,
    tstzrange("start_time", "end_time", '[)') WITH &&
  ) WHERE ("status" NOT IN ('cancelled', 'invalid'));
--> statement-breakpoint
DROP INDEX "webhook_events_appointment_idx";
--> statement-breakpoint
DROP INDEX "webhook_events_received_idx";
--> statement-breakpoint
ALTER TABLE "citas" DROP COLUMN "conflict";
--> statement-breakpoint
DROP TABLE "webhook_events";
