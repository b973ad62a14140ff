package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/alliance-graph/alliance-graph/graph"
	"github.com/alliance-graph/alliance-graph/internal/auth"
)

// The hostile-input suite: whatever a client sends, it gets a clear answer (a GraphQL
// error with extensions.code, or correct data), never a 500 without a code and never a
// panic; and afterwards the server's goroutines and heap are back near where they were.

// clear checks that an answer to a hostile request is well-formed: a JSON body with
// errors carrying a message, a code on every error of a 5xx, and no internal error.
func clear(t *testing.T, what string, e exchange) {
	t.Helper()
	if e.status >= 500 && e.status != http.StatusServiceUnavailable {
		t.Errorf("%s: status %d: %s", what, e.status, e.raw)
	}
	if e.status >= 400 && !e.json {
		t.Errorf("%s: status %d with a body that is no GraphQL response: %.300s", what, e.status, e.raw)
	}
	for _, err := range e.resp.Errors {
		if err.Message == "" {
			t.Errorf("%s: an error without a message: %s", what, e.raw)
		}
		code, _ := err.Extensions["code"].(string)
		if code == "INTERNAL_SERVER_ERROR" || (code == "" && e.status >= 500) {
			t.Errorf("%s: status %d, error %+v", what, e.status, err)
		}
	}
}

// timed runs f and fails if it takes longer than limit: hostile documents must be
// refused cheaply.
func timed(t *testing.T, what string, limit time.Duration, f func() exchange) exchange {
	t.Helper()
	start := time.Now()
	e := f()
	if took := time.Since(start); took > limit {
		t.Errorf("%s took %v, more than %v", what, took, limit)
	}
	return e
}

