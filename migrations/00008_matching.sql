-- +goose Up
-- Matching reads a required skill's holders with their levels: covering the level lets it
-- walk talent_skill in talent order per skill without visiting the table.
CREATE INDEX talent_skill_skill_talent_level ON talent_skill (skill_id, talent_id) INCLUDE (level);

-- Gap courses and the skill gap look for the courses of an alliance not yet ended.
CREATE INDEX resource_course_ends ON resource (alliance_id, (COALESCE(ends_on, 'infinity'::date))) WHERE category = 'TRAINING_COURSE';

-- The skill gap counts, per skill, the talents available for work (students, trainees and
-- job seekers) who hold it. Summing talent_skill at query time reads every talent skill
-- (800,000 rows at scale 100) and takes longer than the whole query may; the triggers
-- below keep the sums exact as talents and their skills change.
CREATE TABLE skill_talent_supply (
    alliance_id bigint NOT NULL REFERENCES alliance (id) ON DELETE CASCADE,
    skill_id    bigint NOT NULL REFERENCES skill (id) ON DELETE CASCADE,
    talents     integer NOT NULL,
    levels      integer NOT NULL,
    PRIMARY KEY (alliance_id, skill_id)
);

-- +goose StatementBegin
CREATE FUNCTION talent_available(status text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT status IN ('STUDENT', 'TRAINEE', 'JOB_SEEKING')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION skill_talent_supply_add(alliance bigint, skill bigint, talents integer, levels integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO skill_talent_supply AS s (alliance_id, skill_id, talents, levels)
    VALUES (alliance, skill, talents, levels)
    ON CONFLICT (alliance_id, skill_id) DO UPDATE SET talents = s.talents + EXCLUDED.talents, levels = s.levels + EXCLUDED.levels
$$;
-- +goose StatementEnd

-- Statement-level, over the transition tables: loading the demo at scale 100 inserts
-- 800,000 talent skills, which one upsert per row would slow by minutes.
-- +goose StatementBegin
CREATE FUNCTION talent_skill_supply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- When talents themselves are being deleted, their BEFORE DELETE trigger has already
    -- taken their skills out, and the join no longer finds them.
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM skill_talent_supply_add(t.alliance_id, o.skill_id, -count(*)::int, -sum(o.level)::int)
        FROM old_rows o JOIN talent t ON t.id = o.talent_id
        WHERE talent_available(t.status) GROUP BY t.alliance_id, o.skill_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM skill_talent_supply_add(t.alliance_id, n.skill_id, count(*)::int, sum(n.level)::int)
        FROM new_rows n JOIN talent t ON t.id = n.talent_id
        WHERE talent_available(t.status) GROUP BY t.alliance_id, n.skill_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION talent_supply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND talent_available(OLD.status) THEN
        PERFORM skill_talent_supply_add(OLD.alliance_id, ts.skill_id, -1, -ts.level)
        FROM talent_skill ts WHERE ts.talent_id = OLD.id;
    END IF;
    IF TG_OP = 'UPDATE' AND talent_available(NEW.status) THEN
        PERFORM skill_talent_supply_add(NEW.alliance_id, ts.skill_id, 1, ts.level)
        FROM talent_skill ts WHERE ts.talent_id = NEW.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER talent_skill_supply_insert AFTER INSERT ON talent_skill
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION talent_skill_supply();
CREATE TRIGGER talent_skill_supply_update AFTER UPDATE ON talent_skill
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION talent_skill_supply();
CREATE TRIGGER talent_skill_supply_delete AFTER DELETE ON talent_skill
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION talent_skill_supply();
-- Talents change status one at a time; a row trigger is simplest there.
CREATE TRIGGER talent_supply_update AFTER UPDATE OF status, alliance_id ON talent
    FOR EACH ROW WHEN (talent_available(OLD.status) IS DISTINCT FROM talent_available(NEW.status) OR OLD.alliance_id IS DISTINCT FROM NEW.alliance_id)
    EXECUTE FUNCTION talent_supply();
CREATE TRIGGER talent_supply_delete BEFORE DELETE ON talent
    FOR EACH ROW EXECUTE FUNCTION talent_supply();

INSERT INTO skill_talent_supply (alliance_id, skill_id, talents, levels)
SELECT t.alliance_id, ts.skill_id, count(*), sum(ts.level)
FROM talent_skill ts JOIN talent t ON t.id = ts.talent_id
WHERE talent_available(t.status)
GROUP BY 1, 2;

-- +goose Down
DROP TRIGGER talent_supply_delete ON talent;
DROP TRIGGER talent_supply_update ON talent;
DROP TRIGGER talent_skill_supply_delete ON talent_skill;
DROP TRIGGER talent_skill_supply_update ON talent_skill;
DROP TRIGGER talent_skill_supply_insert ON talent_skill;
DROP FUNCTION talent_supply();
DROP FUNCTION talent_skill_supply();
DROP FUNCTION skill_talent_supply_add(bigint, bigint, integer, integer);
DROP FUNCTION talent_available(text);
DROP TABLE skill_talent_supply;
DROP INDEX resource_course_ends;
DROP INDEX talent_skill_skill_talent_level;
