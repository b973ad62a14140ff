-- +goose Up
-- An enrolment has a life: a talent is ENROLLED while a seat is free, WAITLISTED when the
-- class is full (the first on the list, by the time it asked, takes the next seat that
-- frees), COMPLETED with an assessment result once the course has run, or DROPPED.
-- resource.enrolled keeps its meaning, the seats taken: ENROLLED and COMPLETED rows; a
-- waitlisted or dropped talent holds none. Existing rows were all seated: completed
-- ones are COMPLETED (with no result recorded), the others ENROLLED.
ALTER TABLE enrollment
    ADD COLUMN id           bigserial,
    ADD COLUMN state        text NOT NULL DEFAULT 'ENROLLED',
    -- When the talent asked for a seat: the waitlist's order (with id breaking ties).
    -- enrolled_on stays the day it asked.
    ADD COLUMN applied_at   timestamptz,
    -- The day the talent took a seat: the day it asked, or the day it was promoted.
    ADD COLUMN seated_on    date,
    ADD COLUMN completed_on date,
    ADD COLUMN dropped_on   date,
    ADD COLUMN result       text CHECK (result IN ('PASSED', 'FAILED')),
    ADD COLUMN score        smallint CHECK (score BETWEEN 0 AND 100),
    ADD COLUMN version      int NOT NULL DEFAULT 1;

UPDATE enrollment en SET state = CASE WHEN en.completed THEN 'COMPLETED' ELSE 'ENROLLED' END,
    applied_at = en.enrolled_on::timestamp AT TIME ZONE 'Asia/Shanghai', seated_on = en.enrolled_on,
    completed_on = CASE WHEN en.completed THEN GREATEST(en.enrolled_on, COALESCE((SELECT r.ends_on FROM resource r WHERE r.id = en.course_id), en.enrolled_on)) END;

ALTER TABLE enrollment
    ALTER COLUMN applied_at SET NOT NULL,
    ALTER COLUMN applied_at SET DEFAULT now(),
    ADD CONSTRAINT enrollment_id UNIQUE (id),
    ADD CONSTRAINT enrollment_state CHECK (state IN ('ENROLLED', 'WAITLISTED', 'COMPLETED', 'DROPPED')),
    -- completed is what readers before the life cycle know: the COMPLETED state.
    ADD CONSTRAINT enrollment_completed CHECK (completed = (state = 'COMPLETED')),
    ADD CONSTRAINT enrollment_seated CHECK (state NOT IN ('ENROLLED', 'COMPLETED') OR seated_on IS NOT NULL),
    ADD CONSTRAINT enrollment_completed_on CHECK ((state = 'COMPLETED') = (completed_on IS NOT NULL)),
    ADD CONSTRAINT enrollment_dropped_on CHECK ((state = 'DROPPED') = (dropped_on IS NOT NULL)),
    ADD CONSTRAINT enrollment_result CHECK (state = 'COMPLETED' OR (result IS NULL AND score IS NULL)),
    ADD CONSTRAINT enrollment_dates CHECK (seated_on >= enrolled_on AND completed_on >= seated_on AND dropped_on >= enrolled_on);

-- Writers that know only the columns before the life cycle (an enrolment and whether it
-- was completed: bulk loads, fixtures) still write valid rows: a completed row is
-- COMPLETED, a seated row's seat dates from the day it was made, and completed always
-- says whether the state is COMPLETED.
-- +goose StatementBegin
CREATE FUNCTION enrollment_in_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.completed AND NEW.state = 'ENROLLED' THEN
        NEW.state := 'COMPLETED';
    END IF;
    NEW.completed := NEW.state = 'COMPLETED';
    IF NEW.state IN ('ENROLLED', 'COMPLETED') AND NEW.seated_on IS NULL THEN
        NEW.seated_on := NEW.enrolled_on;
    END IF;
    IF NEW.state = 'COMPLETED' AND NEW.completed_on IS NULL THEN
        NEW.completed_on := GREATEST(NEW.seated_on, (SELECT r.ends_on FROM resource r WHERE r.id = NEW.course_id));
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER enrollment_in_step BEFORE INSERT OR UPDATE ON enrollment FOR EACH ROW EXECUTE FUNCTION enrollment_in_step();

-- A course's trainees in the order they asked, and its waitlist in the order it is served.
CREATE INDEX enrollment_course_applied ON enrollment (course_id, applied_at, id);
CREATE INDEX enrollment_waitlist ON enrollment (course_id, applied_at, id) WHERE state = 'WAITLISTED';
CREATE INDEX enrollment_talent ON enrollment (talent_id, applied_at, id);

-- A national vocational skill certificate (职业技能等级证书) issued on a passed
-- enrolment: level 1 (初级工, national level five) to 5 (高级技师, level one), for one of
-- the course's skills, at most one per enrolment and skill. Its number is unique across
-- the alliance, so that issuing again with the same number is a retry, not a second
-- certificate.
CREATE TABLE certificate (
    id            bigserial PRIMARY KEY,
    enrollment_id bigint NOT NULL REFERENCES enrollment (id) ON DELETE CASCADE,
    talent_id     bigint NOT NULL REFERENCES talent (id) ON DELETE CASCADE,
    skill_id      bigint NOT NULL REFERENCES skill (id),
    level         smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    number        text NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 64),
    issuer_id     bigint NOT NULL REFERENCES organization (id),
    issued_on     date NOT NULL,
    issued_by     text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (enrollment_id, skill_id)
);
CREATE INDEX certificate_talent ON certificate (talent_id, issued_on, id);

-- +goose Down
DROP TABLE certificate;
DROP TRIGGER enrollment_in_step ON enrollment;
DROP FUNCTION enrollment_in_step();
DROP INDEX enrollment_talent;
DROP INDEX enrollment_waitlist;
DROP INDEX enrollment_course_applied;
ALTER TABLE enrollment
    DROP CONSTRAINT enrollment_dates, DROP CONSTRAINT enrollment_result, DROP CONSTRAINT enrollment_dropped_on,
    DROP CONSTRAINT enrollment_completed_on, DROP CONSTRAINT enrollment_seated, DROP CONSTRAINT enrollment_completed,
    DROP CONSTRAINT enrollment_state, DROP CONSTRAINT enrollment_id;
-- Waitlisted and dropped talents held no seat; the table before the life cycle knew
-- only seated ones.
DELETE FROM enrollment WHERE state IN ('WAITLISTED', 'DROPPED');
ALTER TABLE enrollment DROP COLUMN version, DROP COLUMN score, DROP COLUMN result, DROP COLUMN dropped_on,
    DROP COLUMN completed_on, DROP COLUMN seated_on, DROP COLUMN applied_at, DROP COLUMN state, DROP COLUMN id;
