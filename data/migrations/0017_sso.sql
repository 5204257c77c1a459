-- Issue 18: single sign-on with OpenID Connect.

-- An account made at its first single sign-on has no password of ours.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;

-- Which account at the organisation's OpenID Provider is which user: by issuer and subject, never by name.
CREATE TABLE user_identities (
    issuer     text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
    subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    user_id    integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);

-- The organisation's one OpenID Provider: one row, written by an admin (/admin/sso, `fieldops sso set`).
CREATE TABLE sso_config (
    id                   boolean PRIMARY KEY DEFAULT true CHECK (id),
    enabled              boolean NOT NULL DEFAULT false,
    display_name         text NOT NULL DEFAULT '',
    issuer               text NOT NULL DEFAULT '',
    client_id            text NOT NULL DEFAULT '',
    client_secret        text,
    scopes               text NOT NULL DEFAULT 'openid profile email',
    role_claim           text NOT NULL DEFAULT '',
    role_map             jsonb NOT NULL DEFAULT '{}'::jsonb,
    teams_claim          text NOT NULL DEFAULT '',
    default_role         text NOT NULL DEFAULT 'field',
    -- Local passwords switched off for everyone but the break-glass admin.
    passwords_off        boolean NOT NULL DEFAULT false,
    break_glass_username text,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    updated_by           integer REFERENCES users (id) ON DELETE SET NULL
);
