package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/alliance-graph/alliance-graph/graph"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// The schema walk: from Query, every object type the schema can reach is read along up
// to walkPaths different paths, with every field of it that returns objects, as
// anonymous, ANALYST and a MEMBER that no restricted resource names. Whatever the answers
// hold must be what policy lets that viewer see: no resource shared with named members
// only, no event about one (nor, anonymously, a private kind of event), no application
// to one, and no personal field of a talent (nor the starting salary of a placement). The paths and their selections come from
// the schema itself, so a field added later is walked too, and a required argument the
// walk cannot fill fails the test until walkArguments says what to pass.

// walkPaths is how many paths from Query lead to each type: several, because whether a
// relation reaches a hidden row depends on the parents the path brings.
const walkPaths = 3

// walkHop is one field of a path, read as the object type on (the field's own type, or
// one of those its interface or union stands for).
type walkHop struct {
	parent string
	field  *ast.FieldDefinition
	on     string
}

type walkPath []walkHop

// walkSchema lists, for every object type reachable from Query, the first walkPaths
// simple paths to it, shortest first.
func walkSchema(s *ast.Schema) map[string][]walkPath {
	type item struct {
		typ  string
		path walkPath
	}
	paths := map[string][]walkPath{}
	queue := []item{{typ: s.Query.Name}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if len(paths[it.typ]) >= walkPaths {
			continue
		}
		paths[it.typ] = append(paths[it.typ], it.path)
		seen := map[string]bool{s.Query.Name: true}
		for _, h := range it.path {
			seen[h.on] = true
		}
		for _, f := range s.Types[it.typ].Fields {
			// Node stands for every type: a path through node(id:) or search would be
			// the shortest to each of them and crowd out the relations. What a Node
			// field returns is still checked, as the child of its parent.
			if strings.HasPrefix(f.Name, "__") || f.Type.Name() == "Node" {
				continue
			}
			def := s.Types[f.Type.Name()]
			for _, c := range concrete(s, def) {
				if seen[c] || len(paths[c]) >= walkPaths {
					continue
				}
				next := append(slices.Clone(it.path), walkHop{parent: it.typ, field: f, on: c})
				queue = append(queue, item{typ: c, path: next})
			}
		}
	}
	return paths
}

// concrete lists the object types a value of def may be; none for scalars and enums.
func concrete(s *ast.Schema, def *ast.Definition) []string {
	switch def.Kind {
	case ast.Object:
		return []string{def.Name}
	case ast.Interface, ast.Union:
		var out []string
		for _, p := range s.GetPossibleTypes(def) {
			if p.Kind == ast.Object { // interfaces implementing interfaces are listed too
				out = append(out, p.Name)
			}
		}
		sort.Strings(out)
		return out
	}
	return nil
}

// walkArguments gives the values of the arguments the walk passes, by
// "Type.field.argument": every required one must be here. Page sizes are set apart.
type walkArguments map[string]string

// walker writes the walk's queries.
type walker struct {
	schema   *ast.Schema
	args     walkArguments
	personal map[string][]string // the fields marked @personal, by type (Talent, Placement)
	missing  map[string]bool
}

func newWalker(s *ast.Schema, args walkArguments) *walker {
	w := &walker{schema: s, args: args, missing: map[string]bool{}, personal: map[string][]string{}}
	for _, typ := range []string{"Talent", "Placement"} {
		for _, f := range s.Types[typ].Fields {
			if f.Directives.ForName("personal") != nil {
				w.personal[typ] = append(w.personal[typ], f.Name)
			}
		}
	}
	return w
}

