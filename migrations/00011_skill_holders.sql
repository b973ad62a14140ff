-- +goose Up
-- An opening's match count is the number of distinct talents of its alliance, in the
-- statuses asked for, holding any required skill. Checking each holder's alliance and
-- status in talent joined every holder with the talent table (96,000 talents and 300 ms
-- for the most demanding opening at scale 100). talent_skill now carries its talent's
-- alliance and status, so that the count is one index-only range per required skill.
ALTER TABLE talent_skill ADD COLUMN alliance_id bigint, ADD COLUMN talent_status text;

-- The supply trigger of 00008 would recount every skill of every talent for a backfill
-- that changes no level.
ALTER TABLE talent_skill DISABLE TRIGGER talent_skill_supply_update;
UPDATE talent_skill ts SET alliance_id = t.alliance_id, talent_status = t.status FROM talent t WHERE t.id = ts.talent_id;
ALTER TABLE talent_skill ENABLE TRIGGER talent_skill_supply_update;
ALTER TABLE talent_skill ALTER COLUMN alliance_id SET NOT NULL, ALTER COLUMN talent_status SET NOT NULL;

-- The copies are a foreign key to the talent: PostgreSQL refuses copies that differ and
-- carries a talent's new status or alliance to its skills itself. A per-row trigger
-- copying them would do the same but slow the demo's bulk load by a minute at scale 100;
-- the key is checked there once, set-based, when the loader restores its foreign keys.
ALTER TABLE talent ADD CONSTRAINT talent_holder UNIQUE (id, alliance_id, status);
ALTER TABLE talent_skill ADD CONSTRAINT talent_skill_holder_fkey FOREIGN KEY (talent_id, alliance_id, talent_status)
    REFERENCES talent (id, alliance_id, status) ON UPDATE CASCADE ON DELETE CASCADE;

-- Writers that name only the talent get its alliance and status filled in.
-- +goose StatementBegin
CREATE FUNCTION talent_skill_holder() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT t.alliance_id, t.status INTO NEW.alliance_id, NEW.talent_status FROM talent t WHERE t.id = NEW.talent_id;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER talent_skill_holder BEFORE INSERT ON talent_skill
    FOR EACH ROW WHEN (NEW.alliance_id IS NULL OR NEW.talent_status IS NULL) EXECUTE FUNCTION talent_skill_holder();

-- The status is covered, not a key column: counts with and without a status filter share
-- the index, and the filter is checked on the entries read.
CREATE INDEX talent_skill_holder ON talent_skill (skill_id, alliance_id, talent_id) INCLUDE (talent_status);

-- +goose Down
DROP INDEX talent_skill_holder;
DROP TRIGGER talent_skill_holder ON talent_skill;
DROP FUNCTION talent_skill_holder();
ALTER TABLE talent_skill DROP CONSTRAINT talent_skill_holder_fkey;
ALTER TABLE talent DROP CONSTRAINT talent_holder;
ALTER TABLE talent_skill DROP COLUMN talent_status, DROP COLUMN alliance_id;
