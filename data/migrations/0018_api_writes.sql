-- Issue 18: the read-write API. An ERP names its work orders by its own id, and a retried POST creates nothing
-- twice: the first answer to each (token, Idempotency-Key) is kept for 24 hours (dashboard/web/api/idempotency.py).

ALTER TABLE tasks
    ADD COLUMN external_id text UNIQUE CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 100);

CREATE TABLE api_idempotency (
    token_id     integer NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash text NOT NULL,         -- sha256 of method, path, query and body: the same key with another body
    status       smallint,              -- NULL while the first request is being answered
    body         bytea,
    headers      jsonb NOT NULL DEFAULT '{}',  -- the answer's Content-Type, Location and ETag
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (token_id, key)
);
CREATE INDEX api_idempotency_created_idx ON api_idempotency (created_at);
