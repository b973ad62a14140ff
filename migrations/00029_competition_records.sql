-- +goose Up
-- A competition edition becomes a record a training office can plan with: the days it
-- runs (held_on stays its last day, when results are announced), where, who organizes
-- it, until when members may register their talents, and the skills it is contested
-- in. Results link to their edition with a rank and a score, and members register
-- talents for editions still open.
ALTER TABLE competition
    ADD COLUMN starts_on             date,
    ADD COLUMN venue_en              text CHECK (length(venue_en) BETWEEN 1 AND 300),
    ADD COLUMN venue_zh              text CHECK (length(venue_zh) BETWEEN 1 AND 300),
    ADD COLUMN organizer_id          bigint REFERENCES organization (id),
    ADD COLUMN registration_deadline date,
    ADD COLUMN created_by            text,
    ADD COLUMN version               int NOT NULL DEFAULT 1;
UPDATE competition SET starts_on = held_on;
ALTER TABLE competition
    ALTER COLUMN starts_on SET NOT NULL,
    -- A venue is named in both languages or not at all.
    ADD CONSTRAINT competition_venue CHECK ((venue_en IS NULL) = (venue_zh IS NULL)),
    ADD CONSTRAINT competition_days CHECK (starts_on <= held_on AND held_on - starts_on <= 60),
    ADD CONSTRAINT competition_deadline CHECK (registration_deadline <= starts_on);
CREATE INDEX competition_organizer ON competition (organizer_id, held_on, id) WHERE organizer_id IS NOT NULL;
-- The calendar reads the editions meeting a window by their days.
CREATE INDEX competition_days ON competition USING gist (daterange(starts_on, held_on, '[]'));

CREATE TABLE competition_skill (
    competition_id bigint NOT NULL REFERENCES competition (id) ON DELETE CASCADE,
    skill_id       bigint NOT NULL REFERENCES skill (id),
    PRIMARY KEY (competition_id, skill_id)
);
CREATE INDEX competition_skill_skill ON competition_skill (skill_id, competition_id);

-- A member's entry of a talent (its student or employee) in an edition. A talent is
-- entered once: a withdrawn entry may be renewed while registration is open.
CREATE TABLE competition_registration (
    id              bigserial PRIMARY KEY,
    competition_id  bigint NOT NULL REFERENCES competition (id),
    talent_id       bigint NOT NULL REFERENCES talent (id),
    organization_id bigint NOT NULL REFERENCES organization (id),
    skill_id        bigint REFERENCES skill (id),
    state           text NOT NULL DEFAULT 'REGISTERED' CHECK (state IN ('REGISTERED', 'WITHDRAWN')),
    registered_by   text NOT NULL,
    registered_at   timestamptz NOT NULL DEFAULT now(),
    withdrawn_at    timestamptz,
    version         int NOT NULL DEFAULT 1,
    CHECK ((state = 'WITHDRAWN') = (withdrawn_at IS NOT NULL)),
    UNIQUE (competition_id, talent_id)
);
CREATE INDEX competition_registration_org ON competition_registration (organization_id, competition_id, id);
CREATE INDEX competition_registration_talent ON competition_registration (talent_id, id);

ALTER TABLE resource
    ADD COLUMN competition_id bigint REFERENCES competition (id),
    ADD COLUMN rank           int CHECK (rank BETWEEN 1 AND 10000),
    ADD COLUMN score          numeric(7, 2) CHECK (score >= 0),
    ADD CONSTRAINT resource_result_fields CHECK (category = 'COMPETITION_RESULT' OR (competition_id IS NULL AND rank IS NULL AND score IS NULL));
CREATE INDEX resource_competition ON resource (competition_id, id) WHERE competition_id IS NOT NULL;

-- +goose Down
DROP INDEX resource_competition;
ALTER TABLE resource DROP CONSTRAINT resource_result_fields, DROP COLUMN score, DROP COLUMN rank, DROP COLUMN competition_id;
DROP TABLE competition_registration;
DROP TABLE competition_skill;
DROP INDEX competition_days;
DROP INDEX competition_organizer;
ALTER TABLE competition DROP CONSTRAINT competition_deadline, DROP CONSTRAINT competition_days, DROP CONSTRAINT competition_venue,
    DROP COLUMN version, DROP COLUMN created_by, DROP COLUMN registration_deadline, DROP COLUMN organizer_id,
    DROP COLUMN venue_zh, DROP COLUMN venue_en, DROP COLUMN starts_on;
