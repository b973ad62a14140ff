package server_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/alliance-graph/alliance-graph/graph"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// The one-statement engine is checked against the executor (resolvers and loaders) on
// queries generated from the schema: every root connection field and every connection
// of the types its nodes reach, with every filter input field set to values from the
// demo, every order both ways, and pages forward and backward from the cursors of a
// first page, asked as an anonymous caller, a member and an admin. Both must give the
// same JSON, byte for byte but for the order of object members. Every generated query
// whose fields store.Declared declares must be answered by one statement, in one
// statement; the others must still answer as the executor does.

// genViewers are the viewers every generated query is asked as.
func genViewers(t *testing.T) map[string]auth.Viewer {
	t.Helper()
	// A member whose organization sees resources shared with it alone.
	org := int64(sqlInt(t, `SELECT COALESCE((SELECT organization_id FROM resource_share ORDER BY organization_id LIMIT 1),
		(SELECT organization_id FROM membership ORDER BY id LIMIT 1))`))
	return map[string]auth.Viewer{
		"anonymous": {},
		"member":    {Role: auth.RoleMember, OrganizationID: org},
		"admin":     {Role: auth.RoleAdmin},
	}
}

// genSchema walks the schema for the generator.
type genSchema struct {
	s *ast.Schema
	t *testing.T
	// ids are sample global IDs of each relay type, from the demo.
	ids map[relay.Type][]string
}

// isConnection reports whether a field is a Relay connection the generator pages: its
// type has edges, pageInfo and totalCount, and it takes no required argument.
func (g *genSchema) isConnection(f *ast.FieldDefinition) bool {
	def := g.s.Types[f.Type.Name()]
	if def == nil || def.Fields.ForName("edges") == nil || def.Fields.ForName("pageInfo") == nil || def.Fields.ForName("totalCount") == nil {
		return false
	}
	if f.Arguments.ForName("first") == nil {
		return false
	}
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			return false
		}
	}
	return true
}

func undirected(f *ast.FieldDefinition) bool {
	for _, d := range f.Directives {
		if d.Name != "deprecated" {
			return false
		}
	}
	return true
}

// declared reports whether every implementation of typeName declares the field (the
// engine reads a field of an interface on every row).
// An interface the engine does not declare as a type (Node) is read as the type of each
// row: its field is declared when each of its types the engine declares declares it.
func (g *genSchema) declared(typeName, field string) bool {
	_, typeDeclared := store.Type(typeName)
	if _, _, ok := store.Declared(typeName, field); !ok && typeDeclared {
		return false
	}
	def := g.s.Types[typeName]
	for _, p := range g.s.GetPossibleTypes(def) {
		if _, ok := store.Type(p.Name); p.Name == typeName || (!ok && !typeDeclared) {
			continue
		}
		if _, _, ok := store.Declared(p.Name, field); !ok {
			return false
		}
	}
	return true
}

