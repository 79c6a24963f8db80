-- Reverses 0012_calendar_blocks. Lost: the blocks (GHL's come back with the next scan; ones made
-- here and not yet pushed are gone), the scan times, and which citas were booked past a block or the
-- working hours (booking_override; the audit trail still says it).
DROP TRIGGER IF EXISTS "calendar_blocks_mark_citas" ON "calendar_blocks";
--> statement-breakpoint
DROP TRIGGER IF EXISTS "calendar_blocks_guard" ON "calendar_blocks";
--> statement-breakpoint
DROP TRIGGER IF EXISTS "citas_block_rule" ON "citas";
--> statement-breakpoint
DROP FUNCTION IF EXISTS "calendar_blocks_mark_citas"();
--> statement-breakpoint
DROP FUNCTION IF EXISTS "calendar_blocks_guard"();
--> statement-breakpoint
DROP FUNCTION IF EXISTS "citas_block_rule"();
--> statement-breakpoint
DROP FUNCTION IF EXISTS "block_ref"(text, text, timestamptz, timestamptz, uuid);
--> statement-breakpoint
ALTER TABLE "citas" DROP COLUMN "booking_override";
--> statement-breakpoint
ALTER TABLE "citas" DROP COLUMN "block_conflict";
--> statement-breakpoint
DROP TABLE "calendar_blocks";
--> statement-breakpoint
DROP TABLE "block_scans";
