-- Ingest from tracker apps (issue 3): extra tracker keys kept with each position, stays as activities.

-- Keys a tracker sends beyond the normalised columns (battery, odometer, OwnTracks' conn, ...).
-- NULL when there are none, so COPY of plain fixes stays as narrow as before.
ALTER TABLE positions ADD COLUMN attributes jsonb;

-- A stay is a stop longer than the writer's threshold, with its place in attributes.
ALTER TABLE activities DROP CONSTRAINT activities_kind_check;
ALTER TABLE activities ADD CONSTRAINT activities_kind_check
    CHECK (kind IN ('visit', 'note', 'call', 'meeting', 'email', 'geofence_enter', 'geofence_exit', 'stay'));
