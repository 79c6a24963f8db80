CREATE TABLE "sweep_holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"location_id" text NOT NULL,
	"run_id" uuid,
	"status" text DEFAULT 'held' NOT NULL,
	"cita_ids" jsonb NOT NULL,
	"candidates" integer NOT NULL,
	"scan_started_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text
);
--> statement-breakpoint
ALTER TABLE "citas" ADD COLUMN "ghl_deleted_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "sweep_holds_one_open_idx" ON "sweep_holds" USING btree ("location_id") WHERE "sweep_holds"."status" = 'held';--> statement-breakpoint
ALTER TABLE "sweep_holds" ADD CONSTRAINT "sweep_holds_status_check" CHECK ("status" IN ('held', 'confirmed', 'dismissed'));
