-- Reverses 0010_contacts. Lost: the patients table (names, phones, emails as GHL last told us); the
-- citas keep the last known details in citas.contact, and the next sync jobs learn them again.
DROP TRIGGER "citas_contact_details" ON "citas";
--> statement-breakpoint
DROP FUNCTION "citas_contact_details"();
--> statement-breakpoint
DROP TABLE "contacts";
-- pg_trgm stays installed, as btree_gist does after 0001's reversal (see there why).
