-- Reverses 0013_series_and_matches. Lost: which citas form a series (each stays a cita of its own,
-- and GHL keeps its own series), and the candidates of ambiguous connect-time matches.
DROP INDEX IF EXISTS "citas_series_idx";
--> statement-breakpoint
ALTER TABLE "citas" DROP COLUMN "match_candidates";
--> statement-breakpoint
ALTER TABLE "citas" DROP COLUMN "series_count";
--> statement-breakpoint
ALTER TABLE "citas" DROP COLUMN "series_index";
--> statement-breakpoint
ALTER TABLE "citas" DROP COLUMN "series_rule";
--> statement-breakpoint
ALTER TABLE "citas" DROP COLUMN "series_id";
