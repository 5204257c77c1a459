-- Issue 19: consent to tracking (PIPL art. 28-29) or the notice of a lawful basis (GDPR art. 6(1)(f)),
-- per person, versioned. A text is published as a new version, never edited; a decision is appended, never
-- changed: the register and My data read the history as it happened (dashboard/work/consent.py).

CREATE TABLE consent_texts (
    id           serial PRIMARY KEY,
    version      integer NOT NULL CHECK (version >= 1),
    language     text NOT NULL CHECK (language IN ('en', 'zh-CN')),
    body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    published_by integer REFERENCES users (id) ON DELETE SET NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (version, language)
);

CREATE TABLE consent_decisions (
    id          bigserial PRIMARY KEY,
    employee_id integer NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    decision    text NOT NULL CHECK (decision IN ('given', 'withdrawn', 'acknowledged')),
    version     integer NOT NULL CHECK (version >= 1),
    language    text NOT NULL CHECK (language IN ('en', 'zh-CN')),
    source      text NOT NULL CHECK (source IN ('phone', 'admin', 'api')),
    decided_by  integer REFERENCES users (id) ON DELETE SET NULL,
    decided_at  timestamptz NOT NULL
);
CREATE INDEX consent_decisions_employee_idx ON consent_decisions (employee_id, decided_at DESC, id DESC);

-- Neither is edited in place: a correction is a new version or a new decision.
CREATE FUNCTION consent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER consent_texts_append_only BEFORE UPDATE ON consent_texts
    FOR EACH ROW EXECUTE FUNCTION consent_append_only();
CREATE TRIGGER consent_decisions_append_only BEFORE UPDATE ON consent_decisions
    FOR EACH ROW EXECUTE FUNCTION consent_append_only();
