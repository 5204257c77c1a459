-- Issue 15: a note, photo, check-in or check-out names the visit it was written on, so a stale phone
-- screen cannot put a note on another customer. Older rows keep NULL: the visit is not known.
ALTER TABLE activities ADD COLUMN IF NOT EXISTS visit_id bigint REFERENCES activities (id) ON DELETE SET NULL;
ALTER TABLE activities ADD CONSTRAINT activities_visit_names_a_visit CHECK (visit_id IS NULL OR kind <> 'visit');
CREATE INDEX IF NOT EXISTS activities_visit_idx ON activities (visit_id) WHERE visit_id IS NOT NULL;
