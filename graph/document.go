package graph

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/alliance-graph/alliance-graph/graph/model"
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
func OneStatement(s *store.Store, schema *ast.Schema, log *slog.Logger, answered func(context.Context)) func(context.Context, graphql.OperationHandler) graphql.ResponseHandler {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
			return next(ctx)
		}
		doc, ok := answer(ctx, s, schema, log, oc)
		if !ok {
			return next(ctx)
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

// answer plans and runs oc's one statement; false leaves the operation to the executor.
// A bug here must cost the shortcut, not the answer: a panic is logged and the executor
// answers.
func answer(ctx context.Context, s *store.Store, schema *ast.Schema, log *slog.Logger, oc *graphql.OperationContext) (doc []byte, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			log.ErrorContext(ctx, "one-statement plan panicked; the executor answers", "operation", oc.OperationName, "panic", fmt.Sprint(r))
			doc, ok = nil, false
		}
	}()
	p := docPlan{ctx: ctx, oc: oc, schema: schema}
	fields, err := p.root(oc.Operation.SelectionSet)
	if err != nil {
		return nil, false
	}
	doc, found, err := s.Document(ctx, fields)
	if err != nil && ctx.Err() == nil {
		log.WarnContext(ctx, "one-statement plan failed; the executor answers", "operation", oc.OperationName, "err", err)
	}
	return doc, err == nil && found
}

// errNotPlain marks a selection one statement does not answer.
var errNotPlain = errors.New("not answered by one statement")

type docPlan struct {
	ctx    context.Context
	oc     *graphql.OperationContext
	schema *ast.Schema
}

// organizationTypes and resourceTypes name the GraphQL type of a row by its kind, as
// model.NewOrganization and model.NewResource choose it.
var (
	organizationTypes = map[string]string{
		string(store.KindSchool): "School", string(store.KindCompany): "Company",
		string(store.KindAgency): "GovernmentAgency", string(store.KindPark): "IndustrialPark",
	}
	resourceTypes = map[string]string{
		string(store.CategoryFacility): "TrainingFacility", string(store.CategoryJob): "JobOpening",
		string(store.CategoryTeacher): "Teacher", string(store.CategoryCourse): "TrainingCourse",
		string(store.CategoryResult): "CompetitionResult",
	}
)

// polymorphic are the interfaces whose rows are of several GraphQL types, by a column.
var polymorphic = map[string]struct {
	column string
	types  map[string]string
}{
	"Organization":   {"kind", organizationTypes},
	"SharedResource": {"category", resourceTypes},
}

