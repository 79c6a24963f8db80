CREATE TABLE "ghl_connections" (
	"location_id" text PRIMARY KEY NOT NULL,
	"auth_type" text NOT NULL,
	"access_token_enc" text NOT NULL,
	"refresh_token_enc" text,
	"access_expires_at" timestamp with time zone,
	"scopes" text,
	"company_id" text,
	"status" text DEFAULT 'active' NOT NULL,
	"token_version" integer DEFAULT 1 NOT NULL,
	"last_error" text,
	"last_refreshed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "citas" ALTER COLUMN "contact_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "citas" ADD COLUMN "contact" jsonb;--> statement-breakpoint
ALTER TABLE "location_settings" ADD COLUMN "synced_calendar_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
-- A cita names its contact by GHL id, or carries the details to upsert one before the push.
ALTER TABLE "citas" ADD CONSTRAINT "citas_contact_check" CHECK ("contact_id" IS NOT NULL OR "contact" IS NOT NULL);
--> statement-breakpoint
ALTER TABLE "ghl_connections" ADD CONSTRAINT "ghl_connections_status_check"
  CHECK ("status" IN ('active', 'reauth_required', 'uninstalled'));
