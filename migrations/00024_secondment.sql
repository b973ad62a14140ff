-- +goose Up
-- A member asks for a teacher another member shares with it, for a period of days and
-- a number of teaching hours; the teacher's organization accepts or declines. Requests
-- may compete for the same days, but a teacher is seconded to one member at a time:
-- the exclusion constraint keeps accepted secondments of one teacher apart whatever the
-- number of concurrent acceptances, which no check made before the update could promise.
CREATE TABLE secondment (
    id              bigserial PRIMARY KEY,
    teacher_id      bigint NOT NULL REFERENCES resource (id),
    requester_id    bigint NOT NULL REFERENCES organization (id),
    -- The teacher's organization when asked: it decides, and lists the secondment.
    provider_id     bigint NOT NULL REFERENCES organization (id),
    -- Days in Shenyang's calendar, both ends included: daterange keeps it as [from, to + 1).
    period          daterange NOT NULL CHECK (NOT isempty(period) AND NOT lower_inf(period) AND NOT upper_inf(period)),
    hours           int NOT NULL CHECK (hours > 0 AND hours <= 8 * (upper(period) - lower(period))),
    purpose         text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 300),
    state           text NOT NULL DEFAULT 'REQUESTED' CHECK (state IN ('REQUESTED', 'ACCEPTED', 'DECLINED', 'CANCELLED')),
    -- What the client sent to make a retry of the same request return this secondment.
    idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 100),
    requested_by    text NOT NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    decided_by      text,
    decided_at      timestamptz,
    decision_note   text CHECK (length(decision_note) BETWEEN 1 AND 1000),
    cancelled_by    text,
    cancelled_at    timestamptz,
    version         int NOT NULL DEFAULT 1,
    CHECK (requester_id <> provider_id),
    -- Accepted or declined means decided; a request cancelled before its answer was never decided.
    CHECK ((decided_at IS NULL) = (decided_by IS NULL)),
    CHECK (state NOT IN ('ACCEPTED', 'DECLINED') OR decided_at IS NOT NULL),
    CHECK (state <> 'REQUESTED' OR decided_at IS NULL),
    CHECK ((cancelled_at IS NOT NULL) = (state = 'CANCELLED')),
    UNIQUE (requester_id, idempotency_key),
    CONSTRAINT secondment_no_overlap EXCLUDE USING gist (teacher_id WITH =, period WITH &&) WHERE (state = 'ACCEPTED')
);
CREATE INDEX secondment_by_teacher ON secondment (teacher_id, lower(period), id);
CREATE INDEX secondment_by_requester ON secondment (requester_id, lower(period), id);
CREATE INDEX secondment_by_provider ON secondment (provider_id, lower(period), id);

-- +goose Down
DROP TABLE secondment;
