package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

// coveragePage is the page size every generated connection field asks for.
const coveragePage = 3

// coverageMaxQuery bounds the text of one generated query; deeper selections are cut
// back a level at a time until the query fits. node's query at depth 1 spreads every
// Node type with all its fields, so the bound grows with the schema; the test server
// reads that many tokens (coverageMaxTokens).
const coverageMaxQuery = 60000

// coverageMaxTokens is the test server's token limit, above what coverageMaxQuery holds.
const coverageMaxTokens = 30_000

// coverageMaxDepth is how many levels of object fields a generated selection descends.
const coverageMaxDepth = 3

// coverageCase names a concrete Node type and the rows of the demo data to fetch as
// that type: each SQL statement returns row keys, richest in related rows first.
type coverageCase struct {
	typename string
	idType   relay.Type
	picks    []string // each must find a row
	optional []string // rows worth covering that the demo data may not have
}

// orgPicks chooses organizations of one kind: the one in most partnerships, the one
// sharing most resources, and the one with most related rows of any kind.
func orgPicks(kind string) []string {
	related := `(SELECT count(*) FROM partnership_participant p WHERE p.organization_id = o.id)
		+ (SELECT count(*) FROM resource r WHERE r.provider_id = o.id)
		+ (SELECT count(*) FROM talent t WHERE t.school_id = o.id OR t.employer_id = o.id)
		+ (SELECT count(*) FROM organization c WHERE c.park_id = o.id)
		+ (SELECT count(*) FROM training_center c WHERE c.operator_id = o.id)
		+ (SELECT count(*) FROM training_center_link l WHERE l.organization_id = o.id)
		+ (SELECT count(*) FROM membership m WHERE m.organization_id = o.id)`
	return []string{
		fmt.Sprintf(`SELECT o.id FROM organization o WHERE o.kind = '%s'
			ORDER BY (SELECT count(*) FROM partnership_participant p WHERE p.organization_id = o.id) DESC, o.id LIMIT 1`, kind),
		fmt.Sprintf(`SELECT o.id FROM organization o WHERE o.kind = '%s'
			ORDER BY (SELECT count(*) FROM resource r WHERE r.provider_id = o.id) DESC, o.id LIMIT 1`, kind),
		fmt.Sprintf(`SELECT o.id FROM organization o WHERE o.kind = '%s' ORDER BY %s DESC, o.id LIMIT 1`, kind, related),
	}
}

// resourceCase chooses resources of one category: those with most rows hanging off them
// (by the given scores), and, where the demo data has them, one in a training centre and
// the one shared with most named members (shared_with_all = false).
func resourceCase(typename, category string, scores ...string) coverageCase {
	c := coverageCase{typename: typename, idType: relay.TypeResource}
	for _, score := range scores {
		c.picks = append(c.picks, fmt.Sprintf(`SELECT r.id FROM resource r WHERE r.category = '%s' ORDER BY %s DESC, r.id LIMIT 1`, category, score))
	}
	c.optional = []string{
		fmt.Sprintf(`SELECT r.id FROM resource r WHERE r.category = '%s' AND r.training_center_id IS NOT NULL ORDER BY r.id LIMIT 1`, category),
		fmt.Sprintf(`SELECT r.id FROM resource r WHERE r.category = '%s' AND NOT r.shared_with_all
			ORDER BY (SELECT count(*) FROM resource_share s WHERE s.resource_id = r.id) DESC, r.id LIMIT 1`, category),
	}
	return c
}