// arguments writes a field's arguments: the walk's values, and a page size where the
// field takes one (large at the root, so that the rows shared with few members are
// among those read).
func (w *walker) arguments(parent string, f *ast.FieldDefinition, depth int) string {
	var parts []string
	for _, a := range f.Arguments {
		key := parent + "." + f.Name + "." + a.Name
		if v, ok := w.args[key]; ok {
			parts = append(parts, a.Name+": "+v)
			continue
		}
		if a.Name == "first" {
			parts = append(parts, "first: "+strconv.Itoa(walkPage(depth)))
			continue
		}
		if a.Type.NonNull && a.DefaultValue == nil {
			w.missing[key] = true
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// walkPage is the page size at a depth of the path: whole pages at the root, so that the
// rows shared with few members are among those read, and short ones below, where every
// parent has its own.
func walkPage(depth int) int {
	switch depth {
	case 0:
		return 100
	case 1:
		return 20
	}
	return 5
}

// identity selects what tells an object apart: its type, its global ID and, for a
// talent or a placement, its personal fields.
func (w *walker) identity(typ string) string {
	def := w.schema.Types[typ]
	sel := []string{"__typename"}
	for _, c := range concrete(w.schema, def) {
		cd := w.schema.Types[c]
		if cd.Fields.ForName("id") != nil {
			fields := "id"
			if p := w.personal[c]; len(p) > 0 {
				fields += " " + strings.Join(p, " ")
			}
			if def.Kind == ast.Object {
				sel = append(sel, fields)
			} else {
				sel = append(sel, "... on "+c+" { "+fields+" }")
			}
		}
	}
	return strings.Join(sel, " ")
}

// children selects every field of typ that returns objects, one level deep: connections
// down to their nodes, everything else by identity.
func (w *walker) children(typ string, depth int) string {
	var sel []string
	for _, f := range w.schema.Types[typ].Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		def := w.schema.Types[f.Type.Name()]
		if def.Kind != ast.Object && def.Kind != ast.Interface && def.Kind != ast.Union {
			continue
		}
		inner := w.identity(def.Name)
		if edges := def.Fields.ForName("edges"); edges != nil {
			if node := w.schema.Types[edges.Type.Name()].Fields.ForName("node"); node != nil {
				inner = "edges { node { " + w.identity(node.Type.Name()) + " } }"
			}
		}
		sel = append(sel, f.Name+w.arguments(typ, f, depth)+" { "+inner+" }")
	}
	return strings.Join(sel, " ")
}

// query writes the walk's query for one path to typ.
func (w *walker) query(typ string, path walkPath) string {
	body := w.identity(typ) + " " + w.children(typ, len(path))
	for i := len(path) - 1; i >= 0; i-- {
		h := path[i]
		inner := body
		if w.schema.Types[h.field.Type.Name()].Kind != ast.Object {
			inner = "__typename ... on " + h.on + " { " + body + " }"
		}
		body = h.field.Name + w.arguments(h.parent, h.field, i) + " { " + inner + " }"
	}
	return "{ " + body + " }"
}

// walkRules is what one viewer may see, read from the database beside the API.
type walkRules struct {
	hiddenResources, hiddenEvents, hiddenPlacements map[int64]bool
	personal                                        map[int64]bool // talents whose personal data the viewer may see
	salaries                                        map[int64]bool // placements whose starting salary the viewer may see
	// enrolments and certificates the viewer may not see: all but ADMIN's, a course
	// provider's and the talent's school's or employer's.
	hiddenEnrollments, hiddenCertificates map[int64]bool
}

func newWalkRules(t *testing.T, db *pgtest.Database, st *store.Store, v auth.Viewer) walkRules {
	t.Helper()
	ctx := context.Background()
	r := walkRules{hiddenResources: map[int64]bool{}, hiddenEvents: map[int64]bool{}, hiddenPlacements: map[int64]bool{}, personal: map[int64]bool{},
		salaries: map[int64]bool{}, hiddenEnrollments: map[int64]bool{}, hiddenCertificates: map[int64]bool{}}
	// The rules as the issue states them, in SQL of the test's own, not the store's.
	member := int64(-1)
	if v.Role == auth.RoleMember {
		member = v.OrganizationID
	}
	var hidden []int64
	if err := db.DB.Select(&hidden, `SELECT r.id FROM resource r WHERE NOT r.shared_with_all AND r.provider_id <> $1
		AND NOT EXISTS (SELECT 1 FROM resource_share s WHERE s.resource_id = r.id AND s.organization_id = $1)`, member); err != nil {
		t.Fatal(err)
	}
	for _, id := range hidden {
		r.hiddenResources[id] = true
	}
	var kinds []string
	for _, k := range policy.EventKindsHidden(v) {
		kinds = append(kinds, string(k))
	}
	var events []int64
	if err := db.DB.Select(&events, `SELECT e.id FROM event e WHERE e.kind = ANY($1) OR e.resource_id = ANY($2)`,
		pq.StringArray(kinds), pq.Int64Array(hidden)); err != nil {
		t.Fatal(err)
	}
	for _, id := range events {
		r.hiddenEvents[id] = true
	}
	var placements []int64
	if err := db.DB.Select(&placements, `SELECT id FROM placement WHERE opening_id = ANY($1)`, pq.Int64Array(hidden)); err != nil {
		t.Fatal(err)
	}
	for _, id := range placements {
		r.hiddenPlacements[id] = true
	}
	admin := v.Role == auth.RoleAdmin
	for table, hide := range map[string]map[int64]bool{"enrollment": r.hiddenEnrollments, "certificate": r.hiddenCertificates} {
		var ids []int64
		q := `SELECT x.id FROM ` + table + ` x JOIN enrollment e ON e.id = ` + map[string]string{"enrollment": "x.id", "certificate": "x.enrollment_id"}[table] + `
			JOIN resource c ON c.id = e.course_id JOIN talent t ON t.id = e.talent_id
			WHERE NOT $1 AND (c.id = ANY($3) OR $2 NOT IN (c.provider_id, coalesce(t.school_id, 0), coalesce(t.employer_id, 0)))`
		if err := db.DB.Select(&ids, q, admin, member, pq.Int64Array(hidden)); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			hide[id] = true
		}
	}
	var talents []int64
	if err := db.DB.Select(&talents, `SELECT id FROM talent`); err != nil {
		t.Fatal(err)
	}
	persons, err := st.PersonsByID(ctx, talents)
	if err != nil {
		t.Fatal(err)
	}
	for id, p := range persons {
		r.personal[id] = policy.SeePersonal(v, &p.Talent)
	}
	var hires []struct {
		ID       int64 `db:"id"`
		Talent   int64 `db:"talent_id"`
		Provider int64 `db:"provider_id"`
	}
	if err := db.DB.Select(&hires, `SELECT p.id, p.talent_id, r.provider_id FROM placement p JOIN resource r ON r.id = p.opening_id`); err != nil {
		t.Fatal(err)
	}
	for _, h := range hires {
		r.salaries[h.ID] = policy.SeeStartingSalary(v, &persons[h.Talent].Talent, h.Provider)
	}
	return r
}

// walkSeen is what the walk met: the keys of every type, and what it should not have.
type walkSeen struct {
	keys  map[string]map[int64]bool
	leaks []string
}

// check walks an answer and records every object in it, and every leak.
func (r walkRules) check(t *testing.T, v any, personal map[string][]string, seen *walkSeen, where string) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			r.check(t, e, personal, seen, where)
		}
	case map[string]any:
		typ, _ := v["__typename"].(string)
		if id, ok := v["id"].(string); ok && typ != "" {
			_, key, err := relay.ParseID(id)
			if err != nil {
				t.Errorf("%s: %s has an ID the API did not issue: %q", where, typ, id)
				return
			}
			if seen.keys[typ] == nil {
				seen.keys[typ] = map[int64]bool{}
			}
			seen.keys[typ][key] = true
			leak := func(what string) {
				seen.leaks = append(seen.leaks, fmt.Sprintf("%s %d (%s) at %s", typ, key, what, where))
			}
			switch {
			case walkResourceTypes[typ] && r.hiddenResources[key]:
				leak("a resource shared with named members only")
			case typ == "Event" && r.hiddenEvents[key]:
				leak("an event the viewer may not read")
			case typ == "Placement" && r.hiddenPlacements[key]:
				leak("an application to a hidden opening")
			case typ == "Enrollment" && r.hiddenEnrollments[key]:
				leak("an enrolment of another organization's course and talent")
			case typ == "Certificate" && r.hiddenCertificates[key]:
				leak("a certificate of another organization's course and talent")
			case typ == "Talent" && !r.personal[key], typ == "Placement" && !r.salaries[key]:
				for _, f := range personal[typ] {
					if v[f] != nil {
						leak("personal field " + f)
					}
				}
			}
		}
		for k, e := range v {
			r.check(t, e, personal, seen, where+"."+k)
		}
	}
}

