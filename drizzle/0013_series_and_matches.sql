ALTER TABLE "citas" ADD COLUMN "series_id" text;--> statement-breakpoint
ALTER TABLE "citas" ADD COLUMN "series_rule" text;--> statement-breakpoint
ALTER TABLE "citas" ADD COLUMN "series_index" integer;--> statement-breakpoint
ALTER TABLE "citas" ADD COLUMN "series_count" integer;--> statement-breakpoint
ALTER TABLE "citas" ADD COLUMN "match_candidates" jsonb;--> statement-breakpoint
CREATE INDEX "citas_series_idx" ON "citas" USING btree ("location_id","series_id") WHERE "citas"."series_id" is not null;