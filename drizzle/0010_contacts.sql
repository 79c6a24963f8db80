-- Patients as GHL last told us, per location (issue 22): names, phone and email for the agenda's cards
-- and its search box. Personal data: kept while the location is connected (see README, "Data we keep").
CREATE TABLE "contacts" (
	"location_id" text NOT NULL,
	"id" text NOT NULL,
	"first_name" text,
	"last_name" text,
	"name" text,
	"phone" text,
	"email" text,
	"details" jsonb NOT NULL,
	"search_text" text NOT NULL,
	"ghl_updated_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contacts_location_id_id_pk" PRIMARY KEY("location_id","id")
);
--> statement-breakpoint
-- The search box: "contains" matches (any part of a name, phone or email) through trigrams, instead of
-- reading every patient of the location (10,000 patients: Postgres CPU 7 ms per search without it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
-- fastupdate off: a GIN index otherwise queues new entries in a pending list that every search reads
-- linearly until a vacuum merges it (after a bulk import the planner gave up on the index for that).
CREATE INDEX "contacts_search_idx" ON "contacts" USING gin ("search_text" gin_trgm_ops) WITH (fastupdate = off);
--> statement-breakpoint
-- A cita naming a contact carries what we know of that patient (citas.contact): filled by the database
-- itself as the row is written, so every path (the API's create and edit, webhooks, the sync's bulk
-- insert) gets it without a statement of its own. A cita whose contact changes loses the old one's
-- details; one linked to its first contact (after GHL's upsert) keeps the details it was made with
-- until the contact is known.
CREATE FUNCTION "citas_contact_details"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."contact_id" IS NULL THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' AND NEW."contact_id" IS NOT DISTINCT FROM OLD."contact_id" THEN RETURN NEW; END IF;
  NEW."contact" := coalesce(
    (SELECT k."details" FROM "contacts" k WHERE k."location_id" = NEW."location_id" AND k."id" = NEW."contact_id"),
    CASE WHEN TG_OP = 'INSERT' OR OLD."contact_id" IS NULL THEN NEW."contact" END);
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "citas_contact_details" BEFORE INSERT OR UPDATE OF "contact_id" ON "citas"
  FOR EACH ROW EXECUTE FUNCTION "citas_contact_details"();
