-- Issue 6: tasks and dispatch. Each optimised daily route, with the travel it saves against the
-- order the tasks were entered in, and the street line drawn on the map.
CREATE TABLE route_plans (
    id               bigserial PRIMARY KEY,
    employee_id      integer NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    day              date NOT NULL,
    planned_at       timestamptz NOT NULL DEFAULT now(),
    planned_by       integer REFERENCES users (id) ON DELETE SET NULL,
    reason           text NOT NULL DEFAULT 'plan' CHECK (reason IN ('plan', 'urgent', 'reassign')),
    task_ids         integer[] NOT NULL,
    entered_travel_s integer NOT NULL CHECK (entered_travel_s >= 0),
    planned_travel_s integer NOT NULL CHECK (planned_travel_s >= 0),
    late_tasks       integer NOT NULL DEFAULT 0 CHECK (late_tasks >= 0),
    path             jsonb
);
CREATE INDEX route_plans_employee_day_idx ON route_plans (employee_id, day, planned_at DESC);

-- The task board reads open tasks by state and window; the phone by person and window.
CREATE INDEX tasks_state_window_idx ON tasks (state, window_end);
