package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	gqlerrcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// Limits bound what a single request may ask of the server. A zero field takes its
// default below; a negative one switches that limit off.
type Limits struct {
	// MaxDepth is how deeply fields may nest; a root field is at depth 1.
	MaxDepth int
	// MaxComplexity bounds the estimated cost (see measure and prices.go) of an
	// anonymous caller's operation; the next ones bound those of the other roles.
	MaxComplexity        int
	MaxComplexityMember  int
	MaxComplexityAnalyst int
	MaxComplexityAdmin   int
	// MaxTokens bounds how many lexical tokens the parser reads from a query document
	// before it gives up, so that a huge document is refused before it is validated.
	MaxTokens int
	// MaxBodyBytes bounds the body of an HTTP request (and the query string of a GET).
	MaxBodyBytes int64
	// MaxRepeats bounds how often one selection set may select one response name
	// (see selectionLimit).
	MaxRepeats int
}

// The defaults fit the deepest and costliest queries the frontends send (the nested
// alliance → members → partnerships → participants → resources query is depth 15 and,
// with 50 members per page, costs 22,854, which took 246 ms of CPU at scale 100; the
// dashboard's figures 10,100) with room to spare, while a query fanning out over
// three nested pages of 100 is refused. A unit being about 10 µs of CPU (prices.go), an
// anonymous operation may cost about half a CPU-second, a member's one, an analyst's or
// administrator's three: the analysts' questions over pages of openings (matches and
// gap courses of 20 openings, some 83,000) need more than the public.
const (
	DefaultMaxDepth             = 20
	DefaultMaxComplexity        = 50_000
	DefaultMaxComplexityMember  = 100_000
	DefaultMaxComplexityAnalyst = 300_000
	DefaultMaxComplexityAdmin   = 300_000
	DefaultMaxTokens            = 15_000
	DefaultMaxBodyBytes         = 1 << 20
	DefaultMaxRepeats           = 30
)

// defaultPage is what a connection returns without first or last (graph/paging.go).
const defaultPage = 20

func (l Limits) withDefaults() Limits {
	if l.MaxDepth == 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxComplexity == 0 {
		l.MaxComplexity = DefaultMaxComplexity
	}
	if l.MaxComplexityMember == 0 {
		l.MaxComplexityMember = DefaultMaxComplexityMember
	}
	if l.MaxComplexityAnalyst == 0 {
		l.MaxComplexityAnalyst = DefaultMaxComplexityAnalyst
	}
	if l.MaxComplexityAdmin == 0 {
		l.MaxComplexityAdmin = DefaultMaxComplexityAdmin
	}
	if l.MaxTokens == 0 {
		l.MaxTokens = DefaultMaxTokens
	}
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if l.MaxRepeats == 0 {
		l.MaxRepeats = DefaultMaxRepeats
	}
	return l
}

func init() {
	// Refusals by limit describe the request, like validation errors, so they take the
	// status gqlgen gives those (422 for application/json, 400 for
	// application/graphql-response+json) and whatever mapping of that kind the
	// transports apply.
	for _, c := range []errcode.Code{errcode.QueryTooComplex, errcode.QueryTooDeep, errcode.QueryTooWide, errcode.IntrospectionDisabled} {
		gqlerrcode.RegisterErrorType(string(c), gqlerrcode.KindProtocol)
	}
}

// operationLimits refuses, after validation and before execution, operations nested too
// deeply, estimated too costly, or (with introspection off) introspecting the schema.
//
// Why a walker of our own rather than gqlgen's ComplexityLimit: gqlgen's calculator asks
// one generated function per field (ComplexityRoot), so weighting connections by their
// page size would mean assigning some 50 functions of as many signatures, by hand or by
// reflection, and redoing it for every new connection. The schema already says which
// fields are connections (a type named ...Connection with first/last arguments), so one
// walk of the operation with the schema weights all of them, present and future, and the
// same walk measures depth and spots introspection. It also memoises fragments, so a
// document spreading fragments into fragments costs linear time to measure.
type operationLimits struct {
	maxDepth      int
	limits        Limits // for the budgets of complexity, by role
	introspection bool
	schema        *ast.Schema
}