// baseOf is the interface each of their types implements.
var baseOf = func() map[string]string {
	out := map[string]string{}
	for iface, k := range polymorphic {
		for _, t := range k.types {
			out[t] = iface
		}
	}
	return out
}()

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
	if k, ok := polymorphic[typeName]; ok {
		for _, t := range k.types {
			if t == cond {
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

func (p *docPlan) root(sel ast.SelectionSet) ([]store.DocField, error) {
	fields, err := p.collect(sel, "Query")
	if err != nil {
		return nil, err
	}
	out := make([]store.DocField, 0, len(fields))
	for _, f := range fields {
		var v store.DocValue
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
			t, key, err := relay.ParseID(id)
			if err != nil {
				return nil, errNotPlain
			}
			// Resources are left to the resolvers, which hide those the viewer may not see.
			n, ok := nodeTypes[t]
			if !ok {
				return nil, errNotPlain
			}
			obj, err := p.object(n.typeName, f.SelectionSet)
			if err != nil {
				return nil, err
			}
			v = store.Lookup{Entity: n.entity, Column: "id", Value: key, Object: obj}
		default:
			return nil, errNotPlain
		}
		out = append(out, store.DocField{Key: f.Alias, Value: v})
	}
	return out, nil
}

// nodeTypes are the types node(id:) answers in one statement: their entity and GraphQL
// type.
var nodeTypes = map[relay.Type]struct{ entity, typeName string }{
	relay.TypeAlliance:     {"alliance", "Alliance"},
	relay.TypeOrganization: {"organization", "Organization"},
	relay.TypeMembership:   {"membership", "Membership"},
	relay.TypePartnership:  {"partnership", "Partnership"},
}

// object describes an object of typeName over its row: when the selection has type
// conditions on a polymorphic interface, the object of each of its types.
func (p *docPlan) object(typeName string, sel ast.SelectionSet) (store.DocValue, error) {
	ok, conditional := p.plain(sel, typeName)
	if !ok {
		return nil, errNotPlain
	}
	k, poly := polymorphic[typeName]
	if !conditional || !poly {
		return p.members(typeName, sel)
	}
	cases := make(map[string]store.DocValue, len(k.types))
	for kind, concrete := range k.types {
		obj, err := p.members(concrete, sel)
		if err != nil {
			return nil, err
		}
		cases[kind] = obj
	}
	return store.KindSwitch{Column: k.column, Cases: cases}, nil
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

// columns are the fields that are a column of their row, by type.
var columns = map[string]map[string]string{
	"Alliance": {"version": "version", "slug": "slug", "city": "city", "foundedOn": "founded_on", "description": "description"},
	"Organization": {"version": "version", "kind": "kind", "description": "description", "website": "website",
		"district": "district", "foundedYear": "founded_year"},
	"Membership":             {"version": "version", "role": "role", "joinedOn": "joined_on", "leftOn": "left_on"},
	"Partnership":            {"version": "version", "kind": "kind", "status": "status", "description": "description", "signedOn": "signed_on", "startsOn": "starts_on", "endsOn": "ends_on"},
	"PartnershipParticipant": {"role": "role", "joinedOn": "joined_on"},
	"SharedResource": {"version": "version", "category": "category", "description": "description", "sharedOn": "shared_on",
		"sharedWithAll": "shared_with_all", "withdrawnOn": "withdrawn_on"},
	"School":           {"level": "school_level", "majors": "majors", "studentCount": "student_count"},
	"Company":          {"industry": "industry", "size": "company_size", "employeeCount": "employee_count", "foreignInvested": "foreign_invested"},
	"GovernmentAgency": {"jurisdiction": "jurisdiction"},
	"IndustrialPark":   {"focusIndustries": "focus_industries"},
}

// globalIDs are the relay types of the types' ids.
var globalIDs = map[string]relay.Type{
	"Alliance": relay.TypeAlliance, "Organization": relay.TypeOrganization, "Membership": relay.TypeMembership,
	"Partnership": relay.TypePartnership, "SharedResource": relay.TypeResource,
}

func (p *docPlan) member(typeName string, f graphql.CollectedField) (store.DocValue, error) {
	if f.Name == "__typename" {
		if k, ok := polymorphic[typeName]; ok {
			return store.KindName{Column: k.column, Names: k.types}, nil
		}
		return store.Const(typeName), nil
	}
	// The fields that take arguments read them below; every other field planned here
	// must take none, or an argument added to the schema later would be ignored.
	switch cmp.Or(baseOf[typeName], typeName) + "." + f.Name {
	case "Partnership.participants":
		var roles []store.ParticipantRole
		if list, ok := f.ArgumentMap(p.oc.Variables)["roles"].([]any); ok {
			for _, r := range list {
				s, ok := r.(string)
				if !ok {
					return nil, errNotPlain
				}
				roles = append(roles, store.ParticipantRole(s))
			}
		}
		obj, err := p.object("PartnershipParticipant", f.SelectionSet)
		return store.Listed{Rel: "participants", Filter: roles, Elem: obj}, err
	case "Alliance.members":
		return p.connection(f, "members", "JOINED_ON", store.MembershipFilter{})
	case "Alliance.partnerships", "Organization.partnerships":
		return p.connection(f, "partnerships", "SIGNED_ON", store.PartnershipFilter{})
	case "Alliance.resources", "Organization.resources":
		rf, err := resourceFilter(p.ctx, nil)
		if err != nil {
			return nil, errNotPlain
		}
		return p.connection(f, "resources", "SHARED_ON", rf)
	}
	if len(f.Definition.Arguments) > 0 {
		return nil, errNotPlain
	}
	if base, ok := baseOf[typeName]; ok {
		// A type of a polymorphic interface: its own fields, then the interface's.
		if col, ok := columns[typeName][f.Name]; ok {
			return store.Column(col), nil
		}
		if typeName+"."+f.Name == "Company.park" {
			obj, err := p.object("IndustrialPark", f.SelectionSet)
			return store.Related{Rel: "park", Object: obj}, err
		}
		typeName = base
	}
	if col, ok := columns[typeName][f.Name]; ok {
		return store.Column(col), nil
	}
	if t, ok := globalIDs[typeName]; ok && f.Name == "id" {
		return store.GlobalID(t), nil
	}
	related := func(rel string) (store.DocValue, error) {
		obj, err := p.object(f.Definition.Type.Name(), f.SelectionSet)
		return store.Related{Rel: rel, Object: obj}, err
	}
	switch typeName + "." + f.Name {
	case "Alliance.name", "Organization.name":
		return p.bilingual("name", f)
	case "Partnership.title", "SharedResource.title":
		return p.bilingual("title", f)
	case "Membership.active":
		return store.IsNull("left_on"), nil
	case "Membership.alliance", "Partnership.alliance", "SharedResource.alliance":
		return related("alliance")
	case "Membership.organization", "PartnershipParticipant.organization":
		return related("organization")
	case "PartnershipParticipant.partnership":
		return related("partnership")
	case "SharedResource.provider":
		return related("provider")
	case "Organization.memberships":
		obj, err := p.object("Membership", f.SelectionSet)
		return store.Listed{Rel: "memberships", Elem: obj}, err
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

// connection describes a connection field read with the paging and order arguments the
// resolvers accept; a filter, cursors, page info and counts are left to the executor.
func (p *docPlan) connection(f graphql.CollectedField, rel string, def model.OrderField, filter any) (store.DocValue, error) {
	args := f.ArgumentMap(p.oc.Variables)
	if args["filter"] != nil {
		return nil, errNotPlain
	}
	first, err1 := optionalInt(args["first"])
	last, err2 := optionalInt(args["last"])
	after, ok1 := optionalString(args["after"])
	before, ok2 := optionalString(args["before"])
	order, ok3 := optionalOrder(args["orderBy"])
	if err1 != nil || err2 != nil || !ok1 || !ok2 || !ok3 {
		return nil, errNotPlain
	}
	req, err := paging(first, after, last, before, order, def)
	if err != nil {
		return nil, errNotPlain
	}
	return p.wrapper(f.SelectionSet, f.Definition.Type.Name(), func(g graphql.CollectedField) (store.DocValue, error) {
		if g.Name != "edges" {
			return nil, errNotPlain
		}
		edge, err := p.wrapper(g.SelectionSet, g.Definition.Type.Name(), func(n graphql.CollectedField) (store.DocValue, error) {
			if n.Name != "node" {
				return nil, errNotPlain
			}
			return p.object(n.Definition.Type.Name(), n.SelectionSet)
		})
		if err != nil {
			return nil, err
		}
		return store.Listed{Rel: rel, Filter: filter, Order: req.order, Page: req.page, Elem: edge}, nil
	})
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