var coverageCases = []coverageCase{
	{typename: "Alliance", idType: relay.TypeAlliance, picks: []string{
		`SELECT a.id FROM alliance a ORDER BY (SELECT count(*) FROM membership m WHERE m.alliance_id = a.id) DESC, a.id LIMIT 2`,
	}},
	{typename: "School", idType: relay.TypeOrganization, picks: append(orgPicks("SCHOOL"),
		`SELECT school_id FROM talent WHERE school_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)},
	{typename: "Company", idType: relay.TypeOrganization, picks: append(orgPicks("COMPANY"),
		`SELECT employer_id FROM talent WHERE employer_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
		`SELECT o.id FROM organization o WHERE o.kind = 'COMPANY' AND o.park_id IS NOT NULL
			ORDER BY (SELECT count(*) FROM resource r WHERE r.provider_id = o.id AND r.category = 'JOB_OPENING') DESC, o.id LIMIT 1`)},
	{typename: "GovernmentAgency", idType: relay.TypeOrganization, picks: orgPicks("GOVERNMENT_AGENCY")},
	{typename: "IndustrialPark", idType: relay.TypeOrganization, picks: append(orgPicks("INDUSTRIAL_PARK"),
		`SELECT park_id FROM organization WHERE park_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)},
	{typename: "Membership", idType: relay.TypeMembership, picks: []string{
		`SELECT id FROM membership ORDER BY joined_on, id LIMIT 1`,
		`SELECT id FROM membership WHERE left_on IS NOT NULL ORDER BY id LIMIT 1`,
	}},
	{typename: "Partnership", idType: relay.TypePartnership, picks: []string{
		`SELECT partnership_id FROM partnership_participant GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
		`SELECT id FROM partnership WHERE signed_on IS NULL ORDER BY id LIMIT 1`,
		`SELECT id FROM partnership WHERE ends_on IS NOT NULL ORDER BY id LIMIT 1`,
	}},
	{typename: "TrainingCenter", idType: relay.TypeTrainingCenter, picks: []string{
		`SELECT c.id FROM training_center c ORDER BY
			(SELECT count(*) FROM resource r WHERE r.training_center_id = c.id)
			+ (SELECT count(*) FROM training_center_link l WHERE l.training_center_id = c.id) DESC, c.id LIMIT 2`,
	}},
	resourceCase("TrainingFacility", "TRAINING_FACILITY",
		`(SELECT count(*) FROM resource c WHERE c.facility_id = r.id)`),
	resourceCase("JobOpening", "JOB_OPENING",
		`(SELECT count(*) FROM placement p WHERE p.opening_id = r.id)`,
		`(SELECT count(*) FROM resource_skill s WHERE s.resource_id = r.id)`),
	resourceCase("Teacher", "TEACHER",
		`(SELECT count(*) FROM course_teacher ct WHERE ct.teacher_id = r.id)`,
		`(SELECT count(*) FROM resource_skill s WHERE s.resource_id = r.id)`),
	resourceCase("TrainingCourse", "TRAINING_COURSE",
		`(SELECT count(*) FROM course_teacher ct WHERE ct.course_id = r.id)`,
		`(r.facility_id IS NOT NULL)::int * 100 + (SELECT count(*) FROM resource_skill s WHERE s.resource_id = r.id)`),
	resourceCase("CompetitionResult", "COMPETITION_RESULT",
		`(r.talent_id IS NOT NULL)::int + (r.skill_id IS NOT NULL)::int`),
	{typename: "Skill", idType: relay.TypeSkill, picks: []string{
		`SELECT parent_id FROM skill WHERE parent_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
		`SELECT s.id FROM skill s WHERE s.parent_id IS NOT NULL ORDER BY
			(SELECT count(*) FROM resource_skill r WHERE r.skill_id = s.id)
			+ (SELECT count(*) FROM talent_skill t WHERE t.skill_id = s.id) DESC, s.id LIMIT 1`,
	}},
	{typename: "Talent", idType: relay.TypeTalent, picks: []string{
		`SELECT t.id FROM talent t ORDER BY
			(SELECT count(*) FROM resource r WHERE r.talent_id = t.id)
			+ (SELECT count(*) FROM placement p WHERE p.talent_id = t.id)
			+ (SELECT count(*) FROM enrollment e WHERE e.talent_id = t.id)
			+ (SELECT count(*) FROM talent_skill s WHERE s.talent_id = t.id) DESC, t.id LIMIT 1`,
		`SELECT talent_id FROM resource WHERE talent_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
		`SELECT t.id FROM talent t WHERE t.school_id IS NOT NULL AND t.employer_id IS NOT NULL
			ORDER BY (SELECT count(*) FROM placement p WHERE p.talent_id = t.id) DESC, t.id LIMIT 1`,
	}},
	{typename: "Event", idType: relay.TypeEvent, picks: []string{
		`SELECT id FROM event WHERE alliance_id IS NOT NULL ORDER BY id LIMIT 1`,
	}},
	{typename: "FacilityBooking", idType: relay.TypeBooking, picks: []string{
		`SELECT id FROM facility_booking WHERE trainees IS NOT NULL ORDER BY id LIMIT 1`,
	}},
	{typename: "Secondment", idType: relay.TypeSecondment, picks: []string{
		`SELECT id FROM secondment WHERE decision_note IS NOT NULL ORDER BY id LIMIT 1`,
		`SELECT id FROM secondment WHERE cancelled_at IS NOT NULL ORDER BY id LIMIT 1`,
	}},
	{typename: "Enrollment", idType: relay.TypeEnrollment, picks: []string{
		`SELECT e.id FROM enrollment e JOIN certificate c ON c.enrollment_id = e.id WHERE e.score IS NOT NULL ORDER BY e.id LIMIT 1`,
		`SELECT id FROM enrollment WHERE state = 'DROPPED' ORDER BY id LIMIT 1`,
		`SELECT id FROM enrollment WHERE state = 'WAITLISTED' ORDER BY id LIMIT 1`,
	}},
	{typename: "Certificate", idType: relay.TypeCertificate, picks: []string{
		`SELECT id FROM certificate ORDER BY id LIMIT 1`,
	}},
	{typename: "Competition", idType: relay.TypeCompetition, picks: []string{
		`SELECT c.id FROM competition c ORDER BY (SELECT count(*) FROM resource r WHERE r.competition_id = c.id) DESC, c.held_on DESC, c.id LIMIT 1`,
		`SELECT c.id FROM competition c ORDER BY (SELECT count(*) FROM competition_registration g WHERE g.competition_id = c.id) DESC, c.id LIMIT 1`,
	}, optional: []string{
		`SELECT id FROM competition WHERE organizer_id IS NOT NULL AND venue_en IS NOT NULL AND registration_deadline IS NOT NULL ORDER BY id LIMIT 1`,
		`SELECT competition_id FROM competition_skill GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
	}},
	// The rows coverageRegistrations writes when the demo has none.
	{typename: "CompetitionRegistration", idType: relay.TypeRegistration, picks: []string{
		`SELECT id FROM competition_registration WHERE state = 'REGISTERED' ORDER BY skill_id IS NULL, id LIMIT 1`,
	}, optional: []string{
		`SELECT id FROM competition_registration WHERE state = 'WITHDRAWN' ORDER BY id LIMIT 1`,
	}},
	{typename: "Placement", idType: relay.TypePlacement, picks: []string{
		`SELECT id FROM placement WHERE status = 'HIRED' ORDER BY id LIMIT 1`,
		`SELECT id FROM placement WHERE status <> 'HIRED' ORDER BY id LIMIT 1`,
	}},
}

// TestEveryFieldOfEveryTypeResolves builds, from the schema itself, a query selecting every
// field of every concrete Node type and of every root Query field, descending up to three
// levels (fewer where the query text would pass coverageMaxQuery), runs them over HTTP
// against rows of the demo data rich in related rows, and checks that nothing errors, no
// non-null field comes back null, every connection's first page is consistent, and that
// together the queries returned every field of every object type.
func TestEveryFieldOfEveryTypeResolves(t *testing.T) {
	src, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gqlErr != nil {
		t.Fatalf("load schema: %v", gqlErr)
	}

	// Every concrete Node type must have a case, so that a type added to the schema
	// without one fails here.
	var nodeTypes []string
	for _, def := range schema.GetPossibleTypes(schema.Types["Node"]) {
		if def.Kind == ast.Object {
			nodeTypes = append(nodeTypes, def.Name)
		}
	}
	var caseTypes []string
	for _, c := range coverageCases {
		caseTypes = append(caseTypes, c.typename)
	}
	slices.Sort(nodeTypes)
	slices.Sort(caseTypes)
	if !slices.Equal(nodeTypes, caseTypes) {
		t.Fatalf("Node is implemented by %v but the cases cover %v", nodeTypes, caseTypes)
	}

	// The demo has no events; record one as a mutation would.
	var org int64
	if err := testDB.DB.Get(&org, "SELECT organization_id FROM membership ORDER BY id LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := testDB.DB.Exec(`INSERT INTO event (alliance_id, kind, subject_id, actor, actor_role, payload)
		SELECT id, 'ORGANIZATION_UPDATED', $1, 'coverage', 'ADMIN', '{"version": 2}' FROM alliance ORDER BY id LIMIT 1`,
		relay.ID(relay.TypeOrganization, org)); err != nil {
		t.Fatal(err)
	}

	coverageRegistrations(t)

	// Pick the rows first: nodes(ids:) asks for one of each type at once.
	ids := map[string][]string{}
	var firstIDs []string // one of each type
	for _, c := range coverageCases {
		ids[c.typename] = pickIDs(t, c)
		firstIDs = append(firstIDs, ids[c.typename][0])
	}
	var code string
	if err := testDB.DB.Get(&code, `SELECT s.code FROM skill s ORDER BY (SELECT count(*) FROM skill c WHERE c.parent_id = s.id) DESC, s.id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	quoted := make([]string, len(firstIDs))
	for i, id := range firstIDs {
		quoted[i] = gqlString(id)
	}
	// The hub of the partnership network and one of its partners' partners.
	var hub, reached int64
	if err := testDB.DB.Get(&hub, `SELECT organization_id FROM partnership_participant GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if err := testDB.DB.Get(&reached, `SELECT c.organization_id FROM partnership_participant a
		JOIN partnership_participant b ON b.partnership_id = a.partnership_id
		JOIN partnership_participant x ON x.organization_id = b.organization_id
		JOIN partnership_participant c ON c.partnership_id = x.partnership_id
		WHERE a.organization_id = $1 AND c.organization_id NOT IN (SELECT y.organization_id FROM partnership_participant y
			JOIN partnership_participant z ON z.partnership_id = y.partnership_id WHERE z.organization_id = $1)
		ORDER BY 1 LIMIT 1`, hub); err != nil {
		t.Fatal(err)
	}
	// Values for the root fields' required arguments, from the demo data.
	required := map[string]string{
		"Query.path.from":       gqlString(relay.ID(relay.TypeOrganization, hub)),
		"Query.path.to":         gqlString(relay.ID(relay.TypeOrganization, reached)),
		"Query.neighborhood.of": gqlString(relay.ID(relay.TypeOrganization, hub)),
		"Query.node.id":         quoted[0],
		"Query.nodes.ids":       "[" + strings.Join(quoted, ", ") + "]",
		"Query.skill.code":      gqlString(code),
		"Query.search.query":    gqlString(code),
	}
	// A facility's calendar is read in a window: the demo's class meetings lie in the
	// coming weeks.
	from, to := gqlString(demoDay.Format(time.RFC3339)), gqlString(demoDay.Add(60*24*time.Hour).Format(time.RFC3339))
	for _, f := range []string{"bookings", "availability", "utilization"} {
		required["TrainingFacility."+f+".from"], required["TrainingFacility."+f+".to"] = from, to
	}
	// The alliance's calendar, over the year's competitions and the coming weeks' meetings.
	required["Query.calendar.from"], required["Query.calendar.to"] = gqlString(demoDay.Add(-300*24*time.Hour).Format(time.RFC3339)), to

	// Every field at once makes wide queries: their cost is the limits' tests' business.
	ts := startConfiguredServer(t, testDB, func(c *server.Config) {
		c.Limits.MaxComplexity, c.Limits.MaxComplexityMember, c.Limits.MaxComplexityAnalyst, c.Limits.MaxComplexityAdmin = -1, -1, -1, -1
		c.Limits.MaxTokens = coverageMaxTokens
	})
	cov := &coverageTotals{covered: map[string]bool{}, populated: map[string]bool{}}
	var rootFields []*ast.FieldDefinition
	for _, f := range schema.Query.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			rootFields = append(rootFields, f)
		}
	}
	// Runs once every (parallel) subtest is done.
	t.Cleanup(func() { cov.check(t, schema, len(coverageCases)+len(rootFields)) })

	for _, c := range coverageCases {
		t.Run(c.typename, func(t *testing.T) {
			t.Parallel()
			w := newCoverageWalker(t, schema)
			for _, id := range ids[c.typename] {
				b := &selectionBuilder{schema: schema, required: required}
				var root *selection
				q := fitQuery(t, func(depth int) *selection {
					fields, _ := b.ofType(schema.Types[c.typename], depth)
					root = &selection{
						name:   "node",
						args:   fmt.Sprintf("(id: %s)", gqlString(id)),
						fields: []*selection{{name: "__typename"}},
						frags:  []fragment{{on: c.typename, fields: fields}},
					}
					return root
				}, b)
				data := runCoverageQuery(t, ts, q)
				node, _ := data["node"].(map[string]any)
				if node == nil {
					t.Fatalf("node(id: %q) is null\nquery: %s", id, q)
				}
				if got := node["__typename"]; got != c.typename {
					t.Fatalf("node(id: %q).__typename = %v, want %s", id, got, c.typename)
				}
				if got := node["id"]; got != id {
					t.Errorf("node(id: %q).id = %v", id, got)
				}
				w.field("", schema.Query, root, data)
			}
			cov.add(w)
		})
	}

	// Every root field, those with required arguments given values from the demo data.
	for _, f := range rootFields {
		t.Run("Query."+f.Name, func(t *testing.T) {
			t.Parallel()
			w := newCoverageWalker(t, schema)
			b := &selectionBuilder{schema: schema, required: required}
			var root *selection
			q := fitQuery(t, func(depth int) *selection {
				root = b.field(schema.Query, f, depth+1, false)
				return root
			}, b)
			data := runCoverageQuery(t, ts, q)
			if data[f.Name] == nil {
				t.Fatalf("%s is null\nquery: %s", f.Name, q)
			}
			w.field("", schema.Query, root, data)
			cov.add(w)
		})
	}
}

// coverageTotals gathers what the subtests' walkers saw.
type coverageTotals struct {
	mu          sync.Mutex
	subtests    int
	connections int
	covered     map[string]bool
	populated   map[string]bool
}

func (c *coverageTotals) add(w *coverageWalker) {
	if w.t.Failed() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subtests++
	c.connections += w.connections
	for k := range w.covered {
		c.covered[k] = true
	}
	for k := range w.populated {
		c.populated[k] = true
	}
}

// check asserts that every field of every object type was selected and returned by one
// of the want subtests; it says nothing when some of them failed or did not run.
func (c *coverageTotals) check(t *testing.T, schema *ast.Schema, want int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subtests != want {
		return
	}
	var missed, empty []string
	total := 0
	readable := reachableFromQuery(schema)
	for _, name := range sortedTypeNames(schema) {
		def := schema.Types[name]
		// Types only mutations and subscriptions reach have tests of their own.
		if def.Kind != ast.Object || strings.HasPrefix(name, "__") || !readable[name] {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			total++
			key := name + "." + f.Name
			if !c.covered[key] {
				missed = append(missed, key)
			} else if !c.populated[key] {
				empty = append(empty, key)
			}
		}
	}
	if len(missed) > 0 {
		t.Errorf("fields never selected or never returned: %v", missed)
	}
	t.Logf("%d of %d fields of object types resolved, %d connections checked; %d fields never held a value or a non-empty list in the chosen rows: %v",
		total-len(missed), total, c.connections, len(empty), empty)
}

// coverageRegistrations enters two talents in the latest edition, one withdrawn since,
// when the demo data holds no entries in competitions, so that every field of
// CompetitionRegistration has a row to come from.
func coverageRegistrations(t *testing.T) {
	t.Helper()
	if _, err := testDB.DB.Exec(`INSERT INTO competition_registration (competition_id, talent_id, organization_id, skill_id, state, registered_by, withdrawn_at)
		SELECT (SELECT id FROM competition ORDER BY held_on DESC, id LIMIT 1), t.id, t.school_id, (SELECT id FROM skill ORDER BY id LIMIT 1),
			CASE WHEN row_number() OVER (ORDER BY t.id) = 1 THEN 'REGISTERED' ELSE 'WITHDRAWN' END, 'coverage',
			CASE WHEN row_number() OVER (ORDER BY t.id) = 1 THEN NULL ELSE now() END
		FROM talent t WHERE t.school_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM competition_registration)
		ORDER BY t.id LIMIT 2`); err != nil {
		t.Fatal(err)
	}
}

// reachableFromQuery lists the types a query can return: those reached from Query
// through fields and interface implementations.
func reachableFromQuery(schema *ast.Schema) map[string]bool {
	seen := map[string]bool{}
	var visit func(def *ast.Definition)
	visit = func(def *ast.Definition) {
		if def == nil || seen[def.Name] {
			return
		}
		seen[def.Name] = true
		for _, f := range def.Fields {
			visit(schema.Types[f.Type.Name()])
		}
		for _, impl := range schema.GetPossibleTypes(def) {
			visit(impl)
		}
	}
	visit(schema.Query)
	return seen
}

func sortedTypeNames(schema *ast.Schema) []string {
	names := make([]string, 0, len(schema.Types))
	for name := range schema.Types {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// pickIDs runs a case's SQL and returns the distinct global IDs it picks.
func pickIDs(t *testing.T, c coverageCase) []string {
	t.Helper()
	var ids []string
	for i, q := range append(slices.Clip(c.picks), c.optional...) {
		var keys []int64
		if err := testDB.DB.Select(&keys, q); err != nil {
			t.Fatalf("pick %q: %v", q, err)
		}
		if len(keys) == 0 && i < len(c.picks) {
			t.Errorf("%s: the demo data has no row for %q", c.typename, q)
		}
		for _, k := range keys {
			if id := relay.ID(c.idType, k); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		t.Fatalf("no %s rows picked", c.typename)
	}
	return ids
}

func gqlString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// fitQuery renders the selection build makes at the deepest depth whose query text fits
// under coverageMaxQuery, never going below depth 1 (so every field of the top type is in).
func fitQuery(t *testing.T, build func(depth int) *selection, b *selectionBuilder) string {
	t.Helper()
	var q string
	for depth := coverageMaxDepth; depth >= 1; depth-- {
		root := build(depth)
		if b.err != nil {
			t.Fatal(b.err)
		}
		var sb strings.Builder
		sb.WriteString("{ ")
		root.render(&sb)
		sb.WriteString(" }")
		q = sb.String()
		if len(q) <= coverageMaxQuery {
			t.Logf("depth %d, %d characters", depth, len(q))
			return q
		}
	}
	t.Fatalf("even at depth 1 the query has %d characters", len(q))
	return ""
}

// runCoverageQuery posts q as ADMIN, who may see every field, and returns its data,
// failing on any error.
func runCoverageQuery(t *testing.T, ts *testServer, q string) map[string]any {
	t.Helper()
	r := ts.queryAs(t, admin, q, nil)
	if r.Status != http.StatusOK {
		t.Errorf("HTTP status %d, want 200", r.Status)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("query failed: %+v\nquery: %s", r.Errors, q)
	}
	var data map[string]any
	if err := json.Unmarshal(r.Data, &data); err != nil || data == nil {
		t.Fatalf("decode data %.200s: %v", r.Data, err)
	}
	return data
}

// selection is one field of a generated query, kept as a tree so that the response can
// be walked alongside it.
type selection struct {
	name   string
	alias  string // set inside fragments, where fields of different types may share a name
	args   string
	fields []*selection
	frags  []fragment
	conn   bool // a connection: its first page gets checked
}

// fragment is an inline fragment on a concrete type below an abstract one.
type fragment struct {
	on     string
	fields []*selection
}

func (s *selection) key() string {
	if s.alias != "" {
		return s.alias
	}
	return s.name
}

func (s *selection) render(sb *strings.Builder) {
	if s.alias != "" {
		sb.WriteString(s.alias + ": ")
	}
	sb.WriteString(s.name + s.args)
	if len(s.fields) == 0 && len(s.frags) == 0 {
		return
	}
	sb.WriteString(" {")
	for _, f := range s.fields {
		sb.WriteByte(' ')
		f.render(sb)
	}
	for _, fr := range s.frags {
		sb.WriteString(" ... on " + fr.on + " {")
		for _, f := range fr.fields {
			sb.WriteByte(' ')
			f.render(sb)
		}
		sb.WriteString(" }")
	}
	sb.WriteString(" }")
}

// selectionBuilder makes selections from the schema.
type selectionBuilder struct {
	schema   *ast.Schema
	required map[string]string // "Type.field.arg" -> literal, for required arguments
	err      error
}

// ofType selects __typename, every scalar field and every field whose type holds only
// scalars, and, while depth > 0, every other field one level down. For an abstract type
// it adds a fragment per implementation with the fields the abstract type lacks.
func (b *selectionBuilder) ofType(def *ast.Definition, depth int) ([]*selection, []fragment) {
	fields := []*selection{{name: "__typename"}}
	for _, f := range def.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		if s := b.field(def, f, depth, false); s != nil {
			fields = append(fields, s)
		}
	}
	if !def.IsAbstractType() {
		return fields, nil
	}
	possible := slices.Clone(b.schema.GetPossibleTypes(def))
	sort.Slice(possible, func(i, j int) bool { return possible[i].Name < possible[j].Name })
	var frags []fragment
	for _, p := range possible {
		if p.Kind != ast.Object {
			continue
		}
		var extra []*selection
		for _, f := range p.Fields {
			if strings.HasPrefix(f.Name, "__") || def.Fields.ForName(f.Name) != nil {
				continue
			}
			if s := b.field(p, f, depth, true); s != nil {
				extra = append(extra, s)
			}
		}
		if len(extra) > 0 {
			frags = append(frags, fragment{on: p.Name, fields: extra})
		}
	}
	return fields, frags
}

// field selects one field of parent, or returns nil when depth leaves no room for it.
func (b *selectionBuilder) field(parent *ast.Definition, f *ast.FieldDefinition, depth int, aliased bool) *selection {
	s := &selection{name: f.Name, args: b.args(parent, f)}
	if aliased {
		s.alias = parent.Name + "_" + f.Name
	}
	ft := b.schema.Types[f.Type.Name()]
	switch {
	case ft.Kind == ast.Scalar || ft.Kind == ast.Enum:
	case b.scalarsOnly(ft):
		s.fields, _ = b.ofType(ft, 0)
	case depth == 0:
		return nil
	case isConnection(ft):
		s.conn = true
		s.fields = b.connection(ft, depth-1)
	default:
		s.fields, s.frags = b.ofType(ft, depth-1)
	}
	return s
}

// connection selects a connection's totalCount, pageInfo and edges, and the edges' nodes
// to depth.
func (b *selectionBuilder) connection(def *ast.Definition, depth int) []*selection {
	fields := []*selection{{name: "__typename"}}
	for _, f := range def.Fields {
		if f.Name != "edges" {
			fields = append(fields, b.field(def, f, 0, false))
			continue
		}
		edge := b.schema.Types[f.Type.Name()]
		es := &selection{name: "edges", fields: []*selection{{name: "__typename"}}}
		for _, ef := range edge.Fields {
			if ef.Name != "node" {
				// Edges may carry objects of their own, such as a partner's shared
				// partnerships or a match's skills: they explain the edge, so select
				// them a level deeper than the nodes, as deep as the connection field.
				if s := b.field(edge, ef, depth+1, false); s != nil {
					es.fields = append(es.fields, s)
				}
				continue
			}
			ns := &selection{name: "node"}
			ns.fields, ns.frags = b.ofType(b.schema.Types[ef.Type.Name()], depth)
			es.fields = append(es.fields, ns)
		}
		fields = append(fields, es)
	}
	return fields
}

// args asks every paged field for a page of coveragePage and fills required arguments.
func (b *selectionBuilder) args(parent *ast.Definition, f *ast.FieldDefinition) string {
	var args []string
	for _, a := range f.Arguments {
		switch {
		case a.Name == "first":
			args = append(args, fmt.Sprintf("first: %d", coveragePage))
		case a.Type.NonNull && a.DefaultValue == nil:
			v, ok := b.required[parent.Name+"."+f.Name+"."+a.Name]
			if !ok {
				b.err = fmt.Errorf("no value for the required argument %s of %s.%s", a.Name, parent.Name, f.Name)
			}
			args = append(args, a.Name+": "+v)
		}
	}
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

// scalarsOnly reports an object type whose fields are all argument-free scalars (or lists
// of them), such as BilingualText and PageInfo: selected whole at any depth.
func (b *selectionBuilder) scalarsOnly(def *ast.Definition) bool {
	if def.Kind != ast.Object {
		return false
	}
	for _, f := range def.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		k := b.schema.Types[f.Type.Name()].Kind
		if len(f.Arguments) > 0 || (k != ast.Scalar && k != ast.Enum) {
			return false
		}
	}
	return true
}

func isConnection(def *ast.Definition) bool {
	return def.Kind == ast.Object && strings.HasSuffix(def.Name, "Connection") &&
		def.Fields.ForName("edges") != nil && def.Fields.ForName("pageInfo") != nil && def.Fields.ForName("totalCount") != nil
}

// coverageWalker checks a response against the selection that asked for it.
type coverageWalker struct {
	t           *testing.T
	schema      *ast.Schema
	covered     map[string]bool // "Type.field" returned at least once
	populated   map[string]bool // ... with a value other than null, [] or an empty connection
	connections int
}

func newCoverageWalker(t *testing.T, schema *ast.Schema) *coverageWalker {
	return &coverageWalker{t: t, schema: schema, covered: map[string]bool{}, populated: map[string]bool{}}
}

// field checks the field s of the object obj, whose concrete type is parent.
func (w *coverageWalker) field(path string, parent *ast.Definition, s *selection, obj map[string]any) {
	if s.name == "__typename" {
		return
	}
	p := s.key()
	if path != "" {
		p = path + "." + p
	}
	fd := parent.Fields.ForName(s.name)
	if fd == nil {
		w.t.Errorf("%s: %s has no field %s", p, parent.Name, s.name)
		return
	}
	v, ok := obj[s.key()]
	if !ok {
		w.t.Errorf("%s: missing from the response", p)
		return
	}
	key := parent.Name + "." + s.name
	w.covered[key] = true
	if populated(v) {
		w.populated[key] = true
	}
	w.value(p, fd.Type, s, v)
}

func populated(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case []any:
		return len(v) > 0
	case map[string]any:
		if n, ok := v["totalCount"].(float64); ok {
			return n > 0
		}
	}
	return true
}

// value checks a value of type typ selected by s.
func (w *coverageWalker) value(path string, typ *ast.Type, s *selection, v any) {
	if v == nil {
		if typ.NonNull {
			w.t.Errorf("%s: null, but the schema declares it %s", path, typ)
		}
		return
	}
	if typ.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			w.t.Errorf("%s: %T, want a list", path, v)
			return
		}
		for i, e := range list {
			w.value(fmt.Sprintf("%s[%d]", path, i), typ.Elem, s, e)
		}
		return
	}
	if len(s.fields) == 0 && len(s.frags) == 0 {
		return
	}
	obj, ok := v.(map[string]any)
	if !ok {
		w.t.Errorf("%s: %T, want an object", path, v)
		return
	}
	tn, _ := obj["__typename"].(string)
	def := w.schema.Types[tn]
	named := w.schema.Types[typ.Name()]
	if def == nil || def.Kind != ast.Object || (def != named && !slices.Contains(w.schema.GetPossibleTypes(named), def)) {
		w.t.Errorf("%s: __typename %q is not a %s", path, tn, typ.Name())
		return
	}
	for _, f := range s.fields {
		w.field(path, def, f, obj)
	}
	for _, fr := range s.frags {
		if fr.on == tn {
			for _, f := range fr.fields {
				w.field(path, def, f, obj)
			}
		}
	}
	if s.conn {
		w.connection(path, obj)
	}
}

// connection checks a first page asked for with first: coveragePage.
func (w *coverageWalker) connection(path string, c map[string]any) {
	w.connections++
	edges, _ := c["edges"].([]any)
	totalF, _ := c["totalCount"].(float64)
	total := int(totalF)
	if len(edges) > coveragePage {
		w.t.Errorf("%s: %d edges for first: %d", path, len(edges), coveragePage)
	}
	if total < len(edges) {
		w.t.Errorf("%s: totalCount %d < %d edges", path, total, len(edges))
	}
	if want := min(total, coveragePage); len(edges) != want {
		w.t.Errorf("%s: %d edges on the first page of %d, want %d", path, len(edges), total, want)
	}
	pi, _ := c["pageInfo"].(map[string]any)
	if pi == nil {
		return
	}
	if hasNext, _ := pi["hasNextPage"].(bool); hasNext != (total > len(edges)) {
		w.t.Errorf("%s: hasNextPage = %v with %d edges of %d", path, hasNext, len(edges), total)
	}
	if hasPrev, _ := pi["hasPreviousPage"].(bool); hasPrev {
		w.t.Errorf("%s: hasPreviousPage = true on the first page", path)
	}
	var first, last any
	if len(edges) > 0 {
		first = cursorOf(edges[0])
		last = cursorOf(edges[len(edges)-1])
	}
	if pi["startCursor"] != first || pi["endCursor"] != last {
		w.t.Errorf("%s: pageInfo cursors %v..%v, edges' cursors %v..%v", path, pi["startCursor"], pi["endCursor"], first, last)
	}
}

func cursorOf(edge any) any {
	e, _ := edge.(map[string]any)
	return e["cursor"]
}
