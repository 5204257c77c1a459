-- Issue 5, analytics: where field time is lost. docs/EFFICIENCY.md defines every measure.
-- One SQL (data/analytics.py FACTS) turns positions + activities + tasks + work areas into facts
-- per (employee, UTC hour, H3 res-9 cell); both rollups below are GROUP BYs of those facts.

-- The H3 parent at resolution 9 of a stored resolution-10 cell, by the index's bit layout:
-- resolution in bits 52-55, the res-10 digit in bits 15-17 (set to 7 = unused below res 9).
CREATE FUNCTION h3_res9(cell bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (cell & ~(15::bigint << 52)) | (9::bigint << 52) | (7::bigint << 15)
$$;

-- Resolution-10 cells inside each team's work areas, refreshed from zones when they change.
CREATE TABLE work_area_cells (
    team_id integer NOT NULL,
    cell    bigint NOT NULL,
    PRIMARY KEY (team_id, cell)
);
CREATE TABLE work_area_cells_source (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    fingerprint text NOT NULL
);

-- The facts: seconds and counts per employee, UTC hour and res-9 cell (team as when computed; 0 = none).
CREATE TABLE analytics_facts (
    employee_id        integer NOT NULL,
    hour               timestamptz NOT NULL,
    cell               bigint NOT NULL,
    team_id            integer NOT NULL,
    fixes              integer NOT NULL,
    first_ts           timestamptz NOT NULL,
    last_ts            timestamptz NOT NULL,
    tracked_s          double precision NOT NULL,
    visit_s            double precision NOT NULL,
    travel_s           double precision NOT NULL,
    idle_s             double precision NOT NULL,
    outside_s          double precision NOT NULL,
    distance_m         double precision NOT NULL,
    visits             integer NOT NULL,
    visits_on_time     integer NOT NULL,
    visits_with_window integer NOT NULL,
    PRIMARY KEY (employee_id, hour, cell)
);
CREATE INDEX analytics_facts_cell_idx ON analytics_facts (cell, hour);
CREATE INDEX analytics_facts_hour_idx ON analytics_facts (hour);

-- The heatmap's rollup: per team, res-9 cell and UTC hour.
CREATE TABLE analytics_cell_hour (
    team_id            integer NOT NULL,
    cell               bigint NOT NULL,
    hour               timestamptz NOT NULL,
    employees          integer NOT NULL,
    tracked_s          double precision NOT NULL,
    visit_s            double precision NOT NULL,
    travel_s           double precision NOT NULL,
    idle_s             double precision NOT NULL,
    outside_s          double precision NOT NULL,
    distance_m         double precision NOT NULL,
    visits             integer NOT NULL,
    visits_on_time     integer NOT NULL,
    visits_with_window integer NOT NULL,
    PRIMARY KEY (hour, team_id, cell)
);

-- The performance page's rollup: per employee and day in the organisation's time zone.
CREATE TABLE analytics_employee_day (
    employee_id        integer NOT NULL,
    day                date NOT NULL,
    team_id            integer NOT NULL,
    first_ts           timestamptz NOT NULL,
    last_ts            timestamptz NOT NULL,
    tracked_s          double precision NOT NULL,
    visit_s            double precision NOT NULL,
    travel_s           double precision NOT NULL,
    idle_s             double precision NOT NULL,
    outside_s          double precision NOT NULL,
    distance_m         double precision NOT NULL,
    visits             integer NOT NULL,
    visits_on_time     integer NOT NULL,
    visits_with_window integer NOT NULL,
    PRIMARY KEY (day, employee_id)
);
CREATE INDEX analytics_employee_day_employee_idx ON analytics_employee_day (employee_id, day);

-- (employee, UTC hour) buckets whose positions changed since the last upkeep: marked by the
-- writer in its insert transaction, emptied by the upkeep loop (dashboard/analytics.py).
CREATE TABLE analytics_dirty (
    employee_id integer NOT NULL,
    hour        timestamptz NOT NULL,
    PRIMARY KEY (employee_id, hour)
);
