-- +goose Up
-- Writes: optimistic concurrency versions, the event log, and API keys.

-- Every updatable row carries a version; an update names the version it read and fails
-- with CONFLICT when the row has moved on, so no update is lost silently.
ALTER TABLE alliance ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE organization ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE membership ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE partnership ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE training_center ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE resource ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE resource ADD COLUMN withdrawn_on date;
ALTER TABLE skill ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE talent ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE placement ADD COLUMN version int NOT NULL DEFAULT 1;

-- Every change, in commit order of its id. Subjects are global IDs so that a consumer
-- can fetch them through node(id:) with its own permissions.
CREATE TABLE event (
    id          bigserial PRIMARY KEY,
    alliance_id bigint REFERENCES alliance (id),
    kind        text NOT NULL CHECK (kind ~ '^[A-Z][A-Z_]{2,63}$'),
    subject_id  text NOT NULL,
    actor       text NOT NULL,
    actor_role  text NOT NULL CHECK (actor_role IN ('ADMIN', 'MEMBER', 'ANALYST', 'SYSTEM')),
    occurred_at timestamptz NOT NULL DEFAULT now(),
    payload     jsonb NOT NULL DEFAULT '{}' CHECK (octet_length(payload::text) <= 4000)
);
CREATE INDEX event_alliance ON event (alliance_id, id);
CREATE INDEX event_kind ON event (kind, id);
CREATE INDEX event_subject ON event (subject_id, id);
CREATE INDEX event_time ON event (occurred_at, id);

-- API keys for machine clients. Only a SHA-256 of the secret is kept; the prefix finds
-- the row without scanning.
CREATE TABLE api_key (
    id              bigserial PRIMARY KEY,
    prefix          text NOT NULL UNIQUE CHECK (prefix ~ '^[a-z0-9]{8,16}$'),
    secret_hash     bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role            text NOT NULL CHECK (role IN ('ADMIN', 'MEMBER', 'ANALYST')),
    organization_id bigint REFERENCES organization (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    last_used_at    timestamptz,
    CHECK ((role = 'MEMBER') = (organization_id IS NOT NULL))
);

-- Secrets the server generates for itself when none is configured (the JWT signing key
-- of a development setup), so that `alliance serve` and `alliance token create` agree.
CREATE TABLE server_secret (
    name       text PRIMARY KEY,
    value      bytea NOT NULL CHECK (octet_length(value) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE server_secret;
DROP TABLE api_key;
DROP TABLE event;
ALTER TABLE placement DROP COLUMN version;
ALTER TABLE talent DROP COLUMN version;
ALTER TABLE skill DROP COLUMN version;
ALTER TABLE resource DROP COLUMN withdrawn_on;
ALTER TABLE resource DROP COLUMN version;
ALTER TABLE training_center DROP COLUMN version;
ALTER TABLE partnership DROP COLUMN version;
ALTER TABLE membership DROP COLUMN version;
ALTER TABLE organization DROP COLUMN version;
ALTER TABLE alliance DROP COLUMN version;