// budget is the most an operation of viewer v may cost; 0 or less: no limit.
func (l Limits) budget(v auth.Viewer) int {
	if v.Anonymous() {
		return l.MaxComplexity
	}
	switch v.Role {
	case auth.RoleAdmin:
		return l.MaxComplexityAdmin
	case auth.RoleAnalyst:
		return l.MaxComplexityAnalyst
	case auth.RoleMember:
		return l.MaxComplexityMember
	}
	return l.MaxComplexity
}

// callerName names the viewer's budget in refusals.
func callerName(v auth.Viewer) string {
	if v.Anonymous() {
		return "anonymous callers"
	}
	return string(v.Role) + " callers"
}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = &operationLimits{}

func (*operationLimits) ExtensionName() string { return "OperationLimits" }

func (l *operationLimits) Validate(es graphql.ExecutableSchema) error {
	l.schema = es.Schema()
	return nil
}

func (l *operationLimits) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	if arg, ok := nulArgument(op.Doc, op.Variables); ok {
		if arg == "" {
			return limitError(errcode.BadUserInput, "strings may not contain the NUL character (U+0000)", nil)
		}
		return limitError(errcode.BadUserInput, fmt.Sprintf("argument %q may not contain the NUL character (U+0000)", arg), map[string]any{"argument": arg})
	}
	m := newMeasure(l.schema, op.Variables)
	depth := m.depth(op.Operation.SelectionSet)
	if !l.introspection && m.introspects {
		return limitError(errcode.IntrospectionDisabled, "introspection is disabled on this server: __schema and __type cannot be queried", nil)
	}
	if l.maxDepth > 0 && depth > l.maxDepth {
		return limitError(errcode.QueryTooDeep,
			fmt.Sprintf("the operation nests fields %d levels deep, more than the limit of %d", depth, l.maxDepth),
			map[string]any{"limit": l.maxDepth, "depth": depth})
	}
	cost := m.cost(op.Operation.SelectionSet, l.root(op.Operation.Operation), 0, nil)
	v := auth.ViewerFrom(ctx)
	if limit := l.limits.budget(v); limit > 0 && cost > limit {
		return limitError(errcode.QueryTooComplex,
			fmt.Sprintf("the operation's estimated complexity is %d, more than the limit of %d for %s; ask for smaller pages (first/last), fewer nested connections or fewer costly fields (search, matches, totalCount...)", cost, limit, callerName(v)),
			map[string]any{"limit": limit, "complexity": cost})
	}
	op.Stats.SetExtension(costExtension, cost)
	return nil
}

func limitError(code errcode.Code, message string, ext map[string]any) *gqlerror.Error {
	if ext == nil {
		ext = map[string]any{}
	}
	ext["code"] = string(code)
	return &gqlerror.Error{Message: message, Extensions: ext}
}

// measure walks one operation. Cost is estimated as
//
//	cost(field)      = 1 + price + cost(its selections)                     (object or leaf)
//	cost(list)       = 1 + price + size × cost(its selections)
//	cost(connection) = 1 + price + page × cost(edges and nodes) + cost(other selections)
//	                     [+ the price of totalCount] [+ the price of filter.search]
//	cost(nodes(ids)) = 1 + len(ids) × cost(its selections)
//
// where page is the connection's first, else its last, else the default page of 20:
// every edge repeats its selection, while totalCount and pageInfo are computed once.
// Prices and list sizes are in prices.go; most fields have neither.
// On an interface or union only the costliest type's fragments count.
// __typename is free; introspection is left to gqlgen's own introspection-depth rule.
type measure struct {
	schema      *ast.Schema
	vars        map[string]any
	fragCost    map[fragKey]int
	fragDepth   map[string]int
	introspects bool
}

type fragKey struct {
	name  string
	page  int
	owner *ast.Field
}

