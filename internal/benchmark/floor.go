package benchmark

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
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
               ORDER BY array_position(ARRAY['LEAD', 'PARTNER', 'SPONSOR'], pp.role), po.name_en COLLATE name_order, po.id), '[]') AS list
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
func orgPage(field, where, node string) pagedFloor {
	return pagedFloor{after: "(o.name_en COLLATE name_order, o.id) > ($1::text, $2::bigint)", sql: `
WITH page AS (
  SELECT o.* FROM organization o
  WHERE ` + where + ` {after}
  ORDER BY o.name_en COLLATE name_order, o.id LIMIT 21),
shown AS (SELECT * FROM page ORDER BY name_en COLLATE name_order, id LIMIT 20)
SELECT json_build_object('` + field + `', json_build_object(
  'totalCount', (SELECT count(*) FROM organization o WHERE ` + where + `),
  'pageInfo', json_build_object('hasNextPage', (SELECT count(*) FROM page) > 20,
    'endCursor', (SELECT s.name_en || ',' || s.id FROM shown s ORDER BY s.name_en COLLATE name_order DESC, s.id DESC LIMIT 1)),
  'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object('id', s.id,
      'name', json_build_object('en', s.name_en, 'zh', s.name_zh), ` + node + `,
      'partnerships', json_build_object(
        'totalCount', (SELECT count(*) FROM partnership_participant pp WHERE pp.organization_id = s.id),
        'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object('title', json_build_object('en', p.title_en), 'kind', p.kind, 'status', p.status)) ORDER BY p.sort, p.id)
          FROM (SELECT p.id, p.title_en, p.kind, p.status, COALESCE(p.signed_on, 'infinity'::date) AS sort
                FROM partnership p JOIN partnership_participant pp ON pp.partnership_id = p.id
                WHERE pp.organization_id = s.id ORDER BY sort, p.id LIMIT 5) p), '[]'))))
    ORDER BY s.name_en COLLATE name_order, s.id) FROM shown s), '[]')))`}
}

// sqlList is a list of SQL string literals.
func sqlList(values []string) string {
	return "'" + strings.Join(values, "', '") + "'"
}

// pagedFloor is a paged floor statement: sql with {after} where the cursor's condition
// goes, after (on $1 and $2), for the pages that follow the first. The first page is a
// statement of its own rather than the same with "$1 IS NULL OR": a prepared statement's
// generic plan could not drop that condition, and would read the list from its start.
type pagedFloor struct {
	sql, after string
}

// page is the statement and arguments of the page at cursor ("value,id", or nil for the
// first page). The value may hold commas (a name), the id cannot.
func (p pagedFloor) page(cursor any) (string, []any) {
	c, ok := cursor.(string)
	if !ok || c == "" {
		return strings.ReplaceAll(p.sql, "{after}", ""), nil
	}
	i := strings.LastIndexByte(c, ',')
	return strings.ReplaceAll(p.sql, "{after}", "AND "+p.after), []any{c[:i], c[i+1:]}
}

// sharedBefore is the keyset condition of resources newest first.
const sharedBefore = "(r.shared_on, r.id) < ($1::date, $2::bigint)"

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
	floorPartnerships = pagedFloor{after: "(COALESCE(p.signed_on, 'infinity'::date), p.id) > ($1::date, $2::bigint)", sql: `
WITH page AS (
  SELECT p.id, p.title_en, p.kind, p.status, p.signed_on, COALESCE(p.signed_on, 'infinity'::date) AS sort FROM partnership p
  WHERE ` + floorPartnershipsWhere + ` {after}
  ORDER BY COALESCE(p.signed_on, 'infinity'::date), p.id LIMIT 11),
shown AS (SELECT * FROM page ORDER BY sort, id LIMIT 10)
SELECT json_build_object('partnerships', json_build_object(
  'totalCount', (SELECT count(*) FROM partnership p WHERE ` + floorPartnershipsWhere + `),
  'pageInfo', json_build_object('hasPreviousPage', (SELECT count(*) FROM page) > 10,
    'startCursor', (SELECT s.sort || ',' || s.id FROM shown s ORDER BY s.sort DESC, s.id DESC LIMIT 1)),
  'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object('id', s.id, 'title', json_build_object('en', s.title_en),
      'kind', s.kind, 'status', s.status, 'signedOn', s.signed_on)) ORDER BY s.sort DESC, s.id DESC) FROM shown s), '[]')))`}

	floorJobs = pagedFloor{after: sharedBefore, sql: `
WITH page AS (
  SELECT r.* FROM resource r
  WHERE r.category = 'JOB_OPENING' AND r.opening_status = 'OPEN' AND r.shared_with_all AND r.withdrawn_on IS NULL
    {after}
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
    ORDER BY s.shared_on DESC, s.id DESC) FROM shown s), '[]')))`}

	floorResources = pagedFloor{after: sharedBefore, sql: `
WITH page AS (
  SELECT r.* FROM resource r
  WHERE r.category IN ('JOB_OPENING', 'TRAINING_COURSE') AND r.shared_with_all AND r.withdrawn_on IS NULL
    {after}
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
      END) ORDER BY s.shared_on DESC, s.id DESC) FROM shown s), '[]')))`}

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

