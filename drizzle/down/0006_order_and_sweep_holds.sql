-- Reverses 0006_order_and_sweep_holds. Lost: held sweeps and their decisions, and since when GHL no
-- longer had each deleted appointment (old events could then reopen those citas again).
DROP TABLE "sweep_holds";
--> statement-breakpoint
ALTER TABLE "citas" DROP COLUMN "ghl_deleted_at";
