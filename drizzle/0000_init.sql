CREATE TABLE "citas" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"location_id" text NOT NULL,
	"ghl_calendar_id" text NOT NULL,
	"ghl_appointment_id" text,
	"title" text NOT NULL,
	"contact_id" text NOT NULL,
	"assigned_user_id" text,
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone NOT NULL,
	"time_zone" text NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"notes" text,
	"source" text DEFAULT 'rv3' NOT NULL,
	"extras" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"sync_status" text DEFAULT 'pending_sync' NOT NULL,
	"sync_error" text,
	"sync_retries" integer DEFAULT 0 NOT NULL,
	"last_synced_at" timestamp with time zone,
	"ghl_date_updated" timestamp with time zone,
	"content_hash" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancelled_at" timestamp with time zone,
	CONSTRAINT "citas_ghl_appointment_id_unique" UNIQUE("ghl_appointment_id")
);
--> statement-breakpoint
CREATE TABLE "location_settings" (
	"location_id" text PRIMARY KEY NOT NULL,
	"default_calendar_id" text,
	"time_zone" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "citas_location_calendar_start_idx" ON "citas" USING btree ("location_id","ghl_calendar_id","start_time");--> statement-breakpoint
CREATE INDEX "citas_location_start_idx" ON "citas" USING btree ("location_id","start_time");--> statement-breakpoint
CREATE INDEX "citas_sync_status_idx" ON "citas" USING btree ("sync_status","updated_at") WHERE "citas"."sync_status" in ('pending_sync', 'sync_failed');