-- Reverses 0001_overlap_guard: drops the constraints it added, newest first. Without them the
-- database no longer refuses double bookings, invalid statuses or inverted time ranges.
--
-- The btree_gist extension (0001's first step) stays installed on purpose: the up migration used
-- CREATE EXTENSION IF NOT EXISTS, so it may have been there before and we cannot tell whether
-- 0001 installed it; extensions are database-wide and other schemas or applications may rely on
-- it; dropping one needs owner/superuser rights some hosted Postgres plans withhold; and an
-- unused btree_gist is harmless (re-applying 0001 simply finds it there).
ALTER TABLE "citas" DROP CONSTRAINT "citas_no_overlap";
--> statement-breakpoint
ALTER TABLE "citas" DROP CONSTRAINT "citas_source_check";
--> statement-breakpoint
ALTER TABLE "citas" DROP CONSTRAINT "citas_sync_status_check";
--> statement-breakpoint
ALTER TABLE "citas" DROP CONSTRAINT "citas_status_check";
--> statement-breakpoint
ALTER TABLE "citas" DROP CONSTRAINT "citas_time_order_check";
