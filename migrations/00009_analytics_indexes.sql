-- +goose Up
-- Dashboard aggregates (Query.analytics) read every resource of an alliance. Narrow
-- covering indexes let them read index entries instead of the wide resource rows.

-- Resources by category: category with the days that place a resource in a period,
-- read in category order, so the grouping needs no hash.
CREATE INDEX resource_alliance_category ON resource (alliance_id, category) INCLUDE (shared_on, withdrawn_on);

-- Jobs by month: openings by day with their positions, and their ids for the
-- placements made to them.
CREATE INDEX resource_alliance_openings ON resource (alliance_id, shared_on) INCLUDE (id, positions)
    WHERE category = 'JOB_OPENING';

-- +goose Down
DROP INDEX resource_alliance_openings;
DROP INDEX resource_alliance_category;
