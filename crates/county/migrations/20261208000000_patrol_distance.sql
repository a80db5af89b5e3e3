-- The distance a patrol walked, metres, measured from its track (RVTK) when the track is
-- stored (db/records.rs), within segments as the phone measures it; NULL until a track
-- arrives. Patrols held before this are measured by `serve` at start (admin::measure_tracks).
ALTER TABLE patrol ADD COLUMN distance_m DOUBLE PRECISION;
