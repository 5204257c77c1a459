-- Issue 21: visit forms and service reports. A form belongs to a task kind and is versioned: a version, once
-- any answer was given to it, never changes (an edit makes the next version); the kind's form in use is its
-- newest version not retired. A task's answers stay with the version they were given to.
CREATE TABLE forms (
    id         serial PRIMARY KEY,
    task_kind  text NOT NULL,
    version    integer NOT NULL CHECK (version >= 1),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    fields     jsonb NOT NULL,            -- the ordered field definitions (docs/FORMS.md; dashboard/work/form_defs.py)
    required   boolean NOT NULL DEFAULT true,  -- the task cannot be done while its answers are incomplete
    created_by integer REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz,
    UNIQUE (task_kind, version)
);

-- The parts catalogue a "parts used" field picks from.
CREATE TABLE parts (
    id     serial PRIMARY KEY,
    code   text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),
    name   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    unit   text NOT NULL DEFAULT 'pcs' CHECK (length(unit) BETWEEN 1 AND 20),
    active boolean NOT NULL DEFAULT true
);

-- A task's answers to its form: one row per task, the answers by field id. `complete` is worked out on each
-- save (every required field of a shown section answered); `submitted_at` is set when it first became complete.
CREATE TABLE form_answers (
    id           bigserial PRIMARY KEY,
    task_id      integer NOT NULL UNIQUE REFERENCES tasks (id) ON DELETE CASCADE,
    form_id      integer NOT NULL REFERENCES forms (id),
    employee_id  integer REFERENCES employees (id) ON DELETE SET NULL,
    answers      jsonb NOT NULL DEFAULT '{}'::jsonb,
    complete     boolean NOT NULL DEFAULT false,
    submitted_at timestamptz,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX form_answers_updated_idx ON form_answers (updated_at, id);

-- Each change the phone sent, by the id the phone gave it: a change sent twice (offline, then again) is applied
-- once; changes are applied in the phone's order (seq).
CREATE TABLE form_answer_ops (
    op_id      uuid PRIMARY KEY,
    task_id    integer NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    seq        bigint NOT NULL,
    applied_at timestamptz NOT NULL
);

-- Files a form's answers name (photos, the drawn signature): kept byte for byte with their SHA-256.
CREATE TABLE form_files (
    id           bigserial PRIMARY KEY,
    task_id      integer NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    field_id     text NOT NULL,
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    bytes        bytea NOT NULL CHECK (octet_length(bytes) <= 8388608),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL,
    UNIQUE (task_id, sha256)
);

-- The customer's contact, to whom a visit's service report is e-mailed when set.
ALTER TABLE customers
    ADD COLUMN contact_name  text CHECK (length(contact_name) <= 200),
    ADD COLUMN contact_email text CHECK (contact_email IS NULL OR contact_email ~ '^[^@\s]+@[^@\s]+$');

-- A visit's service report, rendered once the task is done and kept (the customer's page lists them).
CREATE TABLE service_reports (
    id         bigserial PRIMARY KEY,
    task_id    integer NOT NULL UNIQUE REFERENCES tasks (id) ON DELETE CASCADE,
    language   text NOT NULL CHECK (language IN ('en', 'zh-CN')),
    pdf        bytea NOT NULL,
    created_at timestamptz NOT NULL,
    mailed_to  text,
    mailed_at  timestamptz
);
