-- Core schema: people, devices, customers, zones, tasks, activities, positions, users.
-- All times are timestamptz (stored UTC); the organisation's zone is applied when shown.

CREATE TABLE teams (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    color       text NOT NULL DEFAULT '#3366cc',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE employees (
    id          serial PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    team_id     integer REFERENCES teams (id) ON DELETE SET NULL,
    phone       text,
    email       text,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX employees_team_idx ON employees (team_id);

-- A tracker id (OsmAnd/Traccar), an OwnTracks user/device, or our own mobile page.
CREATE TABLE devices (
    id          serial PRIMARY KEY,
    identifier  text NOT NULL UNIQUE,
    employee_id integer NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    protocol    text NOT NULL DEFAULT 'native'
                CHECK (protocol IN ('native', 'osmand', 'owntracks', 'gpx')),
    token_hash  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz
);
CREATE INDEX devices_employee_idx ON devices (employee_id);

CREATE TABLE customers (
    id                serial PRIMARY KEY,
    external_id       text UNIQUE,
    name              text NOT NULL,
    category          text,
    address           text,
    lat               double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon               double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    owner_employee_id integer REFERENCES employees (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_owner_idx ON customers (owner_employee_id);

-- A work area (polygon) or a customer site (circle or polygon), as GeoJSON geometry.
CREATE TABLE zones (
    id          serial PRIMARY KEY,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('work_area', 'customer_site')),
    team_id     integer REFERENCES teams (id) ON DELETE CASCADE,
    customer_id integer REFERENCES customers (id) ON DELETE CASCADE,
    geometry    jsonb,
    center_lat  double precision,
    center_lon  double precision,
    radius_m    double precision CHECK (radius_m > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (geometry IS NOT NULL OR (center_lat IS NOT NULL AND center_lon IS NOT NULL AND radius_m IS NOT NULL)),
    CHECK (kind <> 'customer_site' OR customer_id IS NOT NULL)
);
CREATE INDEX zones_customer_idx ON zones (customer_id);

CREATE TABLE tasks (
    id           serial PRIMARY KEY,
    customer_id  integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    employee_id  integer REFERENCES employees (id) ON DELETE SET NULL,
    kind         text NOT NULL DEFAULT 'visit',
    priority     smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 3),
    state        text NOT NULL DEFAULT 'new'
                 CHECK (state IN ('new', 'assigned', 'accepted', 'en_route', 'on_site',
                                  'done', 'failed', 'cancelled')),
    window_start timestamptz,
    window_end   timestamptz,
    duration_min integer NOT NULL DEFAULT 30 CHECK (duration_min > 0),
    planned_seq  integer,
    notes        text,
    arrived_at   timestamptz,
    departed_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (window_end IS NULL OR window_start IS NULL OR window_end > window_start)
);
CREATE INDEX tasks_employee_window_idx ON tasks (employee_id, window_start);
CREATE INDEX tasks_customer_idx ON tasks (customer_id);

CREATE TABLE activities (
    id          bigserial PRIMARY KEY,
    employee_id integer NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    customer_id integer REFERENCES customers (id) ON DELETE SET NULL,
    task_id     integer REFERENCES tasks (id) ON DELETE SET NULL,
    kind        text NOT NULL CHECK (kind IN ('visit', 'note', 'call', 'meeting', 'email',
                                              'geofence_enter', 'geofence_exit')),
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    notes       text,
    source      text NOT NULL DEFAULT 'system',
    attributes  jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX activities_employee_idx ON activities (employee_id, started_at);
CREATE INDEX activities_customer_idx ON activities (customer_id, started_at);
-- At most one open visit per person.
CREATE UNIQUE INDEX activities_open_visit_idx ON activities (employee_id)
    WHERE kind = 'visit' AND ended_at IS NULL;

-- Raw history, one partition per UTC day; (employee_id, ts) makes a repeated fix impossible.
CREATE TABLE positions (
    employee_id integer NOT NULL,
    ts          timestamptz NOT NULL,
    lat         double precision NOT NULL,
    lon         double precision NOT NULL,
    speed       real,
    heading     real,
    accuracy    real,
    cell        bigint NOT NULL,
    source      text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (employee_id, ts)
) PARTITION BY RANGE (ts);

CREATE FUNCTION ensure_position_partitions(first_day date, days integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    created integer := 0;
    day date;
    partition_name text;
BEGIN
    -- Serialise creators: the writer, imports and migrations may all ask at once.
    PERFORM pg_advisory_xact_lock(hashtext('fieldops.positions.partitions'));
    FOR i IN 0 .. days - 1 LOOP
        day := first_day + i;
        partition_name := 'positions_' || to_char(day, 'YYYYMMDD');
        IF to_regclass(partition_name) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF positions FOR VALUES FROM (%L) TO (%L)',
                partition_name, day::text || ' 00:00:00+00', (day + 1)::text || ' 00:00:00+00');
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END
$$;

SELECT ensure_position_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9);

CREATE TABLE users (
    id            serial PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    role          text NOT NULL
                  CHECK (role IN ('field', 'supervisor', 'manager', 'executive', 'admin', 'wall')),
    employee_id   integer REFERENCES employees (id) ON DELETE SET NULL,
    language      text,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Street centre lines of the demo city, drawn when map tiles cannot load.
CREATE TABLE streets (
    id        bigserial PRIMARY KEY,
    name      text,
    highway   text,
    geometry  jsonb NOT NULL
);
