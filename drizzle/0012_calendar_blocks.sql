CREATE TABLE "block_scans" (
	"location_id" text NOT NULL,
	"calendar_id" text NOT NULL,
	"scanned_from" timestamp with time zone NOT NULL,
	"scanned_to" timestamp with time zone NOT NULL,
	"scanned_at" timestamp with time zone NOT NULL,
	CONSTRAINT "block_scans_location_id_calendar_id_pk" PRIMARY KEY("location_id","calendar_id")
);
--> statement-breakpoint
CREATE TABLE "calendar_blocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"location_id" text NOT NULL,
	"calendar_id" text NOT NULL,
	"ghl_block_id" text,
	"title" text NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone NOT NULL,
	"time_zone" text NOT NULL,
	"source" text NOT NULL,
	"deleted_at" timestamp with time zone,
	"sync_status" text DEFAULT 'synced' NOT NULL,
	"sync_error" text,
	"sync_retries" integer DEFAULT 0 NOT NULL,
	"last_synced_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "citas" ADD COLUMN "block_conflict" jsonb;--> statement-breakpoint
ALTER TABLE "citas" ADD COLUMN "booking_override" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_blocks_ghl_id_idx" ON "calendar_blocks" USING btree ("location_id","ghl_block_id");--> statement-breakpoint
CREATE INDEX "calendar_blocks_live_idx" ON "calendar_blocks" USING btree ("location_id","calendar_id","start_time") WHERE "calendar_blocks"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "calendar_blocks_pending_idx" ON "calendar_blocks" USING btree ("sync_status") WHERE "calendar_blocks"."sync_status" = 'pending_sync';--> statement-breakpoint
ALTER TABLE "calendar_blocks" ADD CONSTRAINT "calendar_blocks_time_order_check" CHECK ("end_time" > "start_time");
--> statement-breakpoint
ALTER TABLE "calendar_blocks" ADD CONSTRAINT "calendar_blocks_source_check" CHECK ("source" IN ('rv3', 'ghl'));
--> statement-breakpoint
ALTER TABLE "calendar_blocks" ADD CONSTRAINT "calendar_blocks_sync_status_check" CHECK ("sync_status" IN ('synced', 'pending_sync', 'sync_failed'));
--> statement-breakpoint
-- The first live block of a calendar overlapping [s, e) (half-open, as the overlap guard compares
-- citas), as a cita names it; `skip` leaves one block out (the one being removed). Blocks longer than
-- a year are not looked for: the bound keeps the read on the index's recent end.
CREATE FUNCTION "block_ref"("loc" text, "cal" text, "s" timestamptz, "e" timestamptz, "skip" uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('id', k."id", 'title', k."title", 'start_time', k."start_time", 'end_time', k."end_time")
  FROM "calendar_blocks" k
  WHERE k."location_id" = loc AND k."calendar_id" = cal AND k."deleted_at" IS NULL
    AND k."start_time" < e AND k."end_time" > s AND k."start_time" > s - interval '366 days'
    AND k."id" IS DISTINCT FROM skip
  ORDER BY k."start_time", k."id" LIMIT 1
$$;
--> statement-breakpoint
-- The block guard, in the database like the overlap guard (0001). A booking by the front desk (a row
-- on its way to GHL: pending_sync or local_only) into a live block is refused with SQLSTATE CB409 and
-- the block in DETAIL (one statement, no read before it). Without "force" (booking_override) that is
-- final. A cita from GHL (synced) is never refused: GHL's staff may book into blocked time; it is
-- marked instead (block_conflict) for a person to see.
--
-- Why a lock and not a constraint: an exclusion constraint cannot span two tables, and a check made
-- in the statement still races a block written by a concurrent transaction (not yet visible to it).
-- So a booking takes a shared advisory lock on its calendar before it looks at the blocks, and a block
-- write takes the same lock exclusively: bookings never wait for each other, a booking waits for a
-- block being written on its calendar (and then sees it: each statement of a plpgsql function takes a
-- fresh snapshot in READ COMMITTED), and a block waits for bookings in flight (they are then there
-- before it, and get marked). Both held only until their transaction ends.
CREATE FUNCTION "citas_block_rule"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ref jsonb;
  front_desk boolean := NEW."sync_status" IN ('pending_sync', 'local_only');
BEGIN
  -- Only a change of place, of activity or of the override is judged again.
  IF TG_OP = 'UPDATE' AND NEW."start_time" = OLD."start_time" AND NEW."end_time" = OLD."end_time"
     AND NEW."ghl_calendar_id" = OLD."ghl_calendar_id" AND NEW."status" = OLD."status"
     AND NEW."booking_override" IS NOT DISTINCT FROM OLD."booking_override" THEN
    RETURN NEW;
  END IF;
  IF NEW."status" IN ('cancelled', 'invalid') OR NEW."booking_override" IS NOT NULL THEN
    NEW."block_conflict" := NULL;
    RETURN NEW;
  END IF;
  IF front_desk THEN
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('calendar_blocks/' || NEW."location_id" || '/' || NEW."ghl_calendar_id", 0));
  END IF;
  ref := "block_ref"(NEW."location_id", NEW."ghl_calendar_id", NEW."start_time", NEW."end_time", NULL);
  IF ref IS NOT NULL AND front_desk THEN
    RAISE EXCEPTION USING ERRCODE = 'CB409', MESSAGE = 'slot_blocked', DETAIL = ref::text;
  END IF;
  NEW."block_conflict" := ref;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "citas_block_rule" BEFORE INSERT OR UPDATE ON "citas"
  FOR EACH ROW EXECUTE FUNCTION "citas_block_rule"();