// selection writes the fields of typeName that take no argument and carry no directive
// (the @personal and @requires fields are the visibility tests' concern), objects
// depth levels deep, and for an interface the fields of each of its types behind
// fragments. With declaredOnly it writes only fields the engine declares, so that the
// query is one the engine must answer. An object whose selection would be empty gets
// __typename.
func (g *genSchema) selection(typeName string, depth int, declaredOnly bool) string {
	def := g.s.Types[typeName]
	// Fields of the interface's types are aliased by type: two types' fields of one name
	// may have different types, which a query may not merge.
	fieldsOf := func(d *ast.Definition, alias string, skip func(string) bool) []string {
		var out []string
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "__") || len(f.Arguments) > 0 || !undirected(f) || skip(f.Name) {
				continue
			}
			if declaredOnly && !g.declared(d.Name, f.Name) {
				continue
			}
			ft := g.s.Types[f.Type.Name()]
			name := f.Name
			if alias != "" {
				name = alias + "_" + f.Name + ": " + f.Name
			}
			switch ft.Kind {
			case ast.Scalar, ast.Enum:
				out = append(out, name)
			case ast.Object, ast.Interface:
				if depth > 0 {
					out = append(out, name+" "+g.selection(ft.Name, depth-1, declaredOnly))
				}
			}
		}
		return out
	}
	parts := append([]string{"__typename"}, fieldsOf(def, "", func(string) bool { return false })...)
	if def.Kind == ast.Interface {
		for _, p := range g.s.GetPossibleTypes(def) {
			own := fieldsOf(p, p.Name, func(name string) bool { return def.Fields.ForName(name) != nil })
			if len(own) > 0 {
				parts = append(parts, "... on "+p.Name+" { "+strings.Join(own, " ")+" }")
			}
		}
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

const genPageInfo = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

// connectionCase is one generated query of a connection field.
type connectionCase struct {
	name  string
	args  string
	query func(args, node string) string
}

// mixedCase names the case that asks for fields the engine does not declare too.
const mixedCase = "every field"

func (c connectionCase) mixed() bool { return c.name == mixedCase }

// samples are demo values for a filter's input field: each a GraphQL literal.
func (g *genSchema) samples(input *ast.Definition, f *ast.FieldDefinition) []string {
	ft := g.s.Types[f.Type.Name()]
	list := f.Type.Elem != nil
	wrap := func(vs ...string) []string {
		if !list {
			return vs
		}
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = "[" + v + "]"
		}
		return out
	}
	switch {
	case ft.Kind == ast.Enum:
		var vs []string
		for _, v := range ft.EnumValues {
			vs = append(vs, v.Name)
		}
		// Each value alone would make this test slow for little: the first two, and
		// the first with the last.
		out := wrap(vs[:min(2, len(vs))]...)
		if list && len(vs) > 1 {
			out = append(out, "["+vs[0]+", "+vs[len(vs)-1]+"]", "[]")
		}
		return out
	case ft.Name == "ID":
		typ := genIDTypes[f.Name]
		if typ == "" {
			g.t.Errorf("%s.%s: no sample IDs; add its relay type to genIDTypes", input.Name, f.Name)
			return nil
		}
		var vs []string
		for _, id := range g.ids[typ] {
			vs = append(vs, `"`+id+`"`)
		}
		out := wrap(vs[0])
		if list {
			out = append(out, "["+strings.Join(vs, ", ")+"]", "[]")
		}
		return out
	case ft.Name == "Boolean":
		return wrap("true", "false")
	case ft.Name == "Int":
		return wrap("0", "6000")
	case ft.Name == "Float":
		return wrap("0", "0.5")
	case ft.Name == "String" && list:
		return []string{`["Hunnan", "Tiexi"]`, `[]`}
	case ft.Name == "String":
		return []string{`"shenyang"`, `"沈阳"`, `"%_"`}
	case ft.Name == "DateRange":
		return []string{`{from: "2023-01-01"}`, `{from: "2022-03-01", to: "2024-09-30"}`}
	case ft.Name == "DateTimeRange":
		return []string{`{from: "2024-01-01T00:00:00Z"}`}
	}
	g.t.Errorf("%s.%s: no samples for %s", input.Name, f.Name, ft.Name)
	return nil
}

// genIDTypes are the relay types of the filters' ID fields, by name.
var genIDTypes = map[string]relay.Type{
	"alliances": relay.TypeAlliance, "providers": relay.TypeOrganization, "parks": relay.TypeOrganization,
	"participants": relay.TypeOrganization, "schools": relay.TypeOrganization, "employers": relay.TypeOrganization,
	"operators": relay.TypeOrganization, "skills": relay.TypeSkill, "parent": relay.TypeSkill,
	"subjects": relay.TypeOrganization, "organizer": relay.TypeOrganization,
}

