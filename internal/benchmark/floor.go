package benchmark

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// floorNested fetches the nested query's data (the same rows and fields as oursNested)
// in one hand-written statement that builds the JSON document inside PostgreSQL: the
// least work the database can do for that answer, and so the floor under which no GraphQL
// server over it can go. Orders, limits and visibility are those of alliance-graph's
// store: members by joining date, each organization's partnerships by signing date
// (unsigned last), participants lead first then by name, resources shared with the whole
// alliance and not withdrawn, by sharing date.
const floorNested = `
SELECT json_build_object('alliance', json_build_object('members', json_build_object('edges',
  COALESCE(json_agg(json_build_object('node', json_build_object('role', m.role, 'organization', org.doc)) ORDER BY m.joined_on, m.id), '[]'))))
FROM (SELECT * FROM membership WHERE alliance_id = $1 ORDER BY joined_on, id LIMIT $2) m
CROSS JOIN LATERAL (
  SELECT json_build_object('name', json_build_object('en', o.name_en), 'partnerships', json_build_object('edges', parts.edges)) AS doc
  FROM organization o
  CROSS JOIN LATERAL (
    SELECT COALESCE(json_agg(json_build_object('node', json_build_object('title', json_build_object('en', p.title_en), 'participants', pps.list))
             ORDER BY p.sort, p.id), '[]') AS edges
    FROM (SELECT p.id, p.title_en, COALESCE(p.signed_on, 'infinity'::date) AS sort
          FROM partnership p JOIN partnership_participant op ON op.partnership_id = p.id
          WHERE op.organization_id = o.id ORDER BY sort, p.id LIMIT 10) p
    CROSS JOIN LATERAL (
      SELECT COALESCE(json_agg(json_build_object('role', pp.role, 'organization', json_build_object(
                 'name', json_build_object('zh', po.name_zh), 'resources', json_build_object('edges', res.edges)))
               ORDER BY array_position(ARRAY['LEAD', 'PARTNER', 'SPONSOR'], pp.role), po.name_en, po.id), '[]') AS list
      FROM partnership_participant pp JOIN organization po ON po.id = pp.organization_id
      CROSS JOIN LATERAL (
        SELECT COALESCE(json_agg(json_build_object('node', json_build_object('category', r.category,
                 'title', json_build_object('en', r.title_en), 'provider', json_build_object('id', r.provider_id)))
                 ORDER BY r.shared_on, r.id), '[]') AS edges
        FROM (SELECT r.category, r.title_en, r.provider_id, r.shared_on, r.id FROM resource r
              WHERE r.provider_id = po.id AND r.withdrawn_on IS NULL AND r.shared_with_all
              ORDER BY r.shared_on, r.id LIMIT 5) r
      ) res
      WHERE pp.partnership_id = p.id
    ) pps
  ) parts
  WHERE o.id = m.organization_id
) org`

// The floors of the page queries. Each builds, in one statement, the JSON document of
// alliance-graph's answer (its field names and nesting; ids are the rows' keys rather
// than global IDs) from the rows its store reads for an anonymous viewer: resources shared
// with the whole alliance and not withdrawn. A page reads one row more than it shows, to
// say whether another follows; its cursor is the last row's sort value and id, as text
// ("value,id"), which the statement takes back as $1 and $2 (NULL for the first page).
//
// orgPage is an organization page by English name: where selects the organizations, node
// adds the fields of each (alias s), field names the root field.
func orgPage(field, where, node string) string {
	return `
WITH page AS (
  SELECT o.* FROM organization o
  WHERE ` + where + ` AND ($1::text IS NULL OR (o.name_en, o.id) > ($1::text, $2::bigint))
  ORDER BY o.name_en, o.id LIMIT 21),
shown AS (SELECT * FROM page ORDER BY name_en, id LIMIT 20)
SELECT json_build_object('` + field + `', json_build_object(
  'totalCount', (SELECT count(*) FROM organization o WHERE ` + where + `),
  'pageInfo', json_build_object('hasNextPage', (SELECT count(*) FROM page) > 20,
    'endCursor', (SELECT s.name_en || ',' || s.id FROM shown s ORDER BY s.name_en DESC, s.id DESC LIMIT 1)),
  'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object('id', s.id,
      'name', json_build_object('en', s.name_en, 'zh', s.name_zh), ` + node + `,
      'partnerships', json_build_object(
        'totalCount', (SELECT count(*) FROM partnership_participant pp WHERE pp.organization_id = s.id),
        'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object('title', json_build_object('en', p.title_en), 'kind', p.kind, 'status', p.status)) ORDER BY p.sort, p.id)
          FROM (SELECT p.id, p.title_en, p.kind, p.status, COALESCE(p.signed_on, 'infinity'::date) AS sort
                FROM partnership p JOIN partnership_participant pp ON pp.partnership_id = p.id
                WHERE pp.organization_id = s.id ORDER BY sort, p.id LIMIT 5) p), '[]'))))
    ORDER BY s.name_en, s.id) FROM shown s), '[]')))`
}

