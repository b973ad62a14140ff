-- +goose Up
-- The dashboard's jobs by month counts every application and hire of an alliance: read
-- from placement, that is 173,000 rows and 120 ms at scale 100 each time a change makes
-- the cached figures stale. job_day keeps, per alliance and day, the applications made
-- and the hires made that day, kept exact by the triggers below in the transaction of
-- each write: a month is then the sum of thirty rows at most.
CREATE TABLE job_day (
    alliance_id  bigint NOT NULL REFERENCES alliance (id) ON DELETE CASCADE,
    day          date NOT NULL,
    applications integer NOT NULL,
    placements   integer NOT NULL,
    PRIMARY KEY (alliance_id, day)
);

-- Statement-level, over the transition tables, like the talent supply of 00008: the demo
-- at scale 100 copies 173,000 placements in one statement. A statement's changes are
-- netted per alliance and day first, so a status change that moves no day writes
-- nothing, and applied in key order, so that concurrent writers lock shared days in the
-- same order. A placement's alliance is its opening's, which never changes.
-- +goose StatementBegin
CREATE FUNCTION job_day_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO job_day AS d (alliance_id, day, applications, placements)
        SELECT r.alliance_id, c.day, sum(c.applications), sum(c.placements)
        FROM (SELECT opening_id, applied_on AS day, 1 AS applications, 0 AS placements FROM new_rows
            UNION ALL SELECT opening_id, hired_on, 0, 1 FROM new_rows WHERE hired_on IS NOT NULL) c
        JOIN resource r ON r.id = c.opening_id
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (alliance_id, day) DO UPDATE
            SET applications = d.applications + EXCLUDED.applications, placements = d.placements + EXCLUDED.placements;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO job_day AS d (alliance_id, day, applications, placements)
        SELECT r.alliance_id, c.day, sum(c.applications), sum(c.placements)
        FROM (SELECT opening_id, applied_on AS day, 1 AS applications, 0 AS placements FROM new_rows
            UNION ALL SELECT opening_id, hired_on, 0, 1 FROM new_rows WHERE hired_on IS NOT NULL
            UNION ALL SELECT opening_id, applied_on, -1, 0 FROM old_rows
            UNION ALL SELECT opening_id, hired_on, 0, -1 FROM old_rows WHERE hired_on IS NOT NULL) c
        JOIN resource r ON r.id = c.opening_id
        GROUP BY 1, 2 HAVING sum(c.applications) <> 0 OR sum(c.placements) <> 0 ORDER BY 1, 2
        ON CONFLICT (alliance_id, day) DO UPDATE
            SET applications = d.applications + EXCLUDED.applications, placements = d.placements + EXCLUDED.placements;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE job_day d SET applications = d.applications - c.applications, placements = d.placements - c.placements
        FROM (SELECT r.alliance_id, c.day, sum(c.applications) AS applications, sum(c.placements) AS placements
            FROM (SELECT opening_id, applied_on AS day, 1 AS applications, 0 AS placements FROM old_rows
                UNION ALL SELECT opening_id, hired_on, 0, 1 FROM old_rows WHERE hired_on IS NOT NULL) c
            JOIN resource r ON r.id = c.opening_id
            GROUP BY 1, 2) c
        WHERE d.alliance_id = c.alliance_id AND d.day = c.day;
    ELSE -- TRUNCATE
        DELETE FROM job_day;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER job_day_insert AFTER INSERT ON placement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_day_follow();
CREATE TRIGGER job_day_update AFTER UPDATE ON placement
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_day_follow();
CREATE TRIGGER job_day_delete AFTER DELETE ON placement
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION job_day_follow();
CREATE TRIGGER job_day_truncate AFTER TRUNCATE ON placement
    FOR EACH STATEMENT EXECUTE FUNCTION job_day_follow();

INSERT INTO job_day (alliance_id, day, applications, placements)
SELECT r.alliance_id, c.day, sum(c.applications), sum(c.placements)
FROM (SELECT opening_id, applied_on AS day, 1 AS applications, 0 AS placements FROM placement
    UNION ALL SELECT opening_id, hired_on, 0, 1 FROM placement WHERE hired_on IS NOT NULL) c
JOIN resource r ON r.id = c.opening_id
GROUP BY 1, 2;

-- +goose Down
DROP TRIGGER job_day_truncate ON placement;
DROP TRIGGER job_day_delete ON placement;
DROP TRIGGER job_day_update ON placement;
DROP TRIGGER job_day_insert ON placement;
DROP FUNCTION job_day_follow();
DROP TABLE job_day;
