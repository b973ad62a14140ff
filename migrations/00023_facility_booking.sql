-- +goose Up
-- Members book the facilities shared with them for a time and a purpose. Two bookings
-- of one facility that overlap cannot both stand: the exclusion constraint refuses the
-- second whatever the isolation level or the number of concurrent writers, which no
-- check made before the insert could promise. A cancelled booking frees its time.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE facility_booking (
    id              bigserial PRIMARY KEY,
    facility_id     bigint NOT NULL REFERENCES resource (id),
    organization_id bigint NOT NULL REFERENCES organization (id),
    -- Half open, [start, end): a booking ending at 10:00 and one starting then do not
    -- overlap.
    period          tstzrange NOT NULL CHECK (NOT isempty(period) AND lower_inc(period) AND NOT upper_inc(period)
                                              AND NOT lower_inf(period) AND NOT upper_inf(period)),
    purpose         text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 300),
    trainees        int CHECK (trainees > 0),
    -- The course whose class meeting this is, when a course booked it.
    course_id       bigint REFERENCES resource (id),
    -- What the client sent to make a retry of the same request return this booking
    -- rather than a second one (or an overlap with itself).
    idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 100),
    booked_by       text NOT NULL,
    booked_at       timestamptz NOT NULL DEFAULT now(),
    cancelled_at    timestamptz,
    version         int NOT NULL DEFAULT 1,
    UNIQUE (organization_id, idempotency_key),
    CONSTRAINT facility_booking_no_overlap EXCLUDE USING gist (facility_id WITH =, period WITH &&) WHERE (cancelled_at IS NULL)
);
CREATE INDEX facility_booking_by_organization ON facility_booking (organization_id, lower(period));
CREATE INDEX facility_booking_by_facility ON facility_booking (facility_id, lower(period), id);

-- +goose Down
DROP TABLE facility_booking;
DROP EXTENSION IF EXISTS btree_gist;