--> statement-breakpoint
CREATE FUNCTION "calendar_blocks_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('calendar_blocks/' || NEW."location_id" || '/' || NEW."calendar_id", 0));
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "calendar_blocks_guard" BEFORE INSERT OR UPDATE OF "start_time", "end_time", "calendar_id", "deleted_at" ON "calendar_blocks"
  FOR EACH ROW WHEN (NEW."deleted_at" IS NULL) EXECUTE FUNCTION "calendar_blocks_guard"();
--> statement-breakpoint
-- A block that appears, moves, is renamed or goes keeps the citas it covers marked: the active ones
-- not booked on purpose (booking_override) point at it, and those that pointed at it look for another.
-- SKIP LOCKED: a cita being written right now is judged by its own statement's rule (above) instead of
-- waiting here while its writer waits for this block's lock.
CREATE FUNCTION "calendar_blocks_mark_citas"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "citas" c SET "block_conflict" = "block_ref"(c."location_id", c."ghl_calendar_id", c."start_time", c."end_time", OLD."id")
    WHERE c."id" IN (SELECT x."id" FROM "citas" x WHERE x."location_id" = OLD."location_id" AND x."ghl_calendar_id" = OLD."calendar_id"
      AND x."block_conflict"->>'id' = OLD."id"::text FOR UPDATE SKIP LOCKED);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."deleted_at" IS NULL THEN
    UPDATE "citas" c SET "block_conflict" = "block_ref"(c."location_id", c."ghl_calendar_id", c."start_time", c."end_time", NULL)
    WHERE c."id" IN (SELECT x."id" FROM "citas" x WHERE x."location_id" = NEW."location_id" AND x."ghl_calendar_id" = NEW."calendar_id"
      AND x."status" NOT IN ('cancelled', 'invalid') AND x."booking_override" IS NULL
      AND (x."block_conflict" IS NULL OR x."block_conflict"->>'id' = NEW."id"::text)
      AND x."start_time" < NEW."end_time" AND x."end_time" > NEW."start_time" FOR UPDATE SKIP LOCKED);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "calendar_blocks_mark_citas" AFTER INSERT OR DELETE OR UPDATE OF "start_time", "end_time", "calendar_id", "deleted_at", "title" ON "calendar_blocks"
  FOR EACH ROW EXECUTE FUNCTION "calendar_blocks_mark_citas"();
