-- Accounts, scope, privacy and audit (issue 4).

ALTER TABLE users
    ADD COLUMN failed_logins   integer NOT NULL DEFAULT 0,
    ADD COLUMN locked_until    timestamptz,
    ADD COLUMN last_login_at   timestamptz,
    -- Bumped on password change, disable or role change: every session and remember-me cookie
    -- issued before it stops working.
    ADD COLUMN session_version integer NOT NULL DEFAULT 1;

-- The teams a supervisor (or a scoped manager) sees.
CREATE TABLE user_teams (
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id integer NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, team_id)
);

-- Wall displays sign in with a long-lived token that an admin can revoke.
CREATE TABLE wall_tokens (
    id           serial PRIMARY KEY,
    name         text NOT NULL,
    token_hash   text NOT NULL UNIQUE,
    created_by   integer REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- Organisation settings, one JSON value per key (privacy.*, retention.*).
CREATE TABLE org_settings (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by integer REFERENCES users (id) ON DELETE SET NULL
);
INSERT INTO org_settings (key, value) VALUES
    ('privacy.off_hours', '"drop"'),
    ('privacy.retention_days', '90'),
    ('privacy.executive_sees_individuals', 'false');

-- When tracking is allowed, in the organisation's time zone. Rows of an employee override their
-- team's; with neither, the organisation's default rows (team and employee both null) apply.
CREATE TABLE working_hours (
    id          serial PRIMARY KEY,
    team_id     integer REFERENCES teams (id) ON DELETE CASCADE,
    employee_id integer REFERENCES employees (id) ON DELETE CASCADE,
    weekday     smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),  -- 0 = Monday
    starts      time NOT NULL,
    ends        time NOT NULL,
    CHECK (team_id IS NULL OR employee_id IS NULL),
    CHECK (ends > starts OR ends = '00:00')
);
CREATE INDEX working_hours_team_idx ON working_hours (team_id);
CREATE INDEX working_hours_employee_idx ON working_hours (employee_id);
INSERT INTO working_hours (weekday, starts, ends)
SELECT d, '08:00', '18:00' FROM generate_series(0, 4) AS d;

-- An employee's pause of location sharing, with the reason they gave.
CREATE TABLE sharing_pauses (
    id          serial PRIMARY KEY,
    employee_id integer NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    started_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz
);
CREATE UNIQUE INDEX sharing_pauses_open_idx ON sharing_pauses (employee_id) WHERE ended_at IS NULL;

-- Outside working hours with privacy.off_hours = 'coarse': only a low-resolution H3 cell per hour.
CREATE TABLE coarse_presence (
    employee_id integer NOT NULL,
    hour        timestamptz NOT NULL,
    cell        bigint NOT NULL,
    fixes       integer NOT NULL DEFAULT 1,
    PRIMARY KEY (employee_id, hour, cell)
);

-- Every look at someone's location: who, whose (one or many), what, when.
CREATE TABLE audit_log (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    user_id        integer REFERENCES users (id) ON DELETE SET NULL,
    username       text NOT NULL,
    role           text NOT NULL,
    action         text NOT NULL,
    subject_ids    integer[] NOT NULL DEFAULT '{}',
    detail         jsonb NOT NULL DEFAULT '{}'::jsonb,
    ip             text
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_subjects_idx ON audit_log USING gin (subject_ids);