func settle(cond func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		runtime.GC()
		if cond() {
			return true
		}
	}
	return cond()
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestHostileInputGetsClearAnswersAndLeavesNothingBehind(t *testing.T) {
	ts := newLimitedServer(t, nil) // the production defaults
	admin := map[string]string{"Authorization": "Bearer " + ts.token(t, auth.Viewer{Role: auth.RoleAdmin})}
	skills := sqlInt(t, "SELECT count(*) FROM skill")
	// Warm up the pool and the caches, then take the baseline.
	gql(t, ts, `{ skills(first: 1) { totalCount } }`, nil, admin)
	http.DefaultClient.CloseIdleConnections()
	baseGoroutines := 0
	settle(func() bool { baseGoroutines = runtime.NumGoroutine(); return true })
	baseHeap := heapAlloc()

	t.Run("malformed bodies and wrong content types", func(t *testing.T) {
		valid := `{"query":"{ skills(first: 1) { totalCount } }"}`
		cases := []struct{ name, contentType, body string }{
			{"truncated JSON", "application/json", `{"query": "{ skills`},
			{"empty body", "application/json", ``},
			{"JSON null", "application/json", `null`},
			{"JSON string", "application/json", `"{ skills { totalCount } }"`},
			{"query is a number", "application/json", `{"query": 5}`},
			{"variables is a string", "application/json", `{"query": "{ skills(first: 1) { totalCount } }", "variables": "x"}`},
			{"operationName is an object", "application/json", `{"query": "{ __typename }", "operationName": {}}`},
			{"invalid UTF-8", "application/json", "{\"query\": \"{ skills(first: 1) { totalCount \xff\xfe } }\"}"},
			{"trailing garbage", "application/json", valid + `}}}`},
			{"batched operations (a JSON array)", "application/json", `[` + valid + `,` + valid + `]`},
			{"text/plain", "text/plain", valid},
			{"form", "application/x-www-form-urlencoded", "query=" + url.QueryEscape(`{ __typename }`)},
			{"multipart", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n" + valid + "\r\n--x--\r\n"},
			{"no content type", "", valid},
			{"JSON in UTF-16 claimed", "application/json; charset=utf-16", valid},
			{"nonsense media type", "application/json;;;=", valid},
		}
		for _, c := range cases {
			e := timed(t, c.name, 2*time.Second, func() exchange {
				return send(t, ts, http.MethodPost, "/query", c.contentType, strings.NewReader(c.body), nil)
			})
			clear(t, c.name, e)
			// gqlgen reads the first JSON value of a body and ignores what follows it, and
			// takes application/json whatever its charset; both then answer correctly.
			if e.status == http.StatusOK && len(e.resp.Errors) == 0 && c.name != "JSON in UTF-16 claimed" && c.name != "trailing garbage" {
				t.Errorf("%s: accepted without an error: %s", c.name, e.raw)
			}
		}
		for name, q := range map[string]string{
			"GET with malformed variables":   "/query?query=" + url.QueryEscape(`query($n: Int) { skills(first: $n) { totalCount } }`) + "&variables=%7Bnot-json",
			"GET with a mutation":            "/query?query=" + url.QueryEscape(`mutation { __typename }`),
			"GET with no query":              "/query",
			"GET with a broken percent code": "/query?query=%zz",
		} {
			e := send(t, ts, http.MethodGet, q, "", nil, nil)
			clear(t, name, e)
			if len(e.resp.Errors) == 0 && e.status < 400 {
				t.Errorf("%s: accepted: %d %s", name, e.status, e.raw)
			}
		}
	})

	t.Run("oversized bodies", func(t *testing.T) {
		big := `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 2<<20) + `"}}`
		e := timed(t, "2 MiB body", 5*time.Second, func() exchange {
			return send(t, ts, http.MethodPost, "/query", "application/json", strings.NewReader(big), nil)
		})
		if e.status != http.StatusRequestEntityTooLarge || e.code() != "REQUEST_TOO_LARGE" {
			t.Errorf("a 2 MiB body: %d %.300s", e.status, e.raw)
		}
		// A huge body of endless JSON whitespace, streamed without a length.
		e = send(t, ts, http.MethodPost, "/query", "application/json", io.MultiReader(strings.NewReader(`{"query":"{ __typename }"`), bytes.NewReader(bytes.Repeat([]byte(" "), 3<<20)), strings.NewReader("}")), nil)
		if e.status != http.StatusRequestEntityTooLarge {
			t.Errorf("a 3 MiB chunked body: %d %.300s", e.status, e.raw)
		}
	})

	t.Run("deep, wide and self-referencing documents", func(t *testing.T) {
		parents := `{ skills(first: 1) { edges { node { ` + strings.Repeat("parent { ", 60) + "id" + strings.Repeat(" }", 60) + ` } } } }`
		braces := strings.Repeat("{ a ", 50_000) + strings.Repeat("}", 50_000)
		var aliases, same, costly strings.Builder
		for i := range 3000 {
			fmt.Fprintf(&aliases, " a%d: __typename", i)
		}
		for range 2000 {
			same.WriteString(" alliance { id }")
		}
		for i := range 800 {
			fmt.Fprintf(&costly, " s%d: skills(first: 100) { edges { node { id code } } }", i)
		}
		// Each fragment spreads the one before twice: expanded, the document would
		// have 2^30 fields.
		var bomb strings.Builder
		bomb.WriteString(`{ skills(first: 1) { edges { node { ...F30 } } } } fragment F0 on Skill { id }`)
		for i := 1; i <= 30; i++ {
			fmt.Fprintf(&bomb, " fragment F%d on Skill { parent { ...F%d } children { ...F%d } }", i, i-1, i-1)
		}
		cases := []struct {
			name, query string
			codes       []string // acceptable codes of the first error
		}{
			{"60 nested fields", parents, []string{"QUERY_TOO_DEEP"}},
			{"50,000 nested braces", braces, []string{"GRAPHQL_PARSE_FAILED"}},
			{"3,000 aliases", "{" + aliases.String() + " }", nil},
			{"2,000 copies of one field", "{" + same.String() + " }", []string{"QUERY_TOO_WIDE"}},
			{"one fragment spread 1,000 times", "{ alliance { id }" + strings.Repeat(" ...Q", 1000) + " } fragment Q on Query { __typename }", []string{"QUERY_TOO_WIDE"}},
			{"copies hidden in inline fragments", "{" + strings.Repeat(" ... on Query { alliance { id } }", 1000) + " }", []string{"QUERY_TOO_WIDE"}},
			{"800 aliases of a page of 100", "{" + costly.String() + " }", []string{"QUERY_TOO_COMPLEX"}},
			{"a fragment cycle", `{ skills(first: 1) { edges { node { ...A } } } } fragment A on Skill { parent { ...B } } fragment B on Skill { children { ...A } }`, []string{"GRAPHQL_VALIDATION_FAILED"}},
			{"a fragment spreading itself", `{ alliance { ...A } } fragment A on Alliance { ...A }`, []string{"GRAPHQL_VALIDATION_FAILED"}},
			{"a fragment bomb", bomb.String(), []string{"QUERY_TOO_DEEP", "GRAPHQL_VALIDATION_FAILED"}},
			{"two anonymous operations", `{ __typename } { alliance { id } }`, []string{"GRAPHQL_VALIDATION_FAILED"}},
			{"two operations of one name", `query A { __typename } query A { alliance { id } }`, []string{"GRAPHQL_VALIDATION_FAILED"}},
			{"an unknown directive", `{ alliance @evil { id } }`, []string{"GRAPHQL_VALIDATION_FAILED"}},
		}
		for _, c := range cases {
			start := time.Now()
			e := timed(t, c.name, 5*time.Second, func() exchange { return gql(t, ts, c.query, nil, admin) })
			t.Logf("%s: %d %s in %v", c.name, e.status, e.code(), time.Since(start).Round(time.Millisecond))
			clear(t, c.name, e)
			if c.codes != nil && (len(e.resp.Errors) == 0 || !contains(c.codes, e.code())) {
				t.Errorf("%s: status %d, errors %.500s; want one of %v", c.name, e.status, e.raw, c.codes)
			}
		}
	})

	t.Run("huge and hostile variables", func(t *testing.T) {
		ids := make([]string, 20_000)
		for i := range ids {
			ids[i] = fmt.Sprintf("id-%d", i)
		}
		e := timed(t, "20,000 ids", 5*time.Second, func() exchange {
			return gql(t, ts, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, admin)
		})
		clear(t, "20,000 ids", e)
		if c := e.code(); c != "QUERY_TOO_COMPLEX" && c != "BAD_USER_INPUT" {
			t.Errorf("20,000 ids: %.300s", e.raw)
		}
		nested := `{"query":"query($v: [ID!]) { __typename }","variables":{"v":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}}`
		e = send(t, ts, http.MethodPost, "/query", "application/json", strings.NewReader(nested), nil)
		clear(t, "variables nested 100,000 deep", e)
		if len(e.resp.Errors) == 0 {
			t.Errorf("variables nested 100,000 deep accepted: %.300s", e.raw)
		}
		for name, vars := range map[string]map[string]any{
			"wrong type":        {"n": "twenty"},
			"huge number":       {"n": 1e300},
			"negative page":     {"n": -5},
			"unknown variables": {"n": 1, "x": map[string]any{"y": []any{1, "2", nil}}},
		} {
			e := gql(t, ts, `query($n: Int) { skills(first: $n) { totalCount } }`, vars, admin)
			clear(t, name, e)
		}
	})

	t.Run("SQL metacharacters in every string argument", func(t *testing.T) {
		targets := stringArguments(t)
		if len(targets) < 10 {
			t.Fatalf("found only %d string arguments in the schema", len(targets))
		}
		hostile := []string{`'`, `;`, `--`, `%`, `_`, `\`, `'; DROP TABLE skill; --`, `%' OR '1'='1`, `\'`, `$1`, `ä' 中文 🎓`}
		for _, target := range targets {
			vars := map[string]any{}
			for i, h := range hostile {
				vars[fmt.Sprintf("s%d", i)] = h
			}
			answers := []exchange{gql(t, ts, target.query(len(hostile)), vars, admin)}
			if answers[0].code() == "QUERY_TOO_COMPLEX" {
				// A field priced as computed (employmentOutcomes past its kept page) costs
				// more asked for eleven times at once than an administrator may: one value
				// a request.
				answers = answers[:0]
				for _, h := range hostile {
					answers = append(answers, gql(t, ts, target.query(1), map[string]any{"s0": h}, admin))
				}
			}
			for _, e := range answers {
				clear(t, target.name, e)
				for _, err := range e.resp.Errors {
					if c, _ := err.Extensions["code"].(string); !contains([]string{"BAD_USER_INPUT", "NOT_FOUND", "FORBIDDEN"}, c) {
						t.Errorf("%s: error %+v", target.name, err)
					}
				}
				if target.connection && len(e.resp.Errors) == 0 {
					checkWildcardsAreLiteral(t, target.name, e.resp.Data)
				}
			}
			// NUL cannot reach PostgreSQL: it is refused as bad input.
			e := gql(t, ts, target.query(1), map[string]any{"s0": "a\x00b"}, admin)
			if e.code() != "BAD_USER_INPUT" || e.resp.Errors[0].Extensions["argument"] == nil {
				t.Errorf("%s with NUL: %d %.300s; want BAD_USER_INPUT naming the argument", target.name, e.status, e.raw)
			}
		}
		t.Logf("%d string arguments, each with %d hostile values and NUL", len(targets), len(hostile))
		if n := sqlInt(t, "SELECT count(*) FROM skill"); n != skills {
			t.Errorf("skills: %d, were %d", n, skills)
		}
	})

	http.DefaultClient.CloseIdleConnections()
	ts.Client().CloseIdleConnections()
	var goroutines int
	if !settle(func() bool { goroutines = runtime.NumGoroutine(); return goroutines <= baseGoroutines+5 }) {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d, %d before the hostile requests\n%s", goroutines, baseGoroutines, buf[:runtime.Stack(buf, true)])
	}
	heap := heapAlloc()
	t.Logf("goroutines %d → %d; heap %.1f MiB → %.1f MiB", baseGoroutines, goroutines, float64(baseHeap)/(1<<20), float64(heap)/(1<<20))
	// The parsed-query cache keeps up to 1000 valid documents; beyond that nothing of
	// the requests may stay.
	if heap > baseHeap+48<<20 {
		t.Errorf("heap grew from %d to %d bytes", baseHeap, heap)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkWildcardsAreLiteral checks that "%" and "_" are not LIKE wildcards: no text of
// the demo data contains them, so as filters they must not match what the unfiltered
// field (alias base) matches.
func checkWildcardsAreLiteral(t *testing.T, name string, data []byte) {
	t.Helper()
	counts := map[string]int{}
	for _, alias := range []string{"base", "s3", "s4"} { // s3 is "%", s4 is "_"
		i := bytes.Index(data, []byte(`"`+alias+`":{"totalCount":`))
		if i < 0 {
			return // under a null parent, or not reached
		}
		var n int
		fmt.Sscanf(string(data[i+len(alias)+len(`"":{"totalCount":`):]), "%d", &n)
		counts[alias] = n
	}
	if counts["base"] > 0 && (counts["s3"] >= counts["base"] || counts["s4"] >= counts["base"]) {
		t.Errorf("%s: %%/_ match %d/%d of %d: wildcards reach LIKE", name, counts["s3"], counts["s4"], counts["base"])
	}
}

// stringArgument is a place in the schema where a client puts a string: an argument of
// type String, or a String field (or list) of an input object, however deep, of an
// argument of a field reachable from Query.
type stringArgument struct {
	name       string
	path       []string // enclosing selections, from Query down to the field's parent
	field      string
	args       func(slot string) string // the field's arguments with the slot filled
	base       string                   // the field's arguments without the slot
	selection  string
	connection bool
}

// query selects the field once per hostile value, as aliases s0..sn-1, plus the field
// without the hostile argument as alias base.
func (a stringArgument) query(n int) string {
	var decl, body strings.Builder
	for i := range n {
		if i > 0 {
			decl.WriteString(", ")
		}
		fmt.Fprintf(&decl, "$s%d: String!", i)
		fmt.Fprintf(&body, " s%d: %s%s %s", i, a.field, a.args(fmt.Sprintf("$s%d", i)), a.selection)
	}
	fmt.Fprintf(&body, " base: %s%s %s", a.field, a.base, a.selection)
	q := body.String()
	for i := len(a.path) - 1; i >= 0; i-- {
		q = a.path[i] + " { " + q + " }"
	}
	return "query(" + decl.String() + ") { " + q + " }"
}

// stringArguments walks the schema from Query and lists every string argument.
func stringArguments(t *testing.T) []stringArgument {
	t.Helper()
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	// Paths from Query to each type, breadth first through fields without required
	// arguments, connections' edges and nodes, and fragments on abstract types.
	paths := map[string][]string{schema.Query.Name: nil}
	queue := []string{schema.Query.Name}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		def := schema.Types[name]
		reach := func(to string, step string) {
			if _, ok := paths[to]; ok {
				return
			}
			paths[to] = append(append([]string{}, paths[name]...), step)
			queue = append(queue, to)
		}
		switch def.Kind {
		case ast.Interface, ast.Union:
			impls := schema.GetPossibleTypes(def)
			sort.Slice(impls, func(i, j int) bool { return impls[i].Name < impls[j].Name })
			for _, impl := range impls {
				reach(impl.Name, "... on "+impl.Name)
			}
		}
		if def.Kind != ast.Object && def.Kind != ast.Interface {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") || requiredArgs(f) {
				continue
			}
			target := schema.Types[f.Type.Name()]
			if target == nil || (target.Kind != ast.Object && target.Kind != ast.Interface && target.Kind != ast.Union) {
				continue
			}
			step := f.Name
			if f.Arguments.ForName("first") != nil {
				step += "(first: 2)"
			}
			reach(target.Name, step)
		}
	}
	var out []stringArgument
	names := make([]string, 0, len(paths))
	for n := range paths {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, typeName := range names {
		def := schema.Types[typeName]
		if def.Kind != ast.Object {
			continue
		}
		for _, f := range def.Fields {
			for _, arg := range f.Arguments {
				for _, slot := range stringSlots(schema, arg.Type, 0) {
					arg, slot, f := arg, slot, f
					others := func() []string {
						var parts []string
						for _, o := range f.Arguments {
							if o.Name == "first" && o != arg {
								parts = append(parts, "first: 2")
							} else if o != arg && o.Type.NonNull && o.DefaultValue == nil {
								parts = append(parts, o.Name+": "+fill(schema, o.Type, 0))
							}
						}
						return parts
					}
					wrap := func(parts []string) string {
						if len(parts) == 0 {
							return ""
						}
						return "(" + strings.Join(parts, ", ") + ")"
					}
					sel, conn := selectionFor(schema, f.Type)
					a := stringArgument{
						name:  fmt.Sprintf("%s.%s(%s%s)", typeName, f.Name, arg.Name, slot.path),
						path:  paths[typeName],
						field: f.Name,
						args: func(v string) string {
							return wrap(append(others(), arg.Name+": "+slot.literal(v)))
						},
						selection:  sel,
						connection: conn,
					}
					if arg.Type.NonNull && arg.DefaultValue == nil {
						a.base = wrap(append(others(), arg.Name+": "+fill(schema, arg.Type, 0)))
						a.connection = false // the base is filtered too
					} else {
						a.base = wrap(others())
					}
					out = append(out, a)
				}
			}
		}
	}
	return out
}

func requiredArgs(f *ast.FieldDefinition) bool {
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			return true
		}
	}
	return false
}

// slot is where, inside an argument's value, the hostile string goes.
type slot struct {
	path    string                // e.g. ".filter.districts[]", for the test's name
	literal func(v string) string // the argument's value with v in the slot
}

// stringSlots lists the String places in a value of type t.
func stringSlots(schema *ast.Schema, t *ast.Type, depth int) []slot {
	if depth > 4 {
		return nil
	}
	if t.Elem != nil {
		var out []slot
		for _, s := range stringSlots(schema, t.Elem, depth+1) {
			out = append(out, slot{path: "[]" + s.path, literal: func(v string) string { return "[" + s.literal(v) + "]" }})
		}
		return out
	}
	if t.NamedType == "String" {
		return []slot{{literal: func(v string) string { return v }}}
	}
	def := schema.Types[t.NamedType]
	if def == nil || def.Kind != ast.InputObject {
		return nil
	}
	var out []slot
	for _, f := range def.Fields {
		for _, s := range stringSlots(schema, f.Type, depth+1) {
			f, s := f, s
			out = append(out, slot{path: "." + f.Name + s.path, literal: func(v string) string {
				parts := []string{f.Name + ": " + s.literal(v)}
				for _, o := range def.Fields {
					if o != f && o.Type.NonNull && o.DefaultValue == nil {
						parts = append(parts, o.Name+": "+fill(schema, o.Type, depth+1))
					}
				}
				return "{" + strings.Join(parts, ", ") + "}"
			}})
		}
	}
	return out
}

// fill writes a plausible value of type t for a required argument or input field.
func fill(schema *ast.Schema, t *ast.Type, depth int) string {
	if t.Elem != nil {
		return "[" + fill(schema, t.Elem, depth+1) + "]"
	}
	switch t.NamedType {
	case "Int", "Float":
		return "1"
	case "Boolean":
		return "false"
	case "String", "ID":
		return `"x"`
	}
	def := schema.Types[t.NamedType]
	switch {
	case def == nil:
		return `"x"`
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def.Kind == ast.InputObject && depth < 5:
		var parts []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				parts = append(parts, f.Name+": "+fill(schema, f.Type, depth+1))
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return `"x"`
}

// selectionFor selects what makes a field of type t run its SQL: a connection's count
// and page, any other object's __typename.
func selectionFor(schema *ast.Schema, t *ast.Type) (string, bool) {
	def := schema.Types[t.Name()]
	switch {
	case def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum:
		return "", false
	case def.Fields.ForName("totalCount") != nil && def.Fields.ForName("edges") != nil:
		return "{ totalCount edges { cursor } }", true
	}
	return "{ __typename }", false
}