// walkResourceTypes are the GraphQL types of resource rows.
var walkResourceTypes = map[string]bool{}

func init() {
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, p := range s.GetPossibleTypes(s.Types["SharedResource"]) {
		walkResourceTypes[p.Name] = true
	}
}

// walk runs every query of the walk as v, in parallel, and returns what it met.
func (ts *testServer) walk(t *testing.T, w *walker, queries []string, rules walkRules, v auth.Viewer) walkSeen {
	t.Helper()
	seen := walkSeen{keys: map[string]map[int64]bool{}}
	type answer struct {
		q string
		r response
	}
	answers := make(chan answer, len(queries))
	work := make(chan string)
	for range 4 {
		go func() {
			for q := range work {
				answers <- answer{q, ts.queryAs(t, v, q, nil)}
			}
		}()
	}
	go func() {
		for _, q := range queries {
			work <- q
		}
		close(work)
	}()
	for range queries {
		a := <-answers
		for _, e := range a.r.Errors {
			// A hidden row asked for by ID is NOT_FOUND, and masked personal fields answer
			// FORBIDDEN or UNAUTHENTICATED. Anything else means the walk did not read what
			// it meant to, or, for a NOT_FOUND inside a relation, that the relation
			// points at a row it should not have listed.
			code, _ := e.Extensions["code"].(string)
			root := len(e.Path) > 0 && (e.Path[0] == "node" || e.Path[0] == "nodes")
			switch {
			case code == "NOT_FOUND" && root:
			case code == "FORBIDDEN" || code == "UNAUTHENTICATED":
			default:
				t.Errorf("%s at %v: %s (%v)", a.q, e.Path, e.Message, code)
			}
		}
		var data any
		if len(a.r.Data) > 0 {
			if err := json.Unmarshal(a.r.Data, &data); err != nil {
				t.Fatal(err)
			}
		}
		rules.check(t, data, w.personal, &seen, a.q)
	}
	return seen
}

