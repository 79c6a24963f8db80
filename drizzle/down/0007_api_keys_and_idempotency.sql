-- Reverses 0007_api_keys_and_idempotency. Lost: the keys admins made (only the environment's
-- bootstrap keys work afterwards) and the stored first answers of idempotent writes.
DROP TABLE "idempotency_keys";
--> statement-breakpoint
DROP TABLE "api_keys";
