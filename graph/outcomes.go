package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// maxGrowthSteps bounds membershipGrowth's answer: 33 years by month.
const maxGrowthSteps = 400

// KeptOutcomePage is the page the whole history's outcomes are read in when asked for
// without a period, order or cursor, whatever first says (at most this): all such
// requests for a grouping then share one answer the server keeps until the log moves, so
// however many of them a client sends, the server computes each grouping at most once
// per change, and the cost model prices them as kept (server.prices).
const KeptOutcomePage = 20

// employmentOutcomes checks the arguments before the alliance, so that bad ones cost no
// statement. The grouping goes into the cursors' order name, so that a cursor of one
// grouping is refused by another.
func (r *Resolver) employmentOutcomes(ctx context.Context, alliance *string, period *model.DateRange, groupBy *store.OutcomeGrouping, orderBy *model.Order, first *int, after *string) (*model.EmploymentOutcomeConnection, error) {
	var a args
	rng := a.dates("period", period)
	if a.err != nil {
		return nil, a.err
	}
	grouping := store.OutcomesInAll
	if groupBy != nil {
		grouping = *groupBy
	}
	defaultOrder := orderBy == nil
	if defaultOrder {
		desc := model.OrderDirectionDesc
		orderBy = &model.Order{Field: "COHORT", Direction: &desc}
	}
	o := orderBy.Store("COHORT")
	name := orderName(o)
	if grouping != store.OutcomesInAll {
		name = string(grouping) + "/" + name
	}
	w, err := window(relay.PageArgs{First: first, After: after}, name)
	if err != nil {
		return nil, err
	}
	req := pageRequest{order: o, page: store.Page{Limit: w.Limit}, name: name}
	if w.After != nil {
		req.page.After = &store.Key{Sort: w.After.Sort, ID: w.After.ID}
	}
	key, err := r.allianceKey(ctx, alliance)
	if err != nil {
		return nil, err
	}
	f := store.OutcomeFilter{Alliance: key, Today: r.today(), GroupBy: grouping, MinHires: policy.MinHiresForMedian}
	if rng != nil {
		f.Period = *rng
	}
	kept := period == nil && relay.Given(after) == nil && defaultOrder && req.page.Limit <= KeptOutcomePage
	page := req.page
	if kept {
		page.Limit = KeptOutcomePage
	}
	res, err := r.Figures.EmploymentOutcomes(ctx, f, req.order, page)
	if err != nil {
		return nil, err
	}
	if n := req.page.Limit; len(res.Rows) > n {
		res.Rows, res.Keys, res.HasNext = res.Rows[:n], res.Keys[:n], true
	}
	return connection(req, res, func(o *store.Outcome) *model.EmploymentOutcome { return &model.EmploymentOutcome{Outcome: *o} },
		func(ctx context.Context) (int, error) { return r.Figures.CountEmploymentOutcomes(ctx, f) }), nil
}

// membershipGrowth fills the period's open ends (the alliance's founding, today) and
// turns the store's steps, one row per interval and kind, into one object per interval.
func (r *Resolver) membershipGrowth(ctx context.Context, alliance *string, period *model.DateRange, interval *store.GrowthInterval) ([]*model.MembershipGrowth, error) {
	var a args
	rng := a.dates("period", period)
	if a.err != nil {
		return nil, a.err
	}
	i := store.EveryQuarter
	if interval != nil {
		i = *interval
	}
	key, err := r.allianceKey(ctx, alliance)
	if err != nil {
		return nil, err
	}
	var from, to time.Time
	if rng != nil && rng.From != nil {
		from = *rng.From
	} else {
		al, err := allianceOf(ctx, key)
		if err != nil {
			return nil, err
		}
		from = al.FoundedOn
	}
	if rng != nil && rng.To != nil {
		to = *rng.To
	} else {
		to = r.today()
	}
	if to.Before(from) {
		return nil, errcode.BadInput("period", "ends (%s) before it starts (%s)", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	if n := i.Steps(from, to); n > maxGrowthSteps {
		return nil, errcode.BadInput("period", "spans %d intervals (%s); at most %d", n, i, maxGrowthSteps)
	}
	steps, err := r.Figures.MembershipGrowth(ctx, key, from, to, i)
	if err != nil {
		return nil, err
	}
	var out []*model.MembershipGrowth
	for _, st := range steps {
		if n := len(out); n == 0 || !out[n-1].From.Equal(st.From) {
			out = append(out, &model.MembershipGrowth{From: st.From, To: st.To})
		}
		g := out[len(out)-1]
		g.Joined += st.Joined
		g.Left += st.Left
		g.Active += st.Active
		g.ByKind = append(g.ByKind, &model.MembershipKindGrowth{Kind: st.Kind, Joined: st.Joined, Left: st.Left, Active: st.Active})
	}
	if out == nil {
		out = []*model.MembershipGrowth{}
	}
	return out, nil
}

func outcomeSchool(ctx context.Context, k *model.OutcomeGroupKey) (*model.School, error) {
	return optional(ctx, loader.From(ctx).Organization, k.SchoolID, "school", func(o *store.Organization) *model.School { s, _ := wrapOrganization(o).(*model.School); return s })
}

func outcomePartnership(ctx context.Context, k *model.OutcomeGroupKey) (*model.Partnership, error) {
	return optional(ctx, loader.From(ctx).Partnership, k.PartnershipID, "partnership", wrapPartnership)
}

// hiredThrough is the order class or apprenticeship a hire came through, null for none.
func hiredThrough(ctx context.Context, p *model.Placement) (*model.Partnership, error) {
	if p.Status != "HIRED" {
		return nil, nil
	}
	id, err := loader.From(ctx).HirePartnership.Load(ctx, p.Placement.ID)
	if loader.NotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load the partnership of hire %d: %w", p.Placement.ID, err)
	}
	return one(ctx, loader.From(ctx).Partnership, id, "partnership", wrapPartnership)
}

// seeStartingSalary says whether the viewer may read a placement's starting salary
// (policy.SeeStartingSalary), reading its talent and its opening's provider through the
// request's loaders.
func seeStartingSalary(ctx context.Context, p *model.Placement) (bool, error) {
	l := loader.From(ctx)
	t, err := l.Talent.Load(ctx, p.TalentID)
	if err != nil {
		return false, fmt.Errorf("load talent %d of placement %d: %w", p.TalentID, p.Placement.ID, err)
	}
	o, err := l.Resource.Load(ctx, p.OpeningID)
	if err != nil {
		return false, fmt.Errorf("load opening %d of placement %d: %w", p.OpeningID, p.Placement.ID, err)
	}
	return policy.SeeStartingSalary(auth.ViewerFrom(ctx), t, o.ProviderID), nil
}
