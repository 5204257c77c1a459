-- Issue 8, reports: each report built (on demand, from the CLI or a schedule) is one row whose
-- progress the Reports page polls; its files are kept in the database next to it.

-- A repeating report: weekly (weekday, 0 = Monday) or monthly (day of month), at a local time.
CREATE TABLE report_schedules (
    id            serial PRIMARY KEY,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    cadence       text NOT NULL CHECK (cadence IN ('weekly', 'monthly')),
    weekday       smallint CHECK (weekday BETWEEN 0 AND 6),
    month_day     smallint CHECK (month_day BETWEEN 1 AND 28),
    at_time       time NOT NULL DEFAULT '08:00',
    team_ids      integer[],
    formats       text[] NOT NULL,
    language      text NOT NULL DEFAULT 'en',
    email_to      text[] NOT NULL DEFAULT '{}',
    owner_user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((cadence = 'weekly') = (weekday IS NOT NULL)),
    CHECK ((cadence = 'monthly') = (month_day IS NOT NULL))
);

-- One report: what was asked (period, teams, formats, language), by whom and with which scope
-- (scope_team_ids NULL = every team), and how far its build has come.
CREATE TABLE reports (
    id             bigserial PRIMARY KEY,
    period_kind    text NOT NULL CHECK (period_kind IN ('week', 'month', 'custom')),
    period_start   date NOT NULL,
    period_end     date NOT NULL,  -- inclusive
    team_ids       integer[],
    formats        text[] NOT NULL,
    language       text NOT NULL,
    author_user_id integer REFERENCES users (id) ON DELETE SET NULL,
    author_name    text NOT NULL,
    author_role    text NOT NULL,
    scope_team_ids integer[],
    schedule_id    integer REFERENCES report_schedules (id) ON DELETE SET NULL,
    state          text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    progress       smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    error          text,
    emailed_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    CHECK (period_end >= period_start)
);
CREATE INDEX reports_created_idx ON reports (created_at DESC);
CREATE INDEX reports_queued_idx ON reports (created_at) WHERE state = 'queued';
-- A schedule makes one report per period, however many processes look and however often they restart.
CREATE UNIQUE INDEX reports_schedule_period_idx ON reports (schedule_id, period_start) WHERE schedule_id IS NOT NULL;

CREATE TABLE report_files (
    report_id  bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    name       text NOT NULL,
    format     text NOT NULL CHECK (format IN ('pdf', 'xlsx', 'csv')),
    media_type text NOT NULL,
    content    bytea NOT NULL,
    PRIMARY KEY (report_id, name)
);
