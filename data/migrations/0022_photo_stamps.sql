-- Issue 19: a visit photo's original is kept byte for byte with its SHA-256 (hex); the server's stamped copy
-- (time, person, customer, distance to the site, accuracy) is what people look at; imagehash.phash's 64 bits,
-- as a signed bigint, find the same picture sent again on another visit, and the nearest such photo found when
-- this one was saved is kept with it (its note's activity id, and how many bits differ).
-- Photos stored before this migration: their bytes are the originals, so their SHA-256 is filled in here; they
-- have no stamped copy (the original is shown, as before) and no perceptual hash (they are not compared).
ALTER TABLE note_photos
    ADD COLUMN sha256         text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    ADD COLUMN stamped        bytea CHECK (octet_length(stamped) <= 8388608),
    ADD COLUMN phash          bigint,
    ADD COLUMN duplicate_of   bigint REFERENCES note_photos (activity_id) ON DELETE SET NULL,
    ADD COLUMN duplicate_bits smallint CHECK (duplicate_bits BETWEEN 0 AND 64);
UPDATE note_photos SET sha256 = encode(sha256(bytes), 'hex');
ALTER TABLE note_photos ALTER COLUMN sha256 SET NOT NULL;
CREATE INDEX note_photos_duplicate_idx ON note_photos (duplicate_of) WHERE duplicate_of IS NOT NULL;