// cases are the generated queries of connection field f: the default page with every
// field, each order both ways, each filter field with each sample, and pages around the
// cursors of the first page (read through get, which asks the executor).
func (g *genSchema) cases(f *ast.FieldDefinition, get func(args string) (start, end string)) []connectionCase {
	conn := g.s.Types[f.Type.Name()]
	node := conn.Fields.ForName("edges").Type.Name()
	nodeType := g.s.Types[node].Fields.ForName("node").Type.Name()
	full := func(args, sel string) string {
		return fmt.Sprintf("%s%s { __typename totalCount %s edges { __typename cursor node %s } }", f.Name, args, genPageInfo, sel)
	}
	short := func(args, _ string) string {
		return fmt.Sprintf("%s%s { totalCount %s edges { cursor node { __typename %s } } }", f.Name, args, genPageInfo, idOf(g.s, nodeType))
	}
	out := []connectionCase{
		{"every declared field", "(first: 5)", func(a, _ string) string { return full(a, g.selection(nodeType, 1, true)) }},
		{mixedCase, "(first: 3)", func(a, _ string) string { return full(a, g.selection(nodeType, 1, false)) }},
		{"no arguments", "", short},
		{"an empty page", "(first: 0)", short},
	}
	backward := f.Arguments.ForName("last") != nil && f.Arguments.ForName("before") != nil
	if backward {
		out = append(out, connectionCase{"the last page", "(last: 4)", short})
	}
	if order := f.Arguments.ForName("orderBy"); order != nil {
		fields := g.s.Types[order.Type.Name()].Fields.ForName("field")
		for _, v := range g.s.Types[fields.Type.Name()].EnumValues {
			for _, dir := range []string{"ASC", "DESC"} {
				out = append(out, connectionCase{"order " + v.Name + " " + dir, fmt.Sprintf("(first: 4, orderBy: {field: %s, direction: %s})", v.Name, dir), short})
			}
			args := fmt.Sprintf("first: 3, orderBy: {field: %s, direction: DESC}", v.Name)
			_, end := get("(" + args + ")")
			if end != "" {
				out = append(out, connectionCase{"after the first page by " + v.Name, fmt.Sprintf("(%s, after: %q)", args, end), short})
				if backward {
					out = append(out, connectionCase{"before the end of the first page by " + v.Name, fmt.Sprintf("(last: 2, orderBy: {field: %s, direction: DESC}, before: %q)", v.Name, end), short})
				}
			}
		}
	}
	start, end := get("(first: 3)")
	if end != "" {
		out = append(out, connectionCase{"after the first page", fmt.Sprintf("(first: 3, after: %q)", end), short})
	}
	if end != "" && backward {
		out = append(out,
			connectionCase{"a lone before", fmt.Sprintf("(before: %q)", end), short},
			connectionCase{"before the first page", fmt.Sprintf("(last: 3, before: %q)", start), short},
			connectionCase{"between the first page's cursors", fmt.Sprintf("(first: 3, after: %q, before: %q)", start, end), short},
		)
	}
	if end != "" && f.Arguments.ForName("orderBy") != nil {
		out = append(out, connectionCase{"a cursor of another order", fmt.Sprintf("(first: 3, after: %q, orderBy: {field: %s})", end, otherOrder(g.s, f)), short})
	}
	if filter := f.Arguments.ForName("filter"); filter != nil {
		input := g.s.Types[filter.Type.Name()]
		for _, field := range input.Fields {
			for _, v := range g.samples(input, field) {
				out = append(out, connectionCase{"filter " + field.Name + " " + v, fmt.Sprintf("(first: 6, filter: {%s: %s})", field.Name, v), short})
			}
		}
	}
	return out
}

// otherOrder is an order field of f other than its first, or its first.
func otherOrder(s *ast.Schema, f *ast.FieldDefinition) string {
	order := f.Arguments.ForName("orderBy")
	if order == nil {
		return "NONE"
	}
	vals := s.Types[s.Types[order.Type.Name()].Fields.ForName("field").Type.Name()].EnumValues
	return vals[len(vals)-1].Name
}

func idOf(s *ast.Schema, typeName string) string {
	if s.Types[typeName].Fields.ForName("id") != nil {
		return "id"
	}
	return ""
}