// sqlList is a list of SQL string literals.
func sqlList(values []string) string {
	return "'" + strings.Join(values, "', '") + "'"
}

var (
	floorDirectory = orgPage("organizations", "o.kind = 'SCHOOL' AND o.school_level IN ('TECHNICIAN_COLLEGE', 'HIGHER_VOCATIONAL_COLLEGE')",
		`'level', s.school_level, 'studentCount', s.student_count, 'majors', s.majors`)

	companyNode = `'industry', s.industry,
      'memberships', COALESCE((SELECT json_agg(json_build_object('role', m.role, 'joinedOn', m.joined_on, 'leftOn', m.left_on) ORDER BY m.joined_on, m.id)
        FROM membership m WHERE m.organization_id = s.id), '[]')`
	floorCompanies         = orgPage("organizations", "o.kind = 'COMPANY'", companyNode)
	floorCompaniesIndustry = orgPage("organizations", "o.kind = 'COMPANY' AND o.industry IN ("+sqlList(CompanyIndustries)+")", companyNode)

	floorPartnershipsWhere = "p.kind IN (" + sqlList(PartnershipKinds) + ") AND p.status IN (" + sqlList(PartnershipStatuses) + ")"
	// The list runs newest signing first (unsigned first, as alliance-graph sorts them
	// after every date); the last page comes first, and each earlier page is read in
	// ascending order from the cursor, then shown reversed.
	floorPartnerships = `
WITH page AS (
  SELECT p.id, p.title_en, p.kind, p.status, p.signed_on, COALESCE(p.signed_on, 'infinity'::date) AS sort FROM partnership p
  WHERE ` + floorPartnershipsWhere + ` AND ($1::date IS NULL OR (COALESCE(p.signed_on, 'infinity'::date), p.id) > ($1::date, $2::bigint))
  ORDER BY COALESCE(p.signed_on, 'infinity'::date), p.id LIMIT 11),
shown AS (SELECT * FROM page ORDER BY sort, id LIMIT 10)
SELECT json_build_object('partnerships', json_build_object(
  'totalCount', (SELECT count(*) FROM partnership p WHERE ` + floorPartnershipsWhere + `),
  'pageInfo', json_build_object('hasPreviousPage', (SELECT count(*) FROM page) > 10,
    'startCursor', (SELECT s.sort || ',' || s.id FROM shown s ORDER BY s.sort DESC, s.id DESC LIMIT 1)),
  'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object('id', s.id, 'title', json_build_object('en', s.title_en),
      'kind', s.kind, 'status', s.status, 'signedOn', s.signed_on)) ORDER BY s.sort DESC, s.id DESC) FROM shown s), '[]')))`

	floorJobs = `
WITH page AS (
  SELECT r.* FROM resource r
  WHERE r.category = 'JOB_OPENING' AND r.opening_status = 'OPEN' AND r.shared_with_all AND r.withdrawn_on IS NULL
    AND ($1::date IS NULL OR (r.shared_on, r.id) < ($1::date, $2::bigint))
  ORDER BY r.shared_on DESC, r.id DESC LIMIT 21),
shown AS (SELECT * FROM page ORDER BY shared_on DESC, id DESC LIMIT 20)
SELECT json_build_object('jobOpenings', json_build_object(
  'totalCount', (SELECT count(*) FROM resource r WHERE r.category = 'JOB_OPENING' AND r.opening_status = 'OPEN' AND r.shared_with_all AND r.withdrawn_on IS NULL),
  'pageInfo', json_build_object('hasNextPage', (SELECT count(*) FROM page) > 20,
    'endCursor', (SELECT s.shared_on || ',' || s.id FROM shown s ORDER BY s.shared_on, s.id LIMIT 1)),
  'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object('id', s.id,
      'title', json_build_object('en', s.title_en, 'zh', s.title_zh), 'sharedOn', s.shared_on,
      'positions', s.positions, 'employmentType', s.employment_type,
      'salary', json_build_object('min', s.salary_min, 'max', s.salary_max),
      'provider', (SELECT json_build_object('id', o.id, 'name', json_build_object('en', o.name_en)) FROM organization o WHERE o.id = s.provider_id),
      'requiredSkills', COALESCE((SELECT json_agg(json_build_object('level', rs.level, 'skill', json_build_object('code', k.code, 'name', json_build_object('en', k.name_en)))
          ORDER BY rs.level DESC, k.code) FROM resource_skill rs JOIN skill k ON k.id = rs.skill_id WHERE rs.resource_id = s.id), '[]')))
    ORDER BY s.shared_on DESC, s.id DESC) FROM shown s), '[]')))`

	floorResources = `
WITH page AS (
  SELECT r.* FROM resource r
  WHERE r.category IN ('JOB_OPENING', 'TRAINING_COURSE') AND r.shared_with_all AND r.withdrawn_on IS NULL
    AND ($1::date IS NULL OR (r.shared_on, r.id) < ($1::date, $2::bigint))
  ORDER BY r.shared_on DESC, r.id DESC LIMIT 21),
shown AS (SELECT * FROM page ORDER BY shared_on DESC, id DESC LIMIT 20)
SELECT json_build_object('resources', json_build_object(
  'totalCount', (SELECT count(*) FROM resource r WHERE r.category IN ('JOB_OPENING', 'TRAINING_COURSE') AND r.shared_with_all AND r.withdrawn_on IS NULL),
  'pageInfo', json_build_object('hasNextPage', (SELECT count(*) FROM page) > 20,
    'endCursor', (SELECT s.shared_on || ',' || s.id FROM shown s ORDER BY s.shared_on, s.id LIMIT 1)),
  'edges', COALESCE((SELECT json_agg(json_build_object('node',
      jsonb_build_object('id', s.id, 'category', s.category, 'title', jsonb_build_object('en', s.title_en), 'sharedOn', s.shared_on) ||
      CASE s.category
        WHEN 'JOB_OPENING' THEN jsonb_build_object('positions', s.positions, 'employmentType', s.employment_type, 'status', s.opening_status,
          'salary', jsonb_build_object('min', s.salary_min, 'max', s.salary_max))
        ELSE jsonb_build_object('hours', s.hours, 'seats', s.seats, 'startsOn', s.starts_on, 'endsOn', s.ends_on)
      END) ORDER BY s.shared_on DESC, s.id DESC) FROM shown s), '[]')))`

	floorNode = `
SELECT json_build_object('node', json_build_object('id', o.id, 'name', json_build_object('en', o.name_en, 'zh', o.name_zh),
  'district', o.district, 'foundedYear', o.founded_year))
FROM organization o WHERE o.id = $1`

	floorNodeOpening = `
SELECT json_build_object('node', json_build_object('id', r.id, 'title', json_build_object('en', r.title_en, 'zh', r.title_zh),
  'positions', r.positions, 'status', r.opening_status, 'closesOn', r.closes_on,
  'provider', (SELECT json_build_object('name', json_build_object('en', o.name_en)) FROM organization o WHERE o.id = r.provider_id)))
FROM resource r WHERE r.id = $1 AND r.category = 'JOB_OPENING' AND r.shared_with_all`
)