func TestNoPathLeadsToWhatTheViewerMayNotSee(t *testing.T) {
	// The walk's queries are wide rather than costly; the limits have tests of their own.
	ts := startConfiguredServer(t, testDB, func(c *server.Config) {
		c.Limits.MaxDepth = -1
		c.Limits.MaxComplexity, c.Limits.MaxComplexityMember, c.Limits.MaxComplexityAnalyst, c.Limits.MaxComplexityAdmin = -1, -1, -1, -1
	})
	st := store.New(testDB.DB, nil)
	s := graph.NewExecutableSchema(graph.Config{}).Schema()

	// The unrelated member: an organization that neither provides a restricted resource
	// nor is named by one, and has talents of its own (so that it sees some personal data).
	var unrelated int64
	if err := testDB.DB.Get(&unrelated, `SELECT o.id FROM organization o WHERE o.kind = 'SCHOOL'
		AND NOT EXISTS (SELECT 1 FROM resource r WHERE r.provider_id = o.id AND NOT r.shared_with_all)
		AND NOT EXISTS (SELECT 1 FROM resource_share s WHERE s.organization_id = o.id)
		AND EXISTS (SELECT 1 FROM talent t WHERE t.school_id = o.id) ORDER BY o.id LIMIT 1`); err != nil {
		t.Fatalf("no unrelated member in the demo: %v", err)
	}
	var restricted []int64
	if err := testDB.DB.Select(&restricted, `SELECT id FROM resource WHERE NOT shared_with_all ORDER BY id LIMIT 100`); err != nil || len(restricted) == 0 {
		t.Fatalf("the demo has no restricted resources: %v", err)
	}
	var provider, event, placement int64
	var word, skill string
	if err := testDB.DB.QueryRow(`SELECT r.provider_id, split_part(r.title_en, ' ', 1) FROM resource r WHERE r.id = $1`, restricted[0]).Scan(&provider, &word); err != nil {
		t.Fatal(err)
	}
	if err := testDB.DB.Get(&skill, `SELECT k.code FROM resource_skill rs JOIN skill k ON k.id = rs.skill_id
		WHERE rs.resource_id = ANY($1) GROUP BY k.code ORDER BY count(*) DESC, k.code LIMIT 1`, pq.Int64Array(restricted)); err != nil {
		t.Fatal(err)
	}
	testDB.DB.Get(&event, `SELECT COALESCE(min(id), 0) FROM event WHERE restricted`)
	testDB.DB.Get(&placement, `SELECT COALESCE(min(p.id), 0) FROM placement p JOIN resource r ON r.id = p.opening_id WHERE NOT r.shared_with_all`)
	var ids []string
	for _, r := range restricted {
		ids = append(ids, strconv.Quote(relay.ID(relay.TypeResource, r)))
	}
	if event > 0 {
		ids = append(ids, strconv.Quote(relay.ID(relay.TypeEvent, event)))
	}
	if placement > 0 {
		ids = append(ids, strconv.Quote(relay.ID(relay.TypePlacement, placement)))
	}
	org := func(k int64) string { return strconv.Quote(relay.ID(relay.TypeOrganization, k)) }
	args := walkArguments{
		"Query.node.id":         ids[0],
		"Query.nodes.ids":       "[" + strings.Join(ids[:min(len(ids), 100)], ", ") + "]",
		"Query.search.query":    strconv.Quote(word),
		"Query.skill.code":      strconv.Quote(skill),
		"Query.path.from":       org(unrelated),
		"Query.path.to":         org(provider),
		"Query.neighborhood.of": org(provider),
		"Query.__type.name":     `"JobOpening"`,
		// Grouped, the outcomes lead to objects: the partnerships hired through.
		"Query.employmentOutcomes.groupBy": "PARTNERSHIP",
	}
	// A facility's calendar: the demo's class meetings lie in the weeks after its day.
	for _, f := range []string{"bookings", "availability", "utilization"} {
		args["TrainingFacility."+f+".from"] = strconv.Quote(demoDay.Format(time.RFC3339))
		args["TrainingFacility."+f+".to"] = strconv.Quote(demoDay.Add(60 * 24 * time.Hour).Format(time.RFC3339))
	}
	// The alliance's calendar: the year's competitions, and the courses and class meetings
	// of the coming weeks.
	args["Query.calendar.from"] = strconv.Quote(demoDay.Add(-300 * 24 * time.Hour).Format(time.RFC3339))
	args["Query.calendar.to"] = strconv.Quote(demoDay.Add(60 * 24 * time.Hour).Format(time.RFC3339))

	w := newWalker(s, args)
	paths := walkSchema(s)
	var types []string
	for typ := range paths {
		types = append(types, typ)
	}
	sort.Strings(types)
	var queries []string
	for _, typ := range types {
		if typ == s.Query.Name || strings.HasPrefix(typ, "__") {
			continue
		}
		for _, p := range paths[typ] {
			queries = append(queries, w.query(typ, p))
		}
	}
	queries = append(queries, w.query(s.Query.Name, nil))
	for key := range w.missing {
		t.Errorf("the walk has no value for the required argument %s: add one to walkArguments so that the walk covers the field", key)
	}

	// Whatever a mutation returns or a subscription sends is an object of a type the walk
	// reads from Query (payloads and statistics have no ID: they are no rows), through
	// the same resolvers and loaders.
	for _, root := range []*ast.Definition{s.Mutation, s.Subscription} {
		for _, f := range root.Fields {
			for _, typ := range reachable(s, f.Type.Name(), 2) {
				if _, ok := paths[typ]; !ok && s.Types[typ].Fields.ForName("id") != nil {
					t.Errorf("%s.%s returns %s, which no path from Query reaches: the walk does not cover it", root.Name, f.Name, typ)
				}
			}
		}
	}

	// ADMIN first: the walk must meet restricted rows, or it proves nothing.
	all := ts.walk(t, w, queries, newWalkRules(t, testDB, st, admin), admin)
	anonymous := newWalkRules(t, testDB, st, auth.Viewer{})
	met := 0
	for key := range anonymous.hiddenResources {
		for typ := range walkResourceTypes {
			if all.keys[typ][key] {
				met++
			}
		}
	}
	if met < len(anonymous.hiddenResources)/2 {
		t.Errorf("as ADMIN the walk met %d of the %d restricted resources; it should meet most of them", met, len(anonymous.hiddenResources))
	}
	t.Logf("%d queries a viewer; as ADMIN they met %d of %d restricted resources", len(queries), met, len(anonymous.hiddenResources))

	for _, vw := range []struct {
		name string
		v    auth.Viewer
	}{{"anonymous", auth.Viewer{}}, {"analyst", analyst}, {"unrelated member", memberOf(unrelated)}} {
		t.Run(vw.name, func(t *testing.T) {
			seen := ts.walk(t, w, queries, newWalkRules(t, testDB, st, vw.v), vw.v)
			for _, l := range seen.leaks[:min(len(seen.leaks), 20)] {
				t.Errorf("leak: %s", l)
			}
			if len(seen.leaks) > 20 {
				t.Errorf("and %d more leaks", len(seen.leaks)-20)
			}
		})
	}
}

