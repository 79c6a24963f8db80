-- Reverses 0009_notify_patients. Lost: the locations' choice (pushes send no toNotify again, so GHL
-- runs its automations for every push).
ALTER TABLE "location_settings" DROP COLUMN "notify_patients";
