-- Issue 9, integration: API tokens, orders from the ERP, webhook subscriptions and their outbox.

-- A token for the REST API: only its SHA-256 is kept. scopes are "resource:read" / "resource:write";
-- team_ids limits every read to those teams (NULL: all teams).
CREATE TABLE api_tokens (
    id           serial PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   text NOT NULL UNIQUE,
    scopes       text[] NOT NULL DEFAULT '{}',
    team_ids     integer[],
    created_by   integer REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- Customers' orders, imported from the ERP and upserted by its id.
CREATE TABLE orders (
    id          serial PRIMARY KEY,
    external_id text NOT NULL UNIQUE CHECK (length(external_id) BETWEEN 1 AND 100),
    customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    number      text NOT NULL CHECK (length(number) BETWEEN 1 AND 100),
    status      text NOT NULL DEFAULT 'open' CHECK (length(status) BETWEEN 1 AND 40),
    amount      numeric(14, 2),
    currency    text CHECK (currency ~ '^[A-Z]{3}$'),
    due_date    date,
    summary     text CHECK (length(summary) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_idx ON orders (customer_id, due_date);
CREATE INDEX orders_updated_idx ON orders (updated_at);
CREATE INDEX customers_updated_idx ON customers (updated_at);
CREATE INDEX tasks_updated_idx ON tasks (updated_at);

-- Who hears about which events; the secret signs every delivery (HMAC-SHA256), so it is kept.
CREATE TABLE webhook_subscriptions (
    id         serial PRIMARY KEY,
    url        text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    events     text[] NOT NULL,
    secret     text NOT NULL,
    active     boolean NOT NULL DEFAULT true,
    created_by integer REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The outbox: one row per (event, subscription), written in the transaction of the event itself,
-- then delivered (and retried with backoff) by `fieldops worker`. Also the delivery log.
CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    subscription_id integer NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event           text NOT NULL,
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    delivered_at    timestamptz,
    given_up_at     timestamptz,
    last_status     integer,
    last_response   text,
    last_error      text,
    last_attempt_at timestamptz
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND given_up_at IS NULL;
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, created_at DESC);

-- Webhook targets on private, loopback or link-local addresses are refused unless an admin allows them.
INSERT INTO org_settings (key, value) VALUES ('webhooks.allow_private_targets', 'false');
