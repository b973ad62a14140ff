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

// The fields below are shared by the four organization types and the five resource
// types; their resolvers delegate here.

func orgMemberships(ctx context.Context, org int64) ([]*model.Membership, error) {
	rows, err := loader.From(ctx).MembershipsOfOrg.Load(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("load memberships of organization %d: %w", org, err)
	}
	out := make([]*model.Membership, len(rows))
	for i := range rows {
		out[i] = wrapMembership(&rows[i])
	}
	return out, nil
}

func orgPartnerships(ctx context.Context, org int64, first *int, after *string, last *int, before *string, filter *model.PartnershipFilter, orderBy *model.Order) (*model.PartnershipConnection, error) {
	return nestedPage(ctx, pageArgs{first, after, last, before, orderBy, "SIGNED_ON"}, filter, partnershipFilter, loader.From(ctx).OrgPartnerships, org, wrapPartnership)
}

func orgResources(ctx context.Context, org int64, first *int, after *string, last *int, before *string, filter *model.ResourceFilter, orderBy *model.Order) (*model.SharedResourceConnection, error) {
	return nestedPage(ctx, pageArgs{first, after, last, before, orderBy, "SHARED_ON"}, filter, resourceFilter, loader.From(ctx).ProviderResources, org, wrapResource)
}

func orgCenters(ctx context.Context, org int64) ([]*model.TrainingCenter, error) {
	l := loader.From(ctx)
	links, err := l.CentersOfOrg.Load(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("load training centres of organization %d: %w", org, err)
	}
	return many(ctx, l.TrainingCenter, others(links), "training centres", wrapCenter)
}

func allianceOf(ctx context.Context, id int64) (*model.Alliance, error) {
	return one(ctx, loader.From(ctx).Alliance, id, "alliance", wrapAlliance)
}

func organization(ctx context.Context, id int64) (model.Organization, error) {
	return one(ctx, loader.From(ctx).Organization, id, "organization", wrapOrganization)
}

func organizations(ctx context.Context, ids []int64) ([]model.Organization, error) {
	return many(ctx, loader.From(ctx).Organization, ids, "organizations", wrapOrganization)
}

func resourceSharedWith(ctx context.Context, r *store.Resource) ([]model.Organization, error) {
	if r.SharedWithAll {
		return []model.Organization{}, nil
	}
	links, err := loader.From(ctx).SharedWith.Load(ctx, r.ID)
	if err != nil {
		return nil, fmt.Errorf("load shares of resource %d: %w", r.ID, err)
	}
	return organizations(ctx, others(links))
}

func resourceCenter(ctx context.Context, r *store.Resource) (*model.TrainingCenter, error) {
	return optional(ctx, loader.From(ctx).TrainingCenter, r.TrainingCenterID, "training centre", wrapCenter)
}

func resourceSkills(ctx context.Context, resource int64) ([]*model.SkillAtLevel, error) {
	levels, err := loader.From(ctx).ResourceSkills.Load(ctx, resource)
	if err != nil {
		return nil, fmt.Errorf("load skills of resource %d: %w", resource, err)
	}
	return skillLevels(levels), nil
}

func (r *Resolver) nestedCourses(ctx context.Context, via store.CourseParent, parent int64, first *int, after *string, last *int, before *string, filter *model.TrainingCourseFilter, orderBy *model.Order) (*model.TrainingCourseConnection, error) {
	return nestedPage(ctx, pageArgs{first, after, last, before, orderBy, "STARTS_ON"}, filter, r.courseFilter, loader.From(ctx).Courses[via], parent, wrapCourse)
}

func nestedTalents(ctx context.Context, via store.TalentParent, parent int64, first *int, after *string, last *int, before *string, filter *model.TalentFilter, orderBy *model.Order) (*model.TalentConnection, error) {
	return nestedPage(ctx, pageArgs{first, after, last, before, orderBy, "REGISTERED_ON"}, filter, talentFilter, loader.From(ctx).Talents[via], parent, wrapTalent)
}

func nestedJobOpenings(ctx context.Context, l *loader.Paged[store.JobOpeningFilter, store.Resource], parent int64, first *int, after *string, last *int, before *string, filter *model.JobOpeningFilter, orderBy *model.Order) (*model.JobOpeningConnection, error) {
	return nestedPage(ctx, pageArgs{first, after, last, before, orderBy, "POSTED_ON"}, filter, jobOpeningFilter, l, parent, wrapJobOpening)
}

