package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// OneStatement answers a query with one SQL statement that builds the whole answer in
// PostgreSQL (store.Document) when it reads only what such a statement can: the alliance
// (or a node) and its members, organizations, partnerships, participants and shared
// resources, their plain fields and their lists, paged forward or backward, in any order. That is the
// deep read dashboards and lists make most, and the executor's way (an object, a field
// context and often a goroutine per field of every row, a batch per level) costs several
// times what PostgreSQL does. Type conditions on organizations (... on School) are
// followed, with a CASE on the row's kind. Everything else, and anything this cannot
// answer exactly as the resolvers would (cursors, page info, counts, filters, the fields
// of one resource category, directives, errors), goes to the executor unchanged: the
// interceptor hands on the operation when its plan or its statement fails, so errors
// are still reported in one place.
//
// Install it with AroundOperations after the limits, which have already checked the
// operation by then. answered, if not nil, is told of each operation it answers.
//
// present is the server's error presenter: a statement that fails because the request
// ended (its deadline, the client gone) is reported through it, as the resolvers' own
// statements would have been, rather than handed to an executor with no time left.
func OneStatement(s *store.Store, schema *ast.Schema, log *slog.Logger, clock calendar.Clock, present graphql.ErrorPresenterFunc, answered func(context.Context)) func(context.Context, graphql.OperationHandler) graphql.ResponseHandler {
	// The filters are translated by the resolvers' own converters; the courses' converter
	// judges them on the resolvers' day, from the same clock.
	filters := inputFilters(&Resolver{Clock: clock})
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
			return next(ctx)
		}
		doc, rest, err := answer(ctx, s, schema, log, filters, calendar.Today(clock()), oc)
		switch {
		case err != nil && ctx.Err() != nil:
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{present(ctx, err)}})
		case err != nil:
			return next(ctx)
		}
		if len(rest) > 0 {
			return mixed(ctx, oc, doc, rest, next)
		}
		if answered != nil {
			answered(ctx)
		}
		sent := false
		return func(context.Context) *graphql.Response {
			if sent {
				return nil
			}
			sent = true
			return &graphql.Response{Data: doc}
		}
	}
}

// answer plans and runs oc's one statement; an error leaves the operation to the
// executor. rest are the response keys of the root fields the statement does not
// answer, which the executor must. A bug here must cost the shortcut, not the answer: a
// panic is logged and the executor answers.
func answer(ctx context.Context, s *store.Store, schema *ast.Schema, log *slog.Logger, filters map[string]inputFilter, today time.Time, oc *graphql.OperationContext) (doc []byte, rest []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.ErrorContext(ctx, "one-statement plan panicked; the executor answers", "operation", oc.OperationName, "panic", fmt.Sprint(r))
			doc, rest, err = nil, nil, errNotPlain
		}
	}()
	p := docPlan{ctx: ctx, oc: oc, schema: schema, filters: filters}
	fields, rest, err := p.root(oc.Operation.SelectionSet)
	if err != nil {
		return nil, nil, err
	}
	if !worthIt(fields) {
		return nil, nil, errNotPlain
	}
	doc, found, err := s.Document(ctx, today, policy.Visibility(auth.ViewerFrom(ctx)), fields)
	switch {
	case err != nil && ctx.Err() == nil:
		log.WarnContext(ctx, "one-statement plan failed; the executor answers", "operation", oc.OperationName, "err", err)
		return nil, nil, err
	case err != nil:
		return nil, nil, fmt.Errorf("one statement of %s: %w", oc.OperationName, err)
	case !found:
		return nil, nil, errNotFound
	}
	return doc, rest, nil
}

// errNotFound marks a lookup that found nothing: the resolvers report it.
var errNotFound = errors.New("a looked-up row does not exist")

// worthIt reports whether a statement answers anything a constant would not.
func worthIt(fields []store.DocField) bool {
	for _, f := range fields {
		if _, ok := f.Value.(store.Const); !ok {
			return true
		}
	}
	return false
}