func newMeasure(schema *ast.Schema, vars map[string]any) *measure {
	return &measure{schema: schema, vars: vars, fragCost: map[fragKey]int{}, fragDepth: map[string]int{}}
}

func (m *measure) depth(set ast.SelectionSet) int {
	deepest := 0
	for _, sel := range set {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if introspection(s.Name) {
				m.introspects = true
				continue
			}
			d = 1 + m.depth(s.SelectionSet)
		case *ast.InlineFragment:
			d = m.depth(s.SelectionSet)
		case *ast.FragmentSpread:
			var ok bool
			if d, ok = m.fragDepth[s.Name]; !ok && s.Definition != nil {
				d = m.depth(s.Definition.SelectionSet)
				m.fragDepth[s.Name] = d
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// cost sums a selection set made on type parent under field owner (nil at the root);
// page > 0 when the set is a connection's, so that its edges and nodes are multiplied
// by the page size. On an interface or union, each object is of one type only:
// fragments for a concrete type are summed per type and only the costliest type counts.
func (m *measure) cost(set ast.SelectionSet, parent *ast.Definition, page int, owner *ast.Field) int {
	total := 0
	var perType map[string]int
	conditional := func(on string, c int) {
		if parent == nil || parent.Kind == ast.Object || on == "" || m.schema.Types[on] == nil || m.schema.Types[on].Kind != ast.Object {
			total = add(total, c)
			return
		}
		if perType == nil {
			perType = map[string]int{}
		}
		perType[on] = add(perType[on], c)
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			c := m.fieldCost(s, owner)
			if page > 0 && (s.Name == "edges" || s.Name == "nodes") {
				c = mul(c, page)
			}
			total = add(total, c)
		case *ast.InlineFragment:
			inner := parent
			if s.TypeCondition != "" {
				inner = m.schema.Types[s.TypeCondition]
			}
			conditional(s.TypeCondition, m.cost(s.SelectionSet, inner, page, owner))
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			k := fragKey{s.Name, page, owner}
			c, ok := m.fragCost[k]
			if !ok {
				c = m.cost(s.Definition.SelectionSet, m.schema.Types[s.Definition.TypeCondition], page, owner)
				m.fragCost[k] = c
			}
			conditional(s.Definition.TypeCondition, c)
		}
	}
	costliest := 0
	for _, c := range perType {
		costliest = max(costliest, c)
	}
	return add(total, costliest)
}

func (m *measure) fieldCost(f *ast.Field, owner *ast.Field) int {
	if f.Name == "__typename" || introspection(f.Name) {
		return 0
	}
	if f.Definition == nil {
		return 1
	}
	typ := m.schema.Types[f.Definition.Type.Name()]
	key := f.Name
	if f.ObjectDefinition != nil {
		key = f.ObjectDefinition.Name + "." + f.Name
	}
	a := fieldArgs{m: m, f: f, parent: owner}
	p, priced := prices[key]
	own := 1
	if priced && p.each != nil {
		own = add(own, max(p.each(a), 0))
	}
	if page, ok := m.pageSize(f); ok {
		if a.filterSearch() {
			own = add(own, filterSearchPrice)
		}
		if selects(f.SelectionSet, "totalCount") {
			root := f.ObjectDefinition != nil && m.schema.Query != nil && f.ObjectDefinition.Name == m.schema.Query.Name
			own = add(own, max(countPrice(key, p, priced, a, root), 0))
		}
		return add(own, m.cost(f.SelectionSet, typ, page, f))
	}
	if ids := f.Arguments.ForName("ids"); ids != nil && ids.Value != nil {
		if v, err := ids.Value.Value(m.vars); err == nil {
			if list, ok := v.([]any); ok && len(list) > 1 {
				return add(own, mul(len(list), m.cost(f.SelectionSet, typ, 0, f)))
			}
		}
	}
	return add(own, mul(listSize(key, a), m.cost(f.SelectionSet, typ, 0, f)))
}

// selects reports whether set selects the field name itself, directly or through
// fragments.
func selects(set ast.SelectionSet, name string) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == name {
				return true
			}
		case *ast.InlineFragment:
			if selects(s.SelectionSet, name) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && selects(s.Definition.SelectionSet, name) {
				return true
			}
		}
	}
	return false
}