// TestOneStatementAnswersGeneratedQueriesAsTheExecutorDoes generates the queries of every
// root connection field and every connection nested one level under their nodes.
func TestOneStatementAnswersGeneratedQueriesAsTheExecutorDoes(t *testing.T) {
	executor := startConfiguredServer(t, testDB, func(c *server.Config) { c.OneStatement = false })
	viewers := genViewers(t)
	g := &genSchema{s: graph.NewExecutableSchema(graph.Config{}).Schema(), t: t, ids: map[relay.Type][]string{}}
	for typ, q := range map[relay.Type]string{
		relay.TypeAlliance: "SELECT id FROM alliance ORDER BY id LIMIT 2",
		relay.TypeOrganization: `SELECT id FROM (SELECT min(park_id) AS id FROM organization UNION SELECT min(provider_id) FROM resource WHERE category = 'JOB_OPENING'
			UNION SELECT min(organization_id) FROM partnership_participant UNION SELECT min(operator_id) FROM training_center) x WHERE id IS NOT NULL ORDER BY id`,
		relay.TypeSkill: "SELECT skill_id FROM resource_skill GROUP BY skill_id ORDER BY count(*) DESC, skill_id LIMIT 2",
	} {
		var keys []int64
		if err := testDB.DB.Select(&keys, q); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			g.ids[typ] = append(g.ids[typ], relay.ID(typ, k))
		}
	}
	type genQuery struct {
		name, query string
		claimed     bool
	}
	var queries []genQuery
	// cursors reads the cursors of the first page with any in a query's answer from the
	// executor, as an admin.
	cursors := func(q string) (string, string) {
		r := executor.queryAs(t, viewers["admin"], q, nil)
		var data any
		if len(r.Errors) > 0 || json.Unmarshal(r.Data, &data) != nil {
			return "", ""
		}
		return firstCursors(data)
	}
	// The root connections the engine answers, so that losing one fails here rather than
	// quietly sending its pages back to the executor.
	wantRoots := []string{"alliances", "events", "jobOpenings", "organizations", "partnerships", "resources", "skills", "talents", "trainingCenters", "trainingCourses"}
	var roots []string
	query := g.s.Types["Query"]
	for _, f := range query.Fields {
		if !g.isConnection(f) {
			continue
		}
		claimed := g.declared("Query", f.Name)
		if claimed {
			roots = append(roots, f.Name)
		}
		get := func(args string) (string, string) {
			return cursors("{ " + f.Name + args + " { " + genPageInfo + " } }")
		}
		for _, c := range g.cases(f, get) {
			queries = append(queries, genQuery{f.Name + ": " + c.name, "{ " + c.query(c.args, "") + " }", claimed && !c.mixed()})
		}
		// The connections of its nodes, under the first page of nodes.
		conn := g.s.Types[f.Type.Name()]
		nodeType := g.s.Types[g.s.Types[conn.Fields.ForName("edges").Type.Name()].Fields.ForName("node").Type.Name()]
		for _, nf := range nodeType.Fields {
			if !g.isConnection(nf) || !undirected(nf) {
				continue
			}
			nested := claimed && g.declared(nodeType.Name, nf.Name)
			outer := func(inner string) string {
				return fmt.Sprintf("{ %s(first: 3) { edges { node { __typename %s } } } }", f.Name, inner)
			}
			get := func(args string) (string, string) {
				return cursors(outer(nf.Name + args + " { " + genPageInfo + " }"))
			}
			for _, c := range g.cases(nf, get) {
				queries = append(queries, genQuery{f.Name + "." + nf.Name + ": " + c.name, outer(c.query(c.args, "")), nested && !c.mixed()})
			}
		}
	}
	if slices.Sort(roots); !slices.Equal(roots, wantRoots) {
		t.Errorf("the engine answers the root connections %v, want %v", roots, wantRoots)
	}
	// Every node type by node(id:) and nodes(ids:): the first rows of its table, a
	// resource shared with named members only (hidden from all but some), a placement
	// to such a resource, an event of a kind anonymous callers may not read and one
	// about a resource shared with named members only, and a missing row.
	nodeIDs := map[relay.Type]string{
		relay.TypeAlliance: "SELECT id FROM alliance ORDER BY id LIMIT 2", relay.TypeOrganization: "SELECT id FROM organization ORDER BY id LIMIT 2",
		relay.TypeMembership: "SELECT id FROM membership ORDER BY id LIMIT 2", relay.TypePartnership: "SELECT id FROM partnership ORDER BY id LIMIT 2",
		relay.TypeTrainingCenter: "SELECT id FROM training_center ORDER BY id LIMIT 2",
		relay.TypeResource: `SELECT id FROM (SELECT min(id) AS id FROM resource WHERE NOT shared_with_all UNION SELECT min(id) FROM resource GROUP BY category) x
			WHERE id IS NOT NULL UNION ALL SELECT 987654321`,
		relay.TypeSkill: "SELECT id FROM skill ORDER BY id LIMIT 2", relay.TypeTalent: "SELECT id FROM talent ORDER BY id LIMIT 2",
		// A placement is seen only by who sees its opening: the first of an opening
		// shared with named members only, and the first of all.
		relay.TypePlacement: `SELECT min(pl.id) FROM placement pl JOIN resource r ON r.id = pl.opening_id WHERE NOT r.shared_with_all
			UNION SELECT min(id) FROM placement`, relay.TypeEvent: `SELECT id FROM (SELECT id FROM event ORDER BY id LIMIT 2) f
			UNION SELECT min(id) FROM event WHERE kind = 'TALENT_REGISTERED' UNION SELECT min(id) FROM event WHERE restricted`,
	}
	declaredSel := g.selection("Node", 1, true)
	for _, typ := range slices.Sorted(maps.Keys(nodeIDs)) {
		var keys []int64
		if err := testDB.DB.Select(&keys, nodeIDs[typ]); err != nil {
			t.Fatal(err)
		}
		_, _, declared := store.NodeType(string(typ))
		var ids []string
		for _, k := range keys {
			id := relay.ID(typ, k)
			ids = append(ids, `"`+id+`"`)
			queries = append(queries,
				genQuery{fmt.Sprintf("node %s %d", typ, k), fmt.Sprintf("{ node(id: %q) %s }", id, declaredSel), declared},
				genQuery{fmt.Sprintf("node %s %d, every field", typ, k), fmt.Sprintf("{ node(id: %q) %s }", id, g.selection("Node", 1, false)), false})
		}
		queries = append(queries, genQuery{"nodes " + string(typ), fmt.Sprintf("{ nodes(ids: [%s]) %s }", strings.Join(ids, ", "), declaredSel), declared})
	}
	// Each viewer asks its own one-statement server, so that the three run side by side
	// and each server's statement count and request log are its viewer's alone.
	for _, who := range slices.Sorted(maps.Keys(viewers)) {
		v := viewers[who]
		t.Run(who, func(t *testing.T) {
			t.Parallel()
			one := startConfiguredServer(t, testDB, func(c *server.Config) { c.OneStatement = true })
			answered, claimed := 0, 0
			for _, q := range queries {
				before := one.statements.Load()
				got := one.queryAs(t, v, q.query, nil)
				sent := one.statements.Load() - before
				logs := requestLogs(t, one)
				oneStatement := logs[len(logs)-1]["one_statement_answers"] == float64(1)
				want := executor.queryAs(t, v, q.query, nil)
				for _, e := range want.Errors {
					if e.Extensions["code"] == "GRAPHQL_VALIDATION_FAILED" {
						t.Fatalf("%s: the generator wrote an invalid query: %s\n%s", q.name, e.Message, q.query)
					}
				}
				if !sameJSON(t, got.Data, want.Data) {
					t.Errorf("%s: one statement answered\n%s\nthe executor\n%s\nquery: %s", q.name, got.Data, want.Data, q.query)
					continue
				}
				if !sameErrors(got.Errors, want.Errors) {
					t.Errorf("%s: errors differ: %+v, the executor's %+v\nquery: %s", q.name, got.Errors, want.Errors, q.query)
				}
				if oneStatement {
					answered++
					if sent != 1 {
						t.Errorf("%s: answered in one statement but sent %d", q.name, sent)
					}
				}
				// A query the executor refuses (a bad cursor, a bad filter value) goes to it.
				if q.claimed && len(want.Errors) == 0 {
					claimed++
					if !oneStatement {
						t.Errorf("%s: declared, but not answered in one statement\nquery: %s", q.name, q.query)
					}
				}
			}
			t.Logf("%d generated queries; %d answered in one statement, %d of them claimed", len(queries), answered, claimed)
			if claimed == 0 {
				t.Error("no generated query is claimed by the engine: this compares the executor with itself")
			}
		})
	}
}

// requestID is where an internal error names its request, which differs between servers.
var requestID = regexp.MustCompile(`request id [0-9a-f]+`)

// sameErrors compares two lists of errors but for the request ids they quote and their
// order, which follows the order resolvers finish in.
func sameErrors(a, b []gqlError) bool {
	key := func(errs []gqlError) []string {
		out := make([]string, len(errs))
		for i, e := range errs {
			out[i] = fmt.Sprint(e.Path, e.Extensions["code"], requestID.ReplaceAllString(e.Message, ""))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// firstCursors finds the first page info with an end cursor in an answer.
func firstCursors(v any) (string, string) {
	switch v := v.(type) {
	case map[string]any:
		if info, ok := v["pageInfo"].(map[string]any); ok {
			if end, _ := info["endCursor"].(string); end != "" {
				start, _ := info["startCursor"].(string)
				return start, end
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if start, end := firstCursors(v[k]); end != "" {
				return start, end
			}
		}
	case []any:
		for _, e := range v {
			if start, end := firstCursors(e); end != "" {
				return start, end
			}
		}
	}
	return "", ""
}