// FloorDB runs the floor's statements; its answers are documents like alliance-graph's
// data.
type FloorDB struct {
	DB *sql.DB
}

// Document runs one floor statement and returns the document it built.
func (f FloorDB) Document(ctx context.Context, query string, args ...any) ([]byte, error) {
	var doc []byte
	if err := f.DB.QueryRowContext(ctx, query, args...).Scan(&doc); err != nil {
		return nil, fmt.Errorf("floor statement: %w", err)
	}
	return doc, nil
}

// cursorArgs splits a floor cursor ("value,id"; nil for the first page) into the
// statement's $1 and $2. The value may hold commas (a name), the id cannot.
func cursorArgs(cursor any) []any {
	c, ok := cursor.(string)
	if !ok || c == "" {
		return []any{nil, nil}
	}
	i := strings.LastIndexByte(c, ',')
	return []any{c[:i], c[i+1:]}
}

// floorPager fetches the pageInfo of a floor page.
func (f FloorDB) pager(query, field string) pager {
	return func(ctx context.Context, cursor any) (pageInfo, error) {
		doc, err := f.Document(ctx, query, cursorArgs(cursor)...)
		if err != nil {
			return pageInfo{}, err
		}
		var data map[string]struct {
			PageInfo pageInfo `json:"pageInfo"`
		}
		if err := json.Unmarshal(doc, &data); err != nil {
			return pageInfo{}, fmt.Errorf("decode floor page of %s: %w", field, err)
		}
		return data[field].PageInfo, nil
	}
}

