-- The typo-tolerant search's word list (migration 00007) learnt words from talents' names
-- and from the titles of resources shared with named members only. Which words it holds
-- shapes what a misspelt query finds, so it was an oracle for names and hidden titles.
-- It now learns only from text every caller may read: organization names, partnership
-- titles, skills, and the titles of resources shared with the whole alliance. A title
-- shared with everyone once keeps its words after the share narrows: they were public.

-- +goose Up
DROP TRIGGER talent_search_words ON talent;
DROP TRIGGER resource_search_words ON resource;
CREATE TRIGGER resource_search_words AFTER INSERT OR UPDATE OF title_en, shared_with_all ON resource
    FOR EACH ROW WHEN (NEW.shared_with_all) EXECUTE FUNCTION search_word_collect('title_en');

TRUNCATE search_word;
INSERT INTO search_word (word)
SELECT search_words(name_en) FROM organization
UNION SELECT search_words(title_en) FROM partnership
UNION SELECT search_words(title_en) FROM resource WHERE shared_with_all
UNION SELECT search_words(code) FROM skill
UNION SELECT search_words(name_en) FROM skill;

-- +goose Down
DROP TRIGGER resource_search_words ON resource;
CREATE TRIGGER resource_search_words AFTER INSERT OR UPDATE OF title_en ON resource
    FOR EACH ROW EXECUTE FUNCTION search_word_collect('title_en');
CREATE TRIGGER talent_search_words AFTER INSERT OR UPDATE OF full_name ON talent
    FOR EACH ROW EXECUTE FUNCTION search_word_collect('full_name');
INSERT INTO search_word (word)
SELECT search_words(title_en) FROM resource
UNION SELECT search_words(full_name) FROM talent
ON CONFLICT DO NOTHING;
