-- Reverses 0002_ghl_connections, newest step first. Lost on the way: every GHL connection (its
-- encrypted tokens: locations must be connected again after re-applying), citas' inline contact
-- details and each location's synced_calendar_ids.
--
-- contact_id becomes NOT NULL again, which Postgres refuses while a cita has none (one created
-- with inline contact details, still waiting for its contact upsert in GHL). Refuse up front,
-- before anything is dropped, with a message that says what to do.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "citas" WHERE "contact_id" IS NULL) THEN
    RAISE EXCEPTION 'cannot reverse 0002_ghl_connections: % cita(s) have no contact_id',
      (SELECT count(*) FROM "citas" WHERE "contact_id" IS NULL)
      USING HINT = 'Give those citas a GHL contact_id (let the sync push them) or delete them, then roll back again.';
  END IF;
END
$$;
--> statement-breakpoint
ALTER TABLE "ghl_connections" DROP CONSTRAINT "ghl_connections_status_check";
--> statement-breakpoint
ALTER TABLE "citas" DROP CONSTRAINT "citas_contact_check";
--> statement-breakpoint
ALTER TABLE "location_settings" DROP COLUMN "synced_calendar_ids";
--> statement-breakpoint
ALTER TABLE "citas" DROP COLUMN "contact";
--> statement-breakpoint
ALTER TABLE "citas" ALTER COLUMN "contact_id" SET NOT NULL;
--> statement-breakpoint
DROP TABLE "ghl_connections";
