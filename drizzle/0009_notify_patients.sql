-- Each location chooses whether our pushes let GHL run its automations (confirmations, reminders):
-- sent as toNotify on every create, edit and cancel. Existing locations keep what they had (GHL's
-- default, automations on).
ALTER TABLE "location_settings" ADD COLUMN "notify_patients" boolean DEFAULT true NOT NULL;
