-- A list of a day reads the location's citas starting from a day before it, plus these few longer ones:
-- without this index it read every earlier cita of the location (20,000 past citas: 2.5 ms vs 0.2 ms).
CREATE INDEX "citas_location_long_start_idx" ON "citas" USING btree ("location_id","start_time") WHERE "citas"."end_time" - "citas"."start_time" > interval '1 day';