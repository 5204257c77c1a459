-- Issue 21: the alert rule kind "customer overdue" (a customer not visited for N days beyond its visit frequency),
-- evaluated by the writer on a timer; its alert is about the customer's owner, subject "customer:<id>".
ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_kind_check, ADD CONSTRAINT alert_rules_kind_check
    CHECK (kind IN ('silent', 'idle', 'zone_exit', 'zone_enter', 'task_not_arrived', 'task_at_risk', 'task_overdue',
                    'low_battery', 'speeding', 'low_survey', 'help', 'tasks_freed', 'low_trust_check_in',
                    'customer_overdue'));
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check, ADD CONSTRAINT alerts_kind_check
    CHECK (kind IN ('silent', 'idle', 'zone_exit', 'zone_enter', 'task_not_arrived', 'task_at_risk', 'task_overdue',
                    'low_battery', 'speeding', 'low_survey', 'help', 'tasks_freed', 'low_trust_check_in',
                    'customer_overdue'));
