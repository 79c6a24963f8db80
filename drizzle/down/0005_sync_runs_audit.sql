-- Reverses 0005_sync_runs_audit: the audit log and the sync run history are lost.
DROP INDEX "sync_runs_location_kind_idx";
--> statement-breakpoint
DROP INDEX "audit_log_at_idx";
--> statement-breakpoint
DROP INDEX "audit_log_cita_idx";
--> statement-breakpoint
DROP TABLE "sync_runs";
--> statement-breakpoint
DROP TABLE "audit_log";
