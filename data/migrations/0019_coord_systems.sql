-- Issue 19: a tracker declares the coordinate system it sends (OwnTracks on a phone with a GCJ-02 location
-- service, a Chinese-market tracker). Positions are still stored in WGS-84: ingest converts.
ALTER TABLE devices ADD COLUMN coord_system text NOT NULL DEFAULT 'wgs84'
    CHECK (coord_system IN ('wgs84', 'gcj02', 'bd09'));