// reachable lists the object types a value of typ leads to within depth fields.
func reachable(s *ast.Schema, typ string, depth int) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(string, int)
	visit = func(name string, d int) {
		for _, c := range concrete(s, s.Types[name]) {
			if seen[c] {
				continue
			}
			seen[c] = true
			out = append(out, c)
			if d > 0 {
				for _, f := range s.Types[c].Fields {
					visit(f.Type.Name(), d-1)
				}
			}
		}
	}
	visit(typ, depth)
	return out
}

// An event names the credential a change was made with only to ADMIN: a key's prefix or a
// token's subject identifies a credential, and the event log is public.
func TestEventActorsNameTheirCredentialOnlyToAdmins(t *testing.T) {
	ts := newWriteServer(t)
	var id int64
	if err := writeDB.DB.Get(&id, `INSERT INTO event (kind, subject_id, actor, actor_role, payload)
		VALUES ('SKILL_CREATED', 'U2tpbGw6MQ', 'apikey:ab12cd34', 'MEMBER', '{}') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		v    auth.Viewer
		want string
	}{
		{"anonymous", auth.Viewer{}, "MEMBER"}, {"analyst", analyst, "MEMBER"}, {"member", memberOf(1), "MEMBER"}, {"admin", admin, "apikey:ab12cd34"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.queryAs(t, tt.v, `query($id: ID!) { node(id: $id) { ... on Event { actor actorRole } } }`, map[string]any{"id": relay.ID(relay.TypeEvent, id)})
			var out struct {
				Node struct{ Actor, ActorRole string }
			}
			if err := json.Unmarshal(r.Data, &out); err != nil || len(r.Errors) > 0 {
				t.Fatal(err, r.Errors)
			}
			if out.Node.Actor != tt.want || out.Node.ActorRole != "MEMBER" {
				t.Errorf("actor %q (role %q), want %q", out.Node.Actor, out.Node.ActorRole, tt.want)
			}
		})
	}
}
