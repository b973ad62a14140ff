-- +goose Up
-- Search: talents' names and skill codes get the trigram indexes the other searched
-- columns already have, and every searched name or title gets an index of its two-character
-- pieces. Trigram indexes cannot serve a two-character query: '%机床%' yields no trigram, and
-- Chinese words are often two characters long. search_bigrams lists the distinct lower-cased
-- two-character substrings of a text, so "contains q" for a two-character q becomes
-- search_bigrams(col) @> ARRAY[lower(q)], which a GIN index answers.
-- +goose StatementBegin
CREATE FUNCTION search_bigrams(s text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(lower(s), i, 2)), '{}')
    FROM generate_series(1, char_length(s) - 1) AS i
$$;
-- +goose StatementEnd

CREATE INDEX talent_full_name_trgm ON talent USING gin (full_name gin_trgm_ops);
CREATE INDEX talent_name_zh_trgm ON talent USING gin (name_zh gin_trgm_ops);
CREATE INDEX skill_code_trgm ON skill USING gin (code gin_trgm_ops);

CREATE INDEX organization_name_en_bigrams ON organization USING gin (search_bigrams(name_en));
CREATE INDEX organization_name_zh_bigrams ON organization USING gin (search_bigrams(name_zh));
CREATE INDEX partnership_title_en_bigrams ON partnership USING gin (search_bigrams(title_en));
CREATE INDEX partnership_title_zh_bigrams ON partnership USING gin (search_bigrams(title_zh));
CREATE INDEX resource_title_en_bigrams ON resource USING gin (search_bigrams(title_en));
CREATE INDEX resource_title_zh_bigrams ON resource USING gin (search_bigrams(title_zh));
CREATE INDEX talent_full_name_bigrams ON talent USING gin (search_bigrams(full_name));
CREATE INDEX talent_name_zh_bigrams ON talent USING gin (search_bigrams(name_zh));

-- +goose Down
DROP INDEX talent_name_zh_bigrams;
DROP INDEX talent_full_name_bigrams;
DROP INDEX resource_title_zh_bigrams;
DROP INDEX resource_title_en_bigrams;
DROP INDEX partnership_title_zh_bigrams;
DROP INDEX partnership_title_en_bigrams;
DROP INDEX organization_name_zh_bigrams;
DROP INDEX organization_name_en_bigrams;
DROP INDEX skill_code_trgm;
DROP INDEX talent_name_zh_trgm;
DROP INDEX talent_full_name_trgm;
DROP FUNCTION search_bigrams(text);