// mixed answers a query whose root fields one statement answers only in part (doc): the
// executor runs the operation with the other root fields alone (rest, plain fields by
// construction, see docPlan.root), and the two objects are joined in the order of the
// selection. The executor's errors and extensions pass on unchanged; a null data (an
// error on a non-null root field) nulls the whole answer, as it would have.
func mixed(ctx context.Context, oc *graphql.OperationContext, doc []byte, rest []string, next graphql.OperationHandler) graphql.ResponseHandler {
	order := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
	op := *oc.Operation
	op.SelectionSet = nil
	for _, s := range oc.Operation.SelectionSet {
		f := s.(*ast.Field) // docPlan.root splits only lists of fields
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		if slices.Contains(rest, key) {
			op.SelectionSet = append(op.SelectionSet, f)
		}
	}
	oc.Operation = &op
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		r := h(ctx)
		if r == nil || r.Data == nil || string(r.Data) == "null" {
			return r
		}
		joined, err := join(order, doc, r.Data)
		if err != nil {
			r.Errors = append(r.Errors, &gqlerror.Error{Message: "internal error: " + err.Error()})
			r.Data = nil
			return r
		}
		r.Data = joined
		return r
	}
}

// join writes the members of two JSON objects as one, in the order of fields.
func join(fields []graphql.CollectedField, a, b []byte) ([]byte, error) {
	var ma, mb map[string]json.RawMessage
	if err := json.Unmarshal(a, &ma); err != nil {
		return nil, fmt.Errorf("read one statement's answer: %w", err)
	}
	if err := json.Unmarshal(b, &mb); err != nil {
		return nil, fmt.Errorf("read the executor's answer: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range fields {
		v, ok := ma[f.Alias]
		if !ok {
			if v, ok = mb[f.Alias]; !ok {
				return nil, fmt.Errorf("no answer for %q", f.Alias)
			}
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f.Alias)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// errNotPlain marks a selection one statement does not answer.
var errNotPlain = errors.New("not answered by one statement")

type docPlan struct {
	ctx     context.Context
	oc      *graphql.OperationContext
	schema  *ast.Schema
	filters map[string]inputFilter
}

// plain reports whether a selection set on typeName is free of directives other than
// @skip and @include and of type conditions it cannot follow, and whether it has type
// conditions that depend on the row's type (... on School inside an Organization).
func (p *docPlan) plain(sel ast.SelectionSet, typeName string) (ok, conditional bool) {
	fragment := func(cond string, ds ast.DirectiveList, inner ast.SelectionSet) bool {
		if !onlySkipInclude(ds) {
			return false
		}
		if p.never(typeName, cond) {
			return true // gqlgen's field collection skips it for every row too
		}
		scope, ok := p.condition(typeName, cond)
		if !ok {
			return false
		}
		innerOK, innerCond := p.plain(inner, scope)
		conditional = conditional || innerCond || scope != typeName
		return innerOK
	}
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if !onlySkipInclude(s.Directives) || !p.undirected(typeName, s.Name) {
				return false, false
			}
		case *ast.InlineFragment:
			if !fragment(s.TypeCondition, s.Directives, s.SelectionSet) {
				return false, false
			}
		case *ast.FragmentSpread:
			f := p.oc.Doc.Fragments.ForName(s.Name)
			if f == nil || !fragment(f.TypeCondition, s.Directives, f.SelectionSet) {
				return false, false
			}
		default:
			return false, false
		}
	}
	return true, conditional
}

// condition reports whether a fragment on cond can be followed inside a selection on
// typeName, and the type its fields are selected on: typeName itself, or for a
// polymorphic interface one of its types.
func (p *docPlan) condition(typeName, cond string) (string, bool) {
	def := p.schema.Types[typeName]
	switch {
	case def == nil:
		return "", false
	case cond == "" || cond == typeName || slices.Contains(def.Interfaces, cond):
		return typeName, true
	}
	if t, ok := store.Type(typeName); ok {
		for _, concrete := range t.Kinds {
			if concrete == cond {
				return cond, true
			}
		}
	}
	return "", false
}

// never reports whether a fragment on cond applies to no row of typeName (... on
// Partnership in a node query for an organization).
func (p *docPlan) never(typeName, cond string) bool {
	def, on := p.schema.Types[typeName], p.schema.Types[cond]
	if cond == "" || def == nil || on == nil {
		return false
	}
	for _, t := range p.schema.GetPossibleTypes(def) {
		if t.Name == cond || slices.Contains(t.Interfaces, cond) || slices.Contains(on.Types, t.Name) {
			return false
		}
	}
	return true
}

// satisfies are the type conditions gqlgen's field collection matches on typeName.
func (p *docPlan) satisfies(typeName string) []string {
	out := []string{typeName}
	if def := p.schema.Types[typeName]; def != nil {
		out = append(out, def.Interfaces...)
	}
	return out
}

func onlySkipInclude(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

// undirected reports whether the field carries no schema directive (@requires,
// @personal: checks only the executor makes) on the type or on any type implementing it.
func (p *docPlan) undirected(typeName, field string) bool {
	if field == "__typename" {
		return true
	}
	def := p.schema.Types[typeName]
	if def == nil {
		return false
	}
	for _, t := range append([]*ast.Definition{def}, p.schema.GetPossibleTypes(def)...) {
		f := t.Fields.ForName(field)
		if f == nil {
			return false
		}
		for _, d := range f.Directives {
			if d.Name != "deprecated" {
				return false
			}
		}
	}
	return true
}

// collect collects the fields of a selection on a type whose rows are all of that type.
func (p *docPlan) collect(sel ast.SelectionSet, typeName string) ([]graphql.CollectedField, error) {
	if ok, conditional := p.plain(sel, typeName); !ok || conditional {
		return nil, errNotPlain
	}
	return p.fieldsOf(sel, typeName)
}

func (p *docPlan) fieldsOf(sel ast.SelectionSet, typeName string) ([]graphql.CollectedField, error) {
	fields := graphql.CollectFields(p.oc, sel, p.satisfies(typeName))
	if len(fields) > store.MaxDocMembers {
		return nil, errNotPlain
	}
	return fields, nil
}

// root plans the root fields of a query: those one statement answers, and the response
// keys of those it leaves to the executor, in the order of the selection. The selection
// can be split only when it is a list of plain fields (no fragments or directives but
// @skip and @include at the root), so that the executor can be given the rest alone.
func (p *docPlan) root(sel ast.SelectionSet) (planned []store.DocField, rest []string, err error) {
	fields, err := p.fieldsOf(sel, "Query")
	if err != nil {
		return nil, nil, err
	}
	whole := true
	for _, s := range sel {
		if f, ok := s.(*ast.Field); !ok || !onlySkipInclude(f.Directives) {
			whole = false
		}
	}
	if ok, _ := p.plain(sel, "Query"); !ok && !whole {
		return nil, nil, errNotPlain
	}
	for _, f := range fields {
		v, err := p.rootField(f)
		switch {
		case errors.Is(err, errNotPlain) && whole:
			rest = append(rest, f.Alias)
		case err != nil:
			return nil, nil, err
		default:
			planned = append(planned, store.DocField{Key: f.Alias, Value: v})
		}
	}
	return planned, rest, nil
}

func (p *docPlan) rootField(f graphql.CollectedField) (store.DocValue, error) {
	if !p.undirected("Query", f.Name) {
		return nil, errNotPlain
	}
	var v store.DocValue
	var err error
	switch f.Name {
	case "__typename":
		v = store.Const("Query")
	case "alliance":
		args := f.ArgumentMap(p.oc.Variables)
		id, _ := args["id"].(string)
		slug, hasSlug := args["slug"].(string)
		obj, err := p.object("Alliance", f.SelectionSet)
		if err != nil {
			return nil, err
		}
		switch {
		case id != "" && !hasSlug:
			key, err := relay.ParseIDOf(relay.TypeAlliance, id)
			if err != nil {
				return nil, errNotPlain
			}
			v = store.Lookup{Entity: "alliance", Column: "id", Value: key, Object: obj}
		case hasSlug && args["id"] == nil:
			v = store.Lookup{Entity: "alliance", Column: "slug", Value: slug, Object: obj}
		case args["id"] == nil && args["slug"] == nil:
			v = store.Lookup{Entity: "alliance", Object: obj}
		default:
			return nil, errNotPlain
		}
	case "node":
		id, _ := f.ArgumentMap(p.oc.Variables)["id"].(string)
		l, err := p.node(id, f.SelectionSet)
		if err != nil {
			return nil, err
		}
		v = l
	case "skill":
		code, ok := f.ArgumentMap(p.oc.Variables)["code"].(string)
		if !ok {
			return nil, errNotPlain
		}
		obj, err := p.object("Skill", f.SelectionSet)
		if err != nil {
			return nil, err
		}
		v = store.Lookup{Entity: "skill", Column: "code", Value: code, Object: obj}
	case "nodes":
		ids, ok := f.ArgumentMap(p.oc.Variables)["ids"].([]any)
		if !ok || len(ids) == 0 || len(ids) > maxNodes {
			return nil, errNotPlain
		}
		ls := make(store.Lookups, len(ids))
		for i, raw := range ids {
			id, _ := raw.(string)
			if ls[i], err = p.node(id, f.SelectionSet); err != nil {
				return nil, err
			}
		}
		v = ls
	default:
		if v, err = p.member("Query", f); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// node describes the object with global ID id. Resources and their placements are found
// within the viewer's scope (store.Document applies it), as the resolvers' loader finds
// them; a row not found leaves the query to the resolvers, which report it.
func (p *docPlan) node(id string, sel ast.SelectionSet) (store.Lookup, error) {
	t, key, err := relay.ParseID(id)
	if err != nil {
		return store.Lookup{}, errNotPlain
	}
	typeName, decl, ok := store.NodeType(string(t))
	if !ok {
		return store.Lookup{}, errNotPlain
	}
	obj, err := p.object(typeName, sel)
	if err != nil {
		return store.Lookup{}, err
	}
	return store.Lookup{Entity: decl.Entity, Column: "id", Value: key, Object: obj}, nil
}

// object describes an object of typeName over its row: when the selection has type
// conditions on a polymorphic interface, the object of each of its types.
func (p *docPlan) object(typeName string, sel ast.SelectionSet) (store.DocValue, error) {
	return p.objectOf(typeName, sel, nil)
}

// objectOf is object for rows whose kind is among only (any kind when empty): a list
// filtered by kind (organizations of kind COMPANY) builds the objects of those types
// alone, and of one type without a CASE, which keeps PostgreSQL from setting up the
// subqueries of the other types' lists at every run.
func (p *docPlan) objectOf(typeName string, sel ast.SelectionSet, only []string) (store.DocValue, error) {
	ok, conditional := p.plain(sel, typeName)
	if !ok {
		return nil, errNotPlain
	}
	t, _ := store.Type(typeName)
	if !conditional || t.Kind == "" {
		return p.members(typeName, sel)
	}
	cases := make(map[string]store.DocValue, len(t.Kinds))
	for kind, concrete := range t.Kinds {
		if len(only) > 0 && !slices.Contains(only, kind) {
			continue
		}
		obj, err := p.members(concrete, sel)
		if err != nil {
			return nil, err
		}
		cases[kind] = obj
	}
	if len(cases) == 1 {
		for _, obj := range cases {
			return obj, nil
		}
	}
	return store.KindSwitch{Column: t.Kind, Cases: cases}, nil
}

func (p *docPlan) members(typeName string, sel ast.SelectionSet) (store.Object, error) {
	fields, err := p.fieldsOf(sel, typeName)
	if err != nil {
		return nil, err
	}
	out := make(store.Object, 0, len(fields))
	for _, f := range fields {
		v, err := p.member(typeName, f)
		if err != nil {
			return nil, err
		}
		out = append(out, store.DocField{Key: f.Alias, Value: v})
	}
	return out, nil
}

// member describes field f of an object of typeName as store.Declared says it is read.
func (p *docPlan) member(typeName string, f graphql.CollectedField) (store.DocValue, error) {
	if f.Name == "__typename" {
		if t, _ := store.Type(typeName); t.Kind != "" {
			return store.KindName{Column: t.Kind, Names: t.Kinds}, nil
		}
		return store.Const(typeName), nil
	}
	d, owner, ok := store.Declared(typeName, f.Name)
	if !ok {
		return nil, errNotPlain
	}
	rel := owner + "." + f.Name
	switch {
	case d.Paged != nil:
		return p.connection(f, rel, d.Paged)
	case d.Many != nil:
		args := map[string]any{}
		for name, v := range f.ArgumentMap(p.oc.Variables) {
			if v == nil {
				continue
			}
			if !slices.Contains(d.Many.Args, name) {
				return nil, errNotPlain
			}
			args[name] = v
		}
		obj, err := p.object(f.Definition.Type.Name(), f.SelectionSet)
		return store.Listed{Rel: rel, Args: args, Elem: obj}, err
	}
	// Every other field planned here must take no argument, or an argument added to the
	// schema later would be ignored.
	if len(f.Definition.Arguments) > 0 {
		return nil, errNotPlain
	}
	switch {
	case d.Scalar != nil:
		return d.Scalar, nil
	case d.Text != "":
		return p.bilingual(d.Text, f)
	case d.Same != "":
		return p.object(d.Same, f.SelectionSet)
	case d.One != nil:
		obj, err := p.object(f.Definition.Type.Name(), f.SelectionSet)
		return store.Related{Rel: rel, Object: obj}, err
	}
	return nil, errNotPlain
}

func (p *docPlan) bilingual(prefix string, f graphql.CollectedField) (store.DocValue, error) {
	return p.wrapper(f.SelectionSet, "BilingualText", func(g graphql.CollectedField) (store.DocValue, error) {
		if g.Name != "en" && g.Name != "zh" {
			return nil, errNotPlain
		}
		return store.Column(prefix + "_" + g.Name), nil
	})
}

// wrapper describes an object over the same row as its parent (a connection, an edge, a
// bilingual text): __typename, and what value makes of each other field.
func (p *docPlan) wrapper(sel ast.SelectionSet, typeName string, value func(graphql.CollectedField) (store.DocValue, error)) (store.Object, error) {
	fields, err := p.collect(sel, typeName)
	if err != nil {
		return nil, err
	}
	out := make(store.Object, 0, len(fields))
	for _, g := range fields {
		var v store.DocValue = store.Const(typeName)
		if g.Name != "__typename" {
			if v, err = value(g); err != nil {
				return nil, err
			}
		}
		out = append(out, store.DocField{Key: g.Alias, Value: v})
	}
	return out, nil
}

// pagingArgs are the arguments a connection field may take to be planned: the ones every
// connection resolver reads the same way.
var pagingArgs = []string{"first", "after", "last", "before", "orderBy", "filter"}

// connection describes a connection field read with the paging, order and filter
// arguments the resolvers accept, validated and translated by the resolvers' own
// functions (paging, the filters' converters), so that a page, its cursors and its page
// info are the ones the resolvers give. Anything they would refuse goes to them.
func (p *docPlan) connection(f graphql.CollectedField, rel string, d *store.PagedDecl) (store.DocValue, error) {
	for _, a := range f.Definition.Arguments {
		if !slices.Contains(pagingArgs, a.Name) {
			return nil, errNotPlain
		}
	}
	args := f.ArgumentMap(p.oc.Variables)
	var filter any
	if def := f.Definition.Arguments.ForName("filter"); def != nil {
		convert, ok := p.filters[def.Type.Name()]
		if !ok {
			return nil, errNotPlain
		}
		var err error
		if filter, err = convert(p.ctx, args["filter"]); err != nil {
			return nil, errNotPlain
		}
	}
	first, err1 := optionalInt(args["first"])
	last, err2 := optionalInt(args["last"])
	after, ok1 := optionalString(args["after"])
	before, ok2 := optionalString(args["before"])
	order, ok3 := optionalOrder(args["orderBy"])
	if err1 != nil || err2 != nil || !ok1 || !ok2 || !ok3 {
		return nil, errNotPlain
	}
	req, err := paging(first, after, last, before, order, model.OrderField(d.Default))
	if err != nil {
		return nil, errNotPlain
	}
	obj, err := p.wrapper(f.SelectionSet, f.Definition.Type.Name(), func(g graphql.CollectedField) (store.DocValue, error) {
		switch g.Name {
		case "totalCount":
			return store.TotalCount{}, nil
		case "pageInfo":
			return p.wrapper(g.SelectionSet, g.Definition.Type.Name(), func(h graphql.CollectedField) (store.DocValue, error) {
				switch h.Name {
				case "hasNextPage", "hasPreviousPage", "startCursor", "endCursor":
					return store.PageInfo(h.Name), nil
				}
				return nil, errNotPlain
			})
		case "edges":
			edge, err := p.wrapper(g.SelectionSet, g.Definition.Type.Name(), func(n graphql.CollectedField) (store.DocValue, error) {
				switch n.Name {
				case "cursor":
					return store.Cursor{}, nil
				case "node":
					return p.objectOf(n.Definition.Type.Name(), n.SelectionSet, store.KindsOf(filter))
				}
				return nil, errNotPlain
			})
			return store.Edges{Elem: edge}, err
		}
		return nil, errNotPlain
	})
	if err != nil {
		return nil, err
	}
	return store.Connection{Rel: rel, Filter: filter, Order: req.order, Cursor: req.name, Page: req.page, Object: obj}, nil
}

func optionalInt(v any) (*int, error) {
	if v == nil {
		return nil, nil
	}
	n, err := graphql.UnmarshalInt(v)
	if err != nil {
		return nil, fmt.Errorf("paging argument: %w", err)
	}
	return &n, nil
}

func optionalString(v any) (*string, bool) {
	if v == nil {
		return nil, true
	}
	s, ok := v.(string)
	return &s, ok
}

func optionalOrder(v any) (*model.Order, bool) {
	if v == nil {
		return nil, true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	field, ok := m["field"].(string)
	if !ok {
		return nil, false
	}
	o := &model.Order{Field: model.OrderField(field)}
	if d, ok := m["direction"].(string); ok {
		dir := model.OrderDirection(d)
		o.Direction = &dir
	} else if m["direction"] != nil {
		return nil, false
	}
	return o, true
}