// FloorDB runs the floor's statements, each prepared once (database/sql prepares it again
// on each connection of the pool), as alliance-graph's store prepares its own: the floor
// pays no more planning than the server. Its answers are documents like alliance-graph's
// data.
type FloorDB struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// NewFloorDB runs the floor over db.
func NewFloorDB(db *sql.DB) *FloorDB {
	return &FloorDB{db: db, stmts: map[string]*sql.Stmt{}}
}

// Close closes the prepared statements (not the database).
func (f *FloorDB) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.stmts {
		s.Close()
	}
}

func (f *FloorDB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.stmts[query]; ok {
		return s, nil
	}
	s, err := f.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare floor statement: %w", err)
	}
	f.stmts[query] = s
	return s, nil
}

// Document runs one floor statement and returns the document it built.
func (f *FloorDB) Document(ctx context.Context, query string, args ...any) ([]byte, error) {
	s, err := f.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	var doc []byte
	if err := s.QueryRowContext(ctx, args...).Scan(&doc); err != nil {
		return nil, fmt.Errorf("floor statement: %w", err)
	}
	return doc, nil
}

// pager fetches the pageInfo of a floor page.
func (f *FloorDB) pager(p pagedFloor, field string) pager {
	return func(ctx context.Context, cursor any) (pageInfo, error) {
		query, args := p.page(cursor)
		doc, err := f.Document(ctx, query, args...)
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

// floorRequest is the statement and arguments of one floor request.
type floorRequest func(r *rand.Rand) (string, []any)

// floorPaged are the floor's paged operations, with their root field and direction.
var floorPaged = []struct {
	name     string
	floor    pagedFloor
	field    string
	backward bool
}{
	{"directory", floorDirectory, "organizations", false},
	{"jobs", floorJobs, "jobOpenings", false},
	{"companies", floorCompanies, "organizations", false},
	{"companies-industry", floorCompaniesIndustry, "organizations", false},
	{"partnerships", floorPartnerships, "partnerships", true},
	{"resources", floorResources, "resources", false},
}

// floorRequests are the floor's operations (the shared mix's, under the same names), with
// arguments drawn from the same keys as the servers'; the paged ones walk their own pages
// first.
func floorRequests(ctx context.Context, f *FloorDB, fx Fixtures) (map[string]floorRequest, error) {
	fixed := func(query string, args func(r *rand.Rand) []any) floorRequest {
		return func(r *rand.Rand) (string, []any) { return query, args(r) }
	}
	out := map[string]floorRequest{
		"nested":       fixed(floorNested, func(*rand.Rand) []any { return []any{fx.Alliance, NestedPage} }),
		"node":         fixed(floorNode, func(r *rand.Rand) []any { return []any{oneOf(r, fx.Organizations)} }),
		"node-opening": fixed(floorNodeOpening, func(r *rand.Rand) []any { return []any{oneOf(r, fx.Openings)} }),
	}
	for _, p := range floorPaged {
		cursors, err := walkPages(ctx, p.backward, f.pager(p.floor, p.field))
		if err != nil {
			return nil, fmt.Errorf("floor %s: %w", p.name, err)
		}
		out[p.name] = func(r *rand.Rand) (string, []any) { return p.floor.page(oneOf(r, cursors)) }
	}
	return out, nil
}

// FloorOps are the floor's operations: each answer's document straight from PostgreSQL
// through database/sql and lib/pq, as alliance-graph's server reaches it.
func FloorOps(ctx context.Context, f *FloorDB, fx Fixtures) (map[string]Op, error) {
	requests, err := floorRequests(ctx, f, fx)
	if err != nil {
		return nil, err
	}
	ops := map[string]Op{}
	for name, request := range requests {
		ops[name] = Op{Name: name, Do: func(ctx context.Context, r *rand.Rand) error {
			query, args := request(r)
			if _, err := f.Document(ctx, query, args...); err != nil {
				return fmt.Errorf("floor %s: %w", name, err)
			}
			return nil
		}}
	}
	return ops, nil
}
