-- A training course's state (UPCOMING, ENROLLING, RUNNING, ENDED) follows its dates and
-- the alliance's day (internal/calendar), and each move is announced with a
-- COURSE_STATE_CHANGED event by the server's calendar job. course_state is the state
-- last announced: the job compares it with the state the dates give today, moves the
-- courses that differ and writes their events, in one transaction.
--
-- Existing courses start from the state their dates give today in Shenyang (UTC+8, the
-- same rule as calendar.StateOf, enrolment opening 56 days before the start), so that
-- the first start after this migration announces only what changes from now on. NULL
-- means never announced (rows written by plain SQL, such as a demo load): the job sets
-- it without an event.

-- +goose Up
ALTER TABLE resource ADD COLUMN course_state text
    CHECK (course_state IN ('UPCOMING', 'ENROLLING', 'RUNNING', 'ENDED')),
    ADD CONSTRAINT resource_course_state_of_courses CHECK (course_state IS NULL OR category = 'TRAINING_COURSE');

UPDATE resource r SET course_state = CASE
        WHEN r.ends_on < d.today THEN 'ENDED'
        WHEN r.starts_on <= d.today THEN 'RUNNING'
        WHEN r.starts_on > d.today + 56 THEN 'UPCOMING'
        ELSE 'ENROLLING' END
FROM (SELECT (now() AT TIME ZONE INTERVAL '+08:00')::date AS today) d
WHERE r.category = 'TRAINING_COURSE';

-- +goose Down
ALTER TABLE resource DROP COLUMN course_state;
