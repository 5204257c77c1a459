-- Issue 19 (docs/CHINA.md, "Check-ins people can trust"): a check-in's trust score 0-100 and its reasons, copied
-- to the visit it opened; the phone pages a person has used (a hash of the key each browser keeps), so a new one
-- is known; and the alert rule kind that watches the score.
ALTER TABLE activities ADD COLUMN trust_score smallint CHECK (trust_score BETWEEN 0 AND 100),
                       ADD COLUMN trust_reasons jsonb;

CREATE TABLE person_devices (
    employee_id integer NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    device_hash text NOT NULL,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    PRIMARY KEY (employee_id, device_hash)
);

ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_kind_check, ADD CONSTRAINT alert_rules_kind_check
    CHECK (kind IN ('silent', 'idle', 'zone_exit', 'zone_enter', 'task_not_arrived', 'task_at_risk', 'task_overdue',
                    'low_battery', 'speeding', 'low_survey', 'help', 'tasks_freed', 'low_trust_check_in'));
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check, ADD CONSTRAINT alerts_kind_check
    CHECK (kind IN ('silent', 'idle', 'zone_exit', 'zone_enter', 'task_not_arrived', 'task_at_risk', 'task_overdue',
                    'low_battery', 'speeding', 'low_survey', 'help', 'tasks_freed', 'low_trust_check_in'));
