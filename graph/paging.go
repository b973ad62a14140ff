package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// pageRequest is a connection field's paging and sorting arguments, validated.
type pageRequest struct {
	order store.Order
	page  store.Page
	name  string // the order's name in cursors, e.g. "NAME:ASC"
}

func orderName(o store.Order) string {
	if o.Desc {
		return o.Field + ":DESC"
	}
	return o.Field + ":ASC"
}

// window validates paging arguments for a list sorted by order, turning a bad argument
// into a BAD_USER_INPUT error that names it.
func window(a relay.PageArgs, order string) (relay.Window, error) {
	w, err := a.Validate(order)
	var ae *relay.ArgError
	if errors.As(err, &ae) {
		return relay.Window{}, errcode.BadInput(ae.Arg, "%s", ae.Reason)
	}
	return w, err
}

// paging validates first/after/last/before for a list sorted by orderBy (def when nil).
func paging(first *int, after *string, last *int, before *string, orderBy *model.Order, def model.OrderField) (pageRequest, error) {
	o := orderBy.Store(def)
	name := orderName(o)
	w, err := window(relay.PageArgs{First: first, After: after, Last: last, Before: before}, name)
	if err != nil {
		return pageRequest{}, err
	}
	p := store.Page{Limit: w.Limit, Backward: w.Backward}
	if w.After != nil {
		p.After = &store.Key{Sort: w.After.Sort, ID: w.After.ID}
	}
	if w.Before != nil {
		p.Before = &store.Key{Sort: w.Before.Sort, ID: w.Before.ID}
	}
	return pageRequest{order: o, page: p, name: name}, nil
}

// connection turns a page of rows into a GraphQL connection; count is called only if
// the query selects totalCount.
func connection[T any, N any](req pageRequest, res store.Result[T], wrap func(*T) N, count func(context.Context) (int, error)) *model.Connection[N] {
	c := &model.Connection[N]{
		Edges:    make([]*model.Edge[N], len(res.Rows)),
		PageInfo: &model.PageInfo{HasNextPage: res.HasNext, HasPreviousPage: res.HasPrev},
		Count:    count,
	}
	for i := range res.Rows {
		cursor := relay.Cursor{Order: req.name, Sort: res.Keys[i].Sort, ID: res.Keys[i].ID}.String()
		c.Edges[i] = &model.Edge[N]{Cursor: cursor, Node: wrap(&res.Rows[i])}
	}
	if n := len(c.Edges); n > 0 {
		c.PageInfo.StartCursor = &c.Edges[0].Cursor
		c.PageInfo.EndCursor = &c.Edges[n-1].Cursor
	}
	return c
}

// nested loads one page of a parent's nested list through its loader and wraps it.
func nested[F any, T any, N any](ctx context.Context, l interface {
	Load(context.Context, int64, F, store.Order, store.Page) (store.Result[T], error)
	Count(context.Context, int64, F) (int, error)
}, parent int64, f F, req pageRequest, wrap func(*T) N) (*model.Connection[N], error) {
	res, err := l.Load(ctx, parent, f, req.order, req.page)
	if err != nil {
		return nil, err
	}
	return connection(req, res, wrap, func(ctx context.Context) (int, error) { return l.Count(ctx, parent, f) }), nil
}

// The wrappers from store rows to GraphQL objects.
func wrapAlliance(a *store.Alliance) *model.Alliance       { return &model.Alliance{Alliance: *a} }
func wrapMembership(m *store.Membership) *model.Membership { return &model.Membership{Membership: *m} }
func wrapPartnership(p *store.Partnership) *model.Partnership {
	return &model.Partnership{Partnership: *p}
}
func wrapCenter(c *store.TrainingCenter) *model.TrainingCenter {
	return &model.TrainingCenter{TrainingCenter: *c}
}
func wrapSkill(k *store.Skill) *model.Skill             { return &model.Skill{Skill: *k} }
func wrapTalent(t *store.Talent) *model.Talent          { return &model.Talent{Talent: *t} }
func wrapPlacement(p *store.Placement) *model.Placement { return &model.Placement{Placement: *p} }
func wrapCompany(o *store.Organization) *model.Company {
	return model.NewOrganization(o).(*model.Company)
}
func wrapJobOpening(r *store.Resource) *model.JobOpening {
	return model.NewResource(r).(*model.JobOpening)
}
func wrapTeacher(r *store.Resource) *model.Teacher { return model.NewResource(r).(*model.Teacher) }
func wrapCourse(r *store.Resource) *model.TrainingCourse {
	return model.NewResource(r).(*model.TrainingCourse)
}
func wrapOrganization(o *store.Organization) model.Organization { return model.NewOrganization(o) }
func wrapResource(r *store.Resource) model.SharedResource       { return model.NewResource(r) }

// one loads a single related object through a loader and wraps it; a dangling reference
// is reported as NOT_FOUND rather than as an internal error.
func one[T any, N any](ctx context.Context, l interface {
	Load(context.Context, int64) (*T, error)
}, id int64, what string, wrap func(*T) N) (N, error) {
	var zero N
	row, err := l.Load(ctx, id)
	if err != nil {
		if loader.NotFound(err) {
			return zero, errcode.Missing("%s does not exist", what)
		}
		return zero, fmt.Errorf("load %s %d: %w", what, id, err)
	}
	return wrap(row), nil
}

// optional is one for a nullable reference.
func optional[T any, N any](ctx context.Context, l interface {
	Load(context.Context, int64) (*T, error)
}, id *int64, what string, wrap func(*T) N) (N, error) {
	var zero N
	if id == nil {
		return zero, nil
	}
	return one(ctx, l, *id, what, wrap)
}

// hidden turns the NOT_FOUND of a nullable reference into null: the row is gone, or
// outside what the viewer may see, and both read alike.
func hidden[N any](n N, err error) (N, error) {
	var ce *errcode.Error
	if errors.As(err, &ce) && ce.Code == errcode.NotFound {
		var zero N
		return zero, nil
	}
	return n, err
}

// many loads related objects by id, in the order given.
func many[T any, N any](ctx context.Context, l interface {
	LoadAll(context.Context, []int64) ([]*T, error)
}, ids []int64, what string, wrap func(*T) N) ([]N, error) {
	rows, err := l.LoadAll(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("load %s %v: %w", what, ids, err)
	}
	out := make([]N, len(rows))
	for i, r := range rows {
		out[i] = wrap(r)
	}
	return out, nil
}

func others(links []store.Link) []int64 {
	ids := make([]int64, len(links))
	for i, l := range links {
		ids[i] = l.OtherID
	}
	return ids
}

func skillLevels(levels []store.SkillLevel) []*model.SkillAtLevel {
	out := make([]*model.SkillAtLevel, len(levels))
	for i, l := range levels {
		out[i] = &model.SkillAtLevel{SkillID: l.SkillID, Level: l.Level, CertifiedOn: l.CertifiedOn}
	}
	return out
}

func wrapFacility(r *store.Resource) *model.TrainingFacility {
	return model.NewResource(r).(*model.TrainingFacility)
}
func wrapResult(r *store.Resource) *model.CompetitionResult {
	return model.NewResource(r).(*model.CompetitionResult)
}
