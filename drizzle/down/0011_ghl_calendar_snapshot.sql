-- Reverses 0011_ghl_calendar_snapshot. Lost: the last listing of each location's GHL calendars
-- (the next listing, by the settings route or GET /api/ghl/calendars, takes it again).
ALTER TABLE "location_settings" DROP COLUMN "ghl_calendars_at";
--> statement-breakpoint
ALTER TABLE "location_settings" DROP COLUMN "ghl_calendars";
