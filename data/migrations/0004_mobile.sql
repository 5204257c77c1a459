-- Issue 7, the field staff's phone: check-in/out at the customer, help alerts, share links.

ALTER TABLE activities DROP CONSTRAINT activities_kind_check;
ALTER TABLE activities ADD CONSTRAINT activities_kind_check
    CHECK (kind IN ('visit', 'note', 'call', 'meeting', 'email', 'geofence_enter', 'geofence_exit', 'stay',
                    'check_in', 'check_out'));

-- A photo taken with a visit note: small, JPEG or PNG only, kept with the note it belongs to.
CREATE TABLE note_photos (
    activity_id  bigint PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    bytes        bytea NOT NULL CHECK (octet_length(bytes) <= 2097152)
);

-- A call for help from the phone: where the person was, until a supervisor resolves it.
CREATE TABLE alerts (
    id          bigserial PRIMARY KEY,
    employee_id integer NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    lat         double precision CHECK (lat BETWEEN -90 AND 90),
    lon         double precision CHECK (lon BETWEEN -180 AND 180),
    accuracy_m  double precision,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    resolved_by integer REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX alerts_open_idx ON alerts (created_at) WHERE resolved_at IS NULL;

-- A link that shows one person's live position without login; only the token's hash is kept.
CREATE TABLE share_links (
    id          bigserial PRIMARY KEY,
    employee_id integer NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    token_hash  text NOT NULL UNIQUE,
    created_by  integer REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX share_links_employee_idx ON share_links (employee_id);
