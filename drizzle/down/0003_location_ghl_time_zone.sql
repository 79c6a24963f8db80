-- Reverses 0003_location_ghl_time_zone: the time zone each location has in GHL is forgotten.
ALTER TABLE "location_settings" DROP COLUMN "ghl_time_zone";