// pageSize reports whether f is a connection and how many edges it may return.
func (m *measure) pageSize(f *ast.Field) (int, bool) {
	def := f.Definition
	if def.Type == nil || len(def.Type.Name()) <= len("Connection") ||
		def.Type.Name()[len(def.Type.Name())-len("Connection"):] != "Connection" ||
		(def.Arguments.ForName("first") == nil && def.Arguments.ForName("last") == nil) {
		return 0, false
	}
	for _, name := range []string{"first", "last"} {
		if n, ok := m.intArg(f, name); ok {
			return max(n, 0), true
		}
	}
	return defaultPage, true
}

func (m *measure) intArg(f *ast.Field, name string) (int, bool) {
	a := f.Arguments.ForName(name)
	if a == nil || a.Value == nil {
		return 0, false
	}
	v, err := a.Value.Value(m.vars)
	if err != nil {
		return 0, false
	}
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(max(min(n, math.MaxInt32), math.MinInt32)), true
	case int32:
		return int(n), true
	case float64:
		return int(max(min(n, math.MaxInt32), math.MinInt32)), true
	case json.Number:
		i, err := n.Int64()
		return int(max(min(i, math.MaxInt32), math.MinInt32)), err == nil
	}
	return 0, false
}

func (l *operationLimits) root(op ast.Operation) *ast.Definition {
	switch op {
	case ast.Mutation:
		return l.schema.Mutation
	case ast.Subscription:
		return l.schema.Subscription
	}
	return l.schema.Query
}

func introspection(field string) bool { return field == "__schema" || field == "__type" }

// add and mul saturate, so that a hostile document cannot overflow its cost back under
// the limit.
func add(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}

// nulIn reports a NUL character in any string of a decoded variable's value.
// PostgreSQL refuses NUL in text, so such a string would otherwise fail as an internal
// error deep in a statement instead of as the client's bad input.
func nulIn(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.IndexByte(v, 0) >= 0
	case map[string]any:
		for _, x := range v {
			if nulIn(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if nulIn(x) {
				return true
			}
		}
	}
	return false
}

// nulArgument returns the argument whose value holds a NUL character, in a string
// literal (a "\u0000" escape) or through a variable, or "" when none does; ok is false
// when nothing holds one.
func nulArgument(doc *ast.QueryDocument, vars map[string]any) (argument string, ok bool) {
	bad := map[string]bool{}
	for name, v := range vars {
		if nulIn(v) {
			bad[name] = true
		}
	}
	var value func(v *ast.Value) bool
	value = func(v *ast.Value) bool {
		if v == nil {
			return false
		}
		switch v.Kind {
		case ast.StringValue, ast.BlockValue:
			return strings.IndexByte(v.Raw, 0) >= 0
		case ast.Variable:
			return bad[v.Raw]
		}
		for _, c := range v.Children {
			if value(c.Value) {
				return true
			}
		}
		return false
	}
	var set func(ast.SelectionSet) (string, bool)
	set = func(ss ast.SelectionSet) (string, bool) {
		for _, sel := range ss {
			switch s := sel.(type) {
			case *ast.Field:
				for _, a := range s.Arguments {
					if value(a.Value) {
						return a.Name, true
					}
				}
				if name, ok := set(s.SelectionSet); ok {
					return name, true
				}
			case *ast.InlineFragment:
				if name, ok := set(s.SelectionSet); ok {
					return name, true
				}
			}
		}
		return "", false
	}
	if doc != nil {
		for _, op := range doc.Operations {
			if name, ok := set(op.SelectionSet); ok {
				return name, true
			}
		}
		for _, f := range doc.Fragments {
			if name, ok := set(f.SelectionSet); ok {
				return name, true
			}
		}
	}
	return "", len(bad) > 0
}

