-- +goose Up
-- The directory filters organizations by kind and by a kind's own field (a school's level,
-- a company's industry) and counts the matches for totalCount. Without an index that
-- count read every organization row: 7 ms for 2,300 matching schools among 14,200
-- organizations (100 times the demo), against 0.5 ms as an index-only scan of this one.
CREATE INDEX organization_kind_level_industry ON organization (kind, school_level, industry);

-- +goose Down
DROP INDEX organization_kind_level_industry;
