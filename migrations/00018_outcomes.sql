-- +goose Up
-- Employment outcomes (issue 14, point 7): what the city judges the alliance on needs the
-- major a talent studied and the salary agreed at each hire.

-- The major studied at the talent's school. The change service accepts only one of the
-- school's majors (organization.majors) when the major or the school is written; a
-- school dropping a major later leaves its former students' majors as they were.
ALTER TABLE talent ADD COLUMN major text CHECK (length(major) BETWEEN 1 AND 200);

-- The monthly salary in CNY agreed at hire, given when a placement becomes HIRED. The
-- bound is change.maxStartingSalary's: anything above it is a typing error.
ALTER TABLE placement ADD COLUMN starting_salary integer CHECK (starting_salary BETWEEN 1 AND 200000),
    ADD CONSTRAINT placement_salary_hired CHECK (starting_salary IS NULL OR status = 'HIRED');

-- The one definition of "hired through an order class or apprenticeship": the order class
-- or apprenticeship of the alliance in which both the hiring provider and the talent's
-- school take part, signed on or before the hire date and not ended before it; the latest
-- signed when several qualify (then the lowest id). Participants are those that accepted
-- (partnership_participant, migration 00014); a proposal is never signed, so it never
-- qualifies. Employment outcomes and Placement.hiredThrough both call it.
--
-- A SQL function rather than a view: it is not STRICT and has one SELECT, so PostgreSQL
-- inlines it into a LATERAL join and probes the provider's partnerships per hire, where a
-- view choosing one partnership per placement would be computed for every placement.
-- +goose StatementBegin
CREATE FUNCTION hire_partnership(hire_provider bigint, talent_school bigint, hire_alliance bigint, hire_day date)
RETURNS TABLE (partnership_id bigint, partnership_kind text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.id, p.kind
    FROM partnership_participant c
    JOIN partnership p ON p.id = c.partnership_id
    JOIN partnership_participant s ON s.partnership_id = p.id AND s.organization_id = talent_school
    WHERE c.organization_id = hire_provider AND p.alliance_id = hire_alliance
        AND p.kind IN ('ORDER_CLASS', 'APPRENTICESHIP')
        AND p.signed_on <= hire_day AND (p.ends_on IS NULL OR p.ends_on >= hire_day)
    ORDER BY p.signed_on DESC, p.id
    LIMIT 1
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION hire_partnership(bigint, bigint, bigint, date);
ALTER TABLE placement DROP CONSTRAINT placement_salary_hired, DROP COLUMN starting_salary;
ALTER TABLE talent DROP COLUMN major;
