-- Issue 17: alerts are what a rule raises for a person to act on (events stay activities and webhooks).
-- A rule has a kind, parameters, a scope of teams / people / zones, the working hours as its calendar by
-- default, a cooldown, recipients and channels. The phone's help button is the built-in critical rule.

CREATE TABLE alert_rules (
    id                 serial PRIMARY KEY,
    kind               text NOT NULL
                       CHECK (kind IN ('silent', 'idle', 'zone_exit', 'zone_enter', 'task_not_arrived', 'task_at_risk',
                                       'task_overdue', 'low_battery', 'speeding', 'low_survey', 'help')),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    severity           text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    -- minutes, percent, kmh, seconds, stars, from/to ("HH:MM", a daily window in the organisation's zone)
    params             jsonb NOT NULL DEFAULT '{}',
    team_ids           integer[],  -- NULL: every team
    employee_ids       integer[],  -- NULL: everyone in the teams
    zone_ids           integer[],  -- the zones a zone rule watches (NULL: every zone)
    working_hours_only boolean NOT NULL DEFAULT true,
    cooldown_min       integer NOT NULL DEFAULT 30 CHECK (cooldown_min BETWEEN 0 AND 10080),
    -- "person", "supervisors", "managers" or {"user": id}
    recipients         jsonb NOT NULL DEFAULT '["supervisors"]',
    channels           text[] NOT NULL DEFAULT '{inbox}',  -- inbox, email, webpush, robot
    robot_ids          integer[] NOT NULL DEFAULT '{}',    -- chat robots (alert_robots) posted to
    enabled            boolean NOT NULL DEFAULT true,
    builtin            boolean NOT NULL DEFAULT false,
    created_by         integer REFERENCES users (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

INSERT INTO alert_rules (kind, name, severity, working_hours_only, cooldown_min, recipients, channels, builtin)
VALUES ('help', 'Help requested', 'critical', false, 0, '["supervisors", "managers"]', '{inbox,webpush}', true);

-- Today's help alerts become the built-in rule's alerts; every alert now has a kind, a severity and a state.
ALTER TABLE alerts
    ADD COLUMN rule_id         integer REFERENCES alert_rules (id) ON DELETE SET NULL,
    ADD COLUMN kind            text NOT NULL DEFAULT 'help',
    ADD COLUMN severity        text NOT NULL DEFAULT 'critical' CHECK (severity IN ('info', 'warning', 'critical')),
    ADD COLUMN state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
    ADD COLUMN at              timestamptz,  -- when the condition held (event time), for the link to that day
    ADD COLUMN subject         text NOT NULL DEFAULT '',  -- what it is about beyond the person: "task:12", "zone:3"
    ADD COLUMN task_id         integer REFERENCES tasks (id) ON DELETE SET NULL,
    ADD COLUMN zone_id         integer REFERENCES zones (id) ON DELETE SET NULL,
    ADD COLUMN detail          jsonb NOT NULL DEFAULT '{}',  -- the figures that satisfied the rule
    ADD COLUMN acknowledged_at timestamptz,
    ADD COLUMN acknowledged_by integer REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN resolution      text CHECK (resolution IN ('resolved', 'cleared')),  -- by a person, or the condition ended
    ADD COLUMN updated_at      timestamptz NOT NULL DEFAULT now();
UPDATE alerts SET at = created_at, updated_at = coalesce(resolved_at, created_at),
                  rule_id = (SELECT id FROM alert_rules WHERE builtin AND kind = 'help'),
                  state = CASE WHEN resolved_at IS NULL THEN 'open' ELSE 'resolved' END,
                  resolution = CASE WHEN resolved_at IS NULL THEN NULL ELSE 'resolved' END;
ALTER TABLE alerts ALTER COLUMN at SET NOT NULL, ALTER COLUMN at SET DEFAULT now(),
    ADD CONSTRAINT alerts_kind_check
        CHECK (kind IN ('silent', 'idle', 'zone_exit', 'zone_enter', 'task_not_arrived', 'task_at_risk', 'task_overdue',
                        'low_battery', 'speeding', 'low_survey', 'help'));
DROP INDEX alerts_open_idx;
CREATE INDEX alerts_open_idx ON alerts (created_at) WHERE state <> 'resolved';
CREATE INDEX alerts_updated_idx ON alerts (updated_at, id);
CREATE INDEX alerts_employee_idx ON alerts (employee_id, created_at);
-- At most one unresolved alert per rule, person and subject: a condition that holds on raises nothing more.
CREATE UNIQUE INDEX alerts_one_open_idx ON alerts (rule_id, employee_id, subject) WHERE state <> 'resolved';

-- A user who does not want a rule's notifications (the inbox still lists its alerts).
CREATE TABLE alert_mutes (
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rule_id integer NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, rule_id)
);

-- Chat robots an admin registers: WeCom (企业微信) group robot, DingTalk (钉钉) robot, Feishu (飞书) bot.
CREATE TABLE alert_robots (
    id         serial PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu')),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    url        text NOT NULL,
    secret     text,  -- DingTalk's and Feishu's signing secret
    active     boolean NOT NULL DEFAULT true,
    created_by integer REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A browser's Web Push subscription (RFC 8030 endpoint with its RFC 8291 keys).
CREATE TABLE push_subscriptions (
    id         bigserial PRIMARY KEY,
    user_id    integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint   text NOT NULL UNIQUE,
    p256dh     text NOT NULL,
    auth       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The notifications' outbox, written in the transaction that raises or resolves the alert, and their log.
-- One row per alert, channel and target (a user for e-mail and Web Push, a robot for chat).
CREATE TABLE alert_notifications (
    id              bigserial PRIMARY KEY,
    alert_id        bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    event           text NOT NULL CHECK (event IN ('raised', 'resolved')),
    channel         text NOT NULL CHECK (channel IN ('email', 'webpush', 'robot')),
    user_id         integer REFERENCES users (id) ON DELETE CASCADE,
    robot_id        integer REFERENCES alert_robots (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    delivered_at    timestamptz,
    given_up_at     timestamptz,
    digest_of       integer NOT NULL DEFAULT 1,  -- how many alerts the message that carried it named
    last_error      text,
    CHECK ((channel = 'robot') = (robot_id IS NOT NULL))
);
CREATE INDEX alert_notifications_due_idx ON alert_notifications (next_attempt_at)
    WHERE delivered_at IS NULL AND given_up_at IS NULL;