// selectionLimit refuses, before parsing, a document that selects one field (one
// response name) too many times in a selection set. gqlparser's
// OverlappingFieldsCanBeMerged rule compares the fields of one response name pairwise,
// together with their subselections: 2,000 copies of one field take it 2 s, and 8,000 (a
// 90 kB document within the token limit) 30 s of CPU, while 3,000 different aliases take
// 150 ms. So repeats are bounded before validation. One pass of the lexer costs
// microseconds for ordinary documents, and nothing for documents in the parsed-query
// cache, which passed it.
type selectionLimit struct {
	max   int
	cache graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.OperationParameterMutator
	graphql.HandlerExtension
} = selectionLimit{}

func (selectionLimit) ExtensionName() string                   { return "SelectionLimit" }
func (selectionLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (s selectionLimit) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if s.max <= 0 || p.Query == "" {
		return nil
	}
	if s.cache != nil {
		if _, ok := s.cache.Get(ctx, p.Query); ok {
			return nil
		}
	}
	if name, n := mostRepeated(p.Query); n > s.max {
		return limitError(errcode.QueryTooWide,
			fmt.Sprintf("the operation selects %q %d times in one selection set, more than the limit of %d; fetch it once, or under fewer aliases", name, n, s.max),
			map[string]any{"limit": s.max, "repeats": n, "field": name})
	}
	return nil
}

// mostRepeated returns the response name (alias or field name, or "...Fragment" for a
// spread) selected most often in one selection set, and how often. Sets are counted
// after merging, as validation merges them: the subselections of fields of one response
// name, and inline fragments, count together. It only lexes: syntax errors are left to
// the parser.
func mostRepeated(query string) (string, int) {
	lex := lexer.New(&ast.Source{Input: query})
	// Merged selection sets are numbered: set (parent, response name) is the merged
	// subselection of that name in parent. Numbers rather than path strings keep this
	// linear in the document's length however deep it nests.
	type key struct {
		set  int
		name string
	}
	type frame struct {
		set       int
		selection bool // a selection set, not an input object literal
	}
	var stack []frame
	sets := map[key]int{}
	counts := map[key]int{}
	parens := 0
	worst, most := "", 0
	next := 0 // the set a following brace opens
	numbered := 0
	newSet := func() int { numbered++; return numbered }
	var prev, prev2 lexer.Token
	for {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return worst, most
		}
		switch tok.Kind {
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens--
		case lexer.BraceL:
			switch {
			case parens > 0 || (len(stack) > 0 && !stack[len(stack)-1].selection):
				stack = append(stack, frame{})
			case len(stack) == 0: // an operation or fragment definition
				stack = append(stack, frame{set: newSet(), selection: true})
			default:
				stack = append(stack, frame{set: next, selection: true})
			}
		case lexer.BraceR:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case lexer.Name, lexer.Spread:
			if len(stack) == 0 || !stack[len(stack)-1].selection || parens > 0 {
				break
			}
			top := stack[len(stack)-1].set
			var name string
			switch {
			case tok.Kind == lexer.Spread:
				next = top // an inline fragment's braces merge into this set
			case prev.Kind == lexer.Spread && tok.Value != "on":
				name = "..." + tok.Value // a fragment spread
			case prev.Kind == lexer.Colon || prev.Kind == lexer.Spread || prev.Kind == lexer.At || prev.Kind == lexer.Dollar ||
				(prev.Kind == lexer.Name && prev.Value == "on" && prev2.Kind == lexer.Spread):
			default:
				name = tok.Value
				k := key{top, name}
				child, ok := sets[k]
				if !ok {
					child = newSet()
					sets[k] = child
				}
				next = child
			}
			if name != "" {
				k := key{top, name}
				counts[k]++
				if counts[k] > most {
					worst, most = name, counts[k]
				}
			}
		}
		prev2, prev = prev, tok
	}
}
