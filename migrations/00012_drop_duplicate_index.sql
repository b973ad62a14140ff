-- +goose Up
-- talent_skill_skill (skill_id, talent_id) has the key of talent_skill_skill_talent_level
-- (00008), which also carries the level: every plan that could use the first uses the
-- second, and each talent skill written paid for both.
DROP INDEX talent_skill_skill;

-- +goose Down
CREATE INDEX talent_skill_skill ON talent_skill (skill_id, talent_id);