// pageArgs are a connection field's paging and sorting arguments and its default order.
type pageArgs struct {
	first   *int
	after   *string
	last    *int
	before  *string
	orderBy *model.Order
	def     model.OrderField
}

func (a pageArgs) validate() (pageRequest, error) {
	return paging(a.first, a.after, a.last, a.before, a.orderBy, a.def)
}

// nestedPage resolves a nested connection: validate paging and filter, then load the
// parent's page through its batched loader.
func nestedPage[FI any, F any, T any, N any](ctx context.Context, a pageArgs, filter FI, convert func(context.Context, FI) (F, error),
	l *loader.Paged[F, T], parent int64, wrap func(*T) N) (*model.Connection[N], error) {
	req, err := a.validate()
	if err != nil {
		return nil, err
	}
	f, err := convert(ctx, filter)
	if err != nil {
		return nil, err
	}
	return nested(ctx, l, parent, f, req, wrap)
}

// topPage resolves a top-level connection: validate paging and filter, read a page,
// count on demand.
func topPage[FI any, F any, T any, N any](ctx context.Context, a pageArgs, filter FI, convert func(context.Context, FI) (F, error),
	list func(context.Context, F, store.Order, store.Page) (store.Result[T], error),
	count func(context.Context, F) (int, error), wrap func(*T) N) (*model.Connection[N], error) {
	req, err := a.validate()
	if err != nil {
		return nil, err
	}
	f, err := convert(ctx, filter)
	if err != nil {
		return nil, err
	}
	res, err := list(ctx, f, req.order, req.page)
	if err != nil {
		return nil, err
	}
	return connection(req, res, wrap, func(ctx context.Context) (int, error) { return count(ctx, f) }), nil
}

// personal reads one personal field of a talent. The @personal directive has already
// checked that the viewer may see it.
func personal[T any](ctx context.Context, t *model.Talent, field func(*store.Person) *T) (*T, error) {
	p, err := loader.From(ctx).Person.Load(ctx, t.Talent.ID)
	if err != nil {
		return nil, fmt.Errorf("load personal data of talent %d: %w", t.Talent.ID, err)
	}
	return field(p), nil
}

func wrapEvent(e *store.Event) *model.Event { return &model.Event{Event: *e} }

func orgPartners(ctx context.Context, org int64, first *int, after *string, last *int, before *string, filter *model.OrganizationFilter, orderBy *model.Order) (*model.PartnerConnection, error) {
	if orderBy == nil {
		desc := model.OrderDirectionDesc
		orderBy = &model.Order{Field: "SHARED_PARTNERSHIPS", Direction: &desc}
	}
	c, err := nestedPage(ctx, pageArgs{first, after, last, before, orderBy, "SHARED_PARTNERSHIPS"}, filter, organizationFilter,
		loader.From(ctx).Partners, org, func(p *store.Partner) *store.Partner { return p })
	if err != nil {
		return nil, err
	}
	out := &model.PartnerConnection{PageInfo: c.PageInfo, Count: c.Count, Edges: make([]*model.PartnerEdge, len(c.Edges))}
	for i, e := range c.Edges {
		out.Edges[i] = &model.PartnerEdge{Cursor: e.Cursor, Node: model.NewOrganization(&e.Node.Organization), SharedCount: e.Node.Shared, Of: org, Partner: e.Node.Organization.ID}
	}
	return out, nil
}

// allianceKey reads an optional alliance argument: the alliance with that global ID, which
// must exist, or the first alliance when none is given.
func (r *Resolver) allianceKey(ctx context.Context, alliance *string) (int64, error) {
	if alliance == nil {
		a, err := r.Store.FirstAlliance(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return 0, errcode.Missing("this server holds no alliance yet")
		}
		if err != nil {
			return 0, err
		}
		return a.ID, nil
	}
	key, err := relay.ParseIDOf(relay.TypeAlliance, *alliance)
	if err != nil {
		return 0, errcode.BadInput("alliance", "is not the ID of an alliance")
	}
	if _, err := allianceOf(ctx, key); err != nil {
		return 0, err
	}
	return key, nil
}
