-- Issue 21: visit plans. A tier says how often its customers are visited; a customer may override it. The
-- planner (fieldops worker, daily) turns plans into tasks some days ahead through the task lifecycle; a task it
-- made carries the day it was due (`planned_for`), so it is made once, and one cancelled or failed is a missed
-- visit, never made again silently.
CREATE TABLE visit_tiers (
    code         text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9]{0,9}$'),  -- 'A', 'B', 'C', 'VIP'
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    every_days   integer NOT NULL CHECK (every_days BETWEEN 1 AND 366),  -- a visit at least this often
    route_days   smallint[] NOT NULL DEFAULT '{}'                       -- ISO weekdays 1..7; empty: any working day
                 CHECK (route_days <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]),
    window_start time,                                                   -- the preferred time of day, if any
    window_end   time,
    task_kind    text NOT NULL DEFAULT 'visit',                          -- the kind of the tasks it plans
    duration_min integer CHECK (duration_min BETWEEN 1 AND 720),         -- NULL: the organisation's default
    CHECK (window_end IS NULL OR window_start IS NULL OR window_end > window_start)
);

ALTER TABLE customers
    ADD COLUMN tier               text REFERENCES visit_tiers (code) ON UPDATE CASCADE ON DELETE SET NULL,
    ADD COLUMN visit_every_days   integer CHECK (visit_every_days BETWEEN 1 AND 366),  -- overrides the tier's
    ADD COLUMN visit_route_days   smallint[] CHECK (visit_route_days <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]),
    ADD COLUMN visit_window_start time,
    ADD COLUMN visit_window_end   time,
    ADD CONSTRAINT customers_visit_window_check
        CHECK (visit_window_end IS NULL OR visit_window_start IS NULL OR visit_window_end > visit_window_start);
CREATE INDEX customers_tier_idx ON customers (tier) WHERE tier IS NOT NULL;

-- The organisation's calendar beyond the working week: a public holiday (no planned work), or a make-up working
-- day (调休) on a weekend. Mainland China's official calendar can be imported year by year.
CREATE TABLE calendar_days (
    day    date PRIMARY KEY,
    kind   text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name   text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    source text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'import'))
);

-- A person away (leave, sickness, training) for whole days: nothing is planned for them then.
CREATE TABLE leave_days (
    id          serial PRIMARY KEY,
    employee_id integer NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    first_day   date NOT NULL,
    last_day    date NOT NULL,
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_by  integer REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (last_day >= first_day AND last_day - first_day <= 366)
);
CREATE INDEX leave_days_employee_idx ON leave_days (employee_id, first_day);

-- The day a planned visit was due: set only on the tasks the planner made, one per customer and day.
ALTER TABLE tasks ADD COLUMN planned_for date;
CREATE UNIQUE INDEX tasks_planned_for_idx ON tasks (customer_id, planned_for) WHERE planned_for IS NOT NULL;

-- How a visit was made: at the site (from the geofence or a check-in), or remotely (phone, video, WeChat) when
-- recorded as such; remote visits count for coverage.
ALTER TABLE activities
    ADD COLUMN channel text NOT NULL DEFAULT 'site' CHECK (channel IN ('site', 'phone', 'video', 'wechat'));
