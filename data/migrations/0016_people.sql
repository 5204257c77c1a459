-- Issue 18: people and teams managed in FieldOps (the People page, the import, the CLI, the API).
-- A person is never deleted: deactivation keeps their history (positions, visits, reports of past periods)
-- and stops their devices, signs their accounts out and frees their open tasks (dashboard/work/people.py).

ALTER TABLE employees
    ADD COLUMN external_id        text UNIQUE CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 100),
    ADD COLUMN supervisor_user_id integer REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN skills             text[] NOT NULL DEFAULT '{}',
    -- Home base: where dispatch and routes start the person's day.
    ADD COLUMN home_lat           double precision CHECK (home_lat BETWEEN -90 AND 90),
    ADD COLUMN home_lon           double precision CHECK (home_lon BETWEEN -180 AND 180),
    ADD COLUMN deactivated_at     timestamptz,
    ADD CONSTRAINT employees_home_whole CHECK ((home_lat IS NULL) = (home_lon IS NULL)),
    ADD CONSTRAINT employees_code_length CHECK (length(code) BETWEEN 1 AND 64),
    ADD CONSTRAINT employees_name_length CHECK (length(name) BETWEEN 1 AND 200);
CREATE INDEX employees_skills_idx ON employees USING gin (skills);

ALTER TABLE teams
    ADD COLUMN external_id text UNIQUE CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 100),
    ADD COLUMN updated_at  timestamptz NOT NULL DEFAULT now();

-- What changed about a person or a team, by whom: the history behind the People page and the webhooks.
CREATE TABLE people_changes (
    id          bigserial PRIMARY KEY,
    employee_id integer REFERENCES employees (id) ON DELETE CASCADE,
    team_id     integer REFERENCES teams (id) ON DELETE SET NULL,
    action      text NOT NULL CHECK (action IN ('created', 'updated', 'moved', 'deactivated', 'reactivated',
                                                'team_created', 'team_renamed', 'team_merged', 'team_removed',
                                                'team_supervisors')),
    detail      jsonb NOT NULL DEFAULT '{}',
    user_id     integer REFERENCES users (id) ON DELETE SET NULL,
    username    text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX people_changes_employee_idx ON people_changes (employee_id, at);

-- The supervisors' notice that a deactivation freed a person's open tasks is a built-in alert rule, as help is.
ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_kind_check, ADD CONSTRAINT alert_rules_kind_check
    CHECK (kind IN ('silent', 'idle', 'zone_exit', 'zone_enter', 'task_not_arrived', 'task_at_risk', 'task_overdue',
                    'low_battery', 'speeding', 'low_survey', 'help', 'tasks_freed'));
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check, ADD CONSTRAINT alerts_kind_check
    CHECK (kind IN ('silent', 'idle', 'zone_exit', 'zone_enter', 'task_not_arrived', 'task_at_risk', 'task_overdue',
                    'low_battery', 'speeding', 'low_survey', 'help', 'tasks_freed'));
INSERT INTO alert_rules (kind, name, severity, working_hours_only, cooldown_min, recipients, channels, builtin)
VALUES ('tasks_freed', 'Tasks freed by a deactivation', 'warning', false, 0, '["supervisors"]', '{inbox}', true);