// FloorQuery is one floor operation: its statement and the arguments of a request.
type FloorQuery struct {
	SQL  string
	Args func(r *rand.Rand) []any
}

// FloorQueries are the floor's operations (the shared mix's, under the same names),
// with arguments drawn from the same keys as the servers'; the paged ones walk their
// own pages first.
func FloorQueries(ctx context.Context, f FloorDB, fx Fixtures) (map[string]FloorQuery, error) {
	out := map[string]FloorQuery{
		"nested":       {floorNested, func(*rand.Rand) []any { return []any{fx.Alliance, NestedPage} }},
		"node":         {floorNode, func(r *rand.Rand) []any { return []any{oneOf(r, fx.Organizations)} }},
		"node-opening": {floorNodeOpening, func(r *rand.Rand) []any { return []any{oneOf(r, fx.Openings)} }},
	}
	paged := []struct {
		name, sql, field string
		backward         bool
	}{
		{"directory", floorDirectory, "organizations", false},
		{"jobs", floorJobs, "jobOpenings", false},
		{"companies", floorCompanies, "organizations", false},
		{"companies-industry", floorCompaniesIndustry, "organizations", false},
		{"partnerships", floorPartnerships, "partnerships", true},
		{"resources", floorResources, "resources", false},
	}
	for _, p := range paged {
		cursors, err := walkPages(ctx, p.backward, f.pager(p.sql, p.field))
		if err != nil {
			return nil, fmt.Errorf("floor %s: %w", p.name, err)
		}
		out[p.name] = FloorQuery{p.sql, func(r *rand.Rand) []any { return cursorArgs(oneOf(r, cursors)) }}
	}
	return out, nil
}

// FloorOps are the floor's operations: each answer's document straight from PostgreSQL
// through database/sql and lib/pq, as alliance-graph's server reaches it.
func FloorOps(ctx context.Context, f FloorDB, fx Fixtures) (map[string]Op, error) {
	queries, err := FloorQueries(ctx, f, fx)
	if err != nil {
		return nil, err
	}
	ops := map[string]Op{}
	for name, q := range queries {
		ops[name] = Op{Name: name, Do: func(ctx context.Context, r *rand.Rand) error {
			_, err := f.Document(ctx, q.SQL, q.Args(r)...)
			if err != nil {
				return fmt.Errorf("floor %s: %w", name, err)
			}
			return nil
		}}
	}
	return ops, nil
}
