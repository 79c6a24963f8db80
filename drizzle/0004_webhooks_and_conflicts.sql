CREATE TABLE "webhook_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"webhook_id" text NOT NULL,
	"type" text NOT NULL,
	"location_id" text,
	"appointment_id" text,
	"cita_id" uuid,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone,
	"outcome" text NOT NULL,
	"error" text,
	"deliveries" integer DEFAULT 1 NOT NULL,
	"request_id" text,
	CONSTRAINT "webhook_events_webhook_id_unique" UNIQUE("webhook_id")
);
--> statement-breakpoint
ALTER TABLE "citas" ADD COLUMN "conflict" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "webhook_events_received_idx" ON "webhook_events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "webhook_events_appointment_idx" ON "webhook_events" USING btree ("appointment_id");--> statement-breakpoint
-- Conflicting appointments from GHL are kept but step outside the overlap guard; it still holds for the rest.
ALTER TABLE "citas" DROP CONSTRAINT "citas_no_overlap";
--> statement-breakpoint
ALTER TABLE "citas" ADD CONSTRAINT "citas_no_overlap"
  EXCLUDE USING gist (
    "location_id" WITH =,
    "ghl_calendar_id" WITH =,
    tstzrange("start_time", "end_time", '[)') WITH &&
  ) WHERE ("status" NOT IN ('cancelled', 'invalid') AND NOT "conflict");
--> statement-breakpoint
CREATE INDEX "citas_conflict_idx" ON "citas" ("location_id") WHERE "conflict";
