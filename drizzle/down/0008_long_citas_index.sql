-- Reverses 0008_long_citas_index. Lost: nothing but the index (lists of a day read the location's
-- earlier citas again).
DROP INDEX "citas_location_long_start_idx";
