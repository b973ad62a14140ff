-- +goose Up
-- Search. Each searched kind gets indexes on one document joining its searched fields with
-- a unit separator (U+001F), which a query cannot contain, so no match spans two fields and
-- one index scan serves every field: a trigram index for queries of three characters or
-- more, and an index of the two-character pieces for queries of two. Trigram indexes
-- cannot serve those: '%机床%' yields no trigram, and Chinese words are often two
-- characters long. search_bigrams lists the distinct lower-cased two-character substrings
-- of a text, so "contains q" for a two-character q becomes
-- search_bigrams(doc) @> ARRAY[lower(q)], which the GIN index answers.
-- Documents are compared in the "C" collation, whose case folding (ASCII letters only,
-- enough for English; Chinese has no case) is several times faster than the locale's:
-- ILIKE and lower() on the matching rows dominate the cost of a common word.
-- +goose StatementBegin
CREATE FUNCTION search_bigrams(s text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(lower(s), i, 2)), '{}')
    FROM generate_series(1, char_length(s) - 1) AS i
$$;
-- +goose StatementEnd

CREATE INDEX organization_search_trgm ON organization USING gin (((name_en || E'\x1f' || name_zh) COLLATE "C") gin_trgm_ops);
CREATE INDEX organization_search_bigrams ON organization USING gin (search_bigrams((name_en || E'\x1f' || name_zh) COLLATE "C"));
CREATE INDEX partnership_search_trgm ON partnership USING gin (((title_en || E'\x1f' || title_zh) COLLATE "C") gin_trgm_ops);
CREATE INDEX partnership_search_bigrams ON partnership USING gin (search_bigrams((title_en || E'\x1f' || title_zh) COLLATE "C"));
CREATE INDEX resource_search_trgm ON resource USING gin (((title_en || E'\x1f' || title_zh) COLLATE "C") gin_trgm_ops);
CREATE INDEX resource_search_bigrams ON resource USING gin (search_bigrams((title_en || E'\x1f' || title_zh) COLLATE "C"));
CREATE INDEX skill_search_trgm ON skill USING gin (((code || E'\x1f' || name_en || E'\x1f' || name_zh) COLLATE "C") gin_trgm_ops);
CREATE INDEX skill_search_bigrams ON skill USING gin (search_bigrams((code || E'\x1f' || name_en || E'\x1f' || name_zh) COLLATE "C"));
CREATE INDEX talent_search_trgm ON talent USING gin (((full_name || E'\x1f' || name_zh) COLLATE "C") gin_trgm_ops);
CREATE INDEX talent_search_bigrams ON talent USING gin (search_bigrams((full_name || E'\x1f' || name_zh) COLLATE "C"));

-- The words of the English names and titles, lower-cased, for typo tolerance: a query word
-- is compared with these (a few thousand rows) rather than with every title, and the
-- words found stand in for it in a substring search. Triggers add the words of every
-- new or renamed row; words no longer used stay, which costs nothing but a futile lookup.
CREATE TABLE search_word (word text PRIMARY KEY);
CREATE INDEX search_word_trgm ON search_word USING gin (word gin_trgm_ops);

-- +goose StatementBegin
CREATE FUNCTION search_words(s text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT DISTINCT m[1] FROM regexp_matches(lower(s), '([a-z0-9]{3,})', 'g') AS m
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION search_word_collect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_word (word)
    SELECT DISTINCT w FROM unnest(TG_ARGV) AS c(col), search_words(to_jsonb(NEW) ->> c.col) AS w
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER organization_search_words AFTER INSERT OR UPDATE OF name_en ON organization
    FOR EACH ROW EXECUTE FUNCTION search_word_collect('name_en');
CREATE TRIGGER partnership_search_words AFTER INSERT OR UPDATE OF title_en ON partnership
    FOR EACH ROW EXECUTE FUNCTION search_word_collect('title_en');
CREATE TRIGGER resource_search_words AFTER INSERT OR UPDATE OF title_en ON resource
    FOR EACH ROW EXECUTE FUNCTION search_word_collect('title_en');
CREATE TRIGGER skill_search_words AFTER INSERT OR UPDATE OF code, name_en ON skill
    FOR EACH ROW EXECUTE FUNCTION search_word_collect('code', 'name_en');
CREATE TRIGGER talent_search_words AFTER INSERT OR UPDATE OF full_name ON talent
    FOR EACH ROW EXECUTE FUNCTION search_word_collect('full_name');

INSERT INTO search_word (word)
SELECT search_words(name_en) FROM organization
UNION SELECT search_words(title_en) FROM partnership
UNION SELECT search_words(title_en) FROM resource
UNION SELECT search_words(code) FROM skill
UNION SELECT search_words(name_en) FROM skill
UNION SELECT search_words(full_name) FROM talent;

-- +goose Down
DROP TRIGGER talent_search_words ON talent;
DROP TRIGGER skill_search_words ON skill;
DROP TRIGGER resource_search_words ON resource;
DROP TRIGGER partnership_search_words ON partnership;
DROP TRIGGER organization_search_words ON organization;
DROP FUNCTION search_word_collect();
DROP FUNCTION search_words(text);
DROP TABLE search_word;
DROP INDEX talent_search_bigrams;
DROP INDEX talent_search_trgm;
DROP INDEX skill_search_bigrams;
DROP INDEX skill_search_trgm;
DROP INDEX resource_search_bigrams;
DROP INDEX resource_search_trgm;
DROP INDEX partnership_search_bigrams;
DROP INDEX partnership_search_trgm;
DROP INDEX organization_search_bigrams;
DROP INDEX organization_search_trgm;
DROP FUNCTION search_bigrams(text);
