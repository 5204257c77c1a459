-- Shared by issues 5, 6, 8 and 9: the history of each task's state, and customers' verdicts
-- after a visit. Issue 6 writes both; analytics, reports and the API read them.

-- Every change of a task's state: who made it (a user, or NULL for the system/ingest pipeline) and when.
CREATE TABLE task_events (
    id          bigserial PRIMARY KEY,
    task_id     integer NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    from_state  text,
    to_state    text NOT NULL,
    employee_id integer REFERENCES employees (id) ON DELETE SET NULL,
    user_id     integer REFERENCES users (id) ON DELETE SET NULL,
    reason      text,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_events_task_idx ON task_events (task_id, at);
CREATE INDEX task_events_at_idx ON task_events (at);

-- A satisfaction survey sent after a completed visit: one per task, answered at most once
-- through a signed single-use link. score and comment stay NULL until the customer answers.
CREATE TABLE feedback (
    id          bigserial PRIMARY KEY,
    task_id     integer UNIQUE REFERENCES tasks (id) ON DELETE SET NULL,
    visit_id    bigint REFERENCES activities (id) ON DELETE SET NULL,
    customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    employee_id integer REFERENCES employees (id) ON DELETE SET NULL,
    nonce       text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    answered_at timestamptz,
    score       smallint CHECK (score BETWEEN 1 AND 5),
    comment     text CHECK (length(comment) <= 2000),
    language    text,
    CHECK ((answered_at IS NULL) = (score IS NULL))
);
CREATE INDEX feedback_customer_idx ON feedback (customer_id, created_at);
CREATE INDEX feedback_employee_idx ON feedback (employee_id, answered_at);
