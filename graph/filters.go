package graph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

const maxSearchLength = 100

// args converts GraphQL filter inputs into store filters, checking them on the way and
// keeping the first problem found, named by its argument path.
type args struct {
	err error
}

func (a *args) fail(field, format string, v ...any) {
	if a.err == nil {
		a.err = errcode.BadInput(field, format, v...)
	}
}

// key parses one global ID of type t.
func (a *args) key(field string, t relay.Type, id string) int64 {
	k, err := relay.ParseIDOf(t, id)
	if err != nil {
		if errors.Is(err, relay.ErrMalformedID) {
			a.fail(field, "is not an ID issued by this API")
		} else {
			a.fail(field, "%v", err)
		}
	}
	return k
}

// keys parses a list of global IDs; nil stays nil (no filter).
func (a *args) keys(field string, t relay.Type, ids []string) []int64 {
	if ids == nil {
		return nil
	}
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = a.key(fmt.Sprintf("%s[%d]", field, i), t, id)
	}
	return out
}

func (a *args) optionalKey(field string, t relay.Type, id *string) *int64 {
	if id == nil {
		return nil
	}
	k := a.key(field, t, *id)
	return &k
}

func (a *args) dates(field string, r *model.DateRange) *store.DateRange {
	if r == nil {
		return nil
	}
	if r.From != nil && r.To != nil && r.To.Before(*r.From) {
		a.fail(field, "ends (%s) before it starts (%s)", r.To.Format("2006-01-02"), r.From.Format("2006-01-02"))
	}
	return &store.DateRange{From: r.From, To: r.To}
}

func (a *args) search(field string, s *string) *string {
	if s != nil && utf8.RuneCountInString(*s) > maxSearchLength {
		a.fail(field, "must be at most %d characters (got %d)", maxSearchLength, utf8.RuneCountInString(*s))
	}
	if s != nil {
		a.text(field, *s)
	}
	return s
}

// text refuses the NUL character, which PostgreSQL text cannot hold: sent as a
// parameter it fails the statement instead of matching nothing.
func (a *args) text(field, s string) {
	if strings.IndexByte(s, 0) >= 0 {
		a.fail(field, "must not contain the NUL character")
	}
}

// texts checks each string of a list with text.
func (a *args) texts(field string, list []string) []string {
	for i, s := range list {
		a.text(fmt.Sprintf("%s[%d]", field, i), s)
	}
	return list
}

func (a *args) level(field string, n *int) *int {
	if n != nil && (*n < 1 || *n > 5) {
		a.fail(field, "must be between 1 and 5 (got %d)", *n)
	}
	return n
}

func organizationFilter(ctx context.Context, f *model.OrganizationFilter) (store.OrganizationFilter, error) {
	if f == nil {
		return store.OrganizationFilter{}, nil
	}
	var a args
	out := store.OrganizationFilter{
		Kinds: f.Kinds, SchoolLevels: f.SchoolLevels, Industries: f.Industries,
		Parks:     a.keys("filter.parks", relay.TypeOrganization, f.Parks),
		Alliances: a.keys("filter.alliances", relay.TypeAlliance, f.Alliances),
		Districts: a.texts("filter.districts", f.Districts), ForeignInvested: f.ForeignInvested,
		Search: a.search("filter.search", f.Search),
	}
	return out, a.err
}

func membershipFilter(ctx context.Context, f *model.MembershipFilter) (store.MembershipFilter, error) {
	if f == nil {
		return store.MembershipFilter{}, nil
	}
	var a args
	out := store.MembershipFilter{
		Roles: f.Roles, Kinds: f.Kinds, Active: f.Active,
		Joined: a.dates("filter.joined", f.Joined),
		Search: a.search("filter.search", f.Search),
	}
	return out, a.err
}

func partnershipFilter(ctx context.Context, f *model.PartnershipFilter) (store.PartnershipFilter, error) {
	if f == nil {
		return store.PartnershipFilter{}, nil
	}
	var a args
	out := store.PartnershipFilter{
		Kinds: f.Kinds, Statuses: f.Statuses,
		Alliances:    a.keys("filter.alliances", relay.TypeAlliance, f.Alliances),
		Participants: a.keys("filter.participants", relay.TypeOrganization, f.Participants),
		Signed:       a.dates("filter.signed", f.Signed),
		Search:       a.search("filter.search", f.Search),
	}
	return out, a.err
}

func trainingCenterFilter(ctx context.Context, f *model.TrainingCenterFilter) (store.TrainingCenterFilter, error) {
	if f == nil {
		return store.TrainingCenterFilter{}, nil
	}
	var a args
	out := store.TrainingCenterFilter{
		Alliances: a.keys("filter.alliances", relay.TypeAlliance, f.Alliances),
		Operators: a.keys("filter.operators", relay.TypeOrganization, f.Operators),
		Search:    a.search("filter.search", f.Search),
	}
	return out, a.err
}

func resourceFilter(ctx context.Context, f *model.ResourceFilter) (store.ResourceFilter, error) {
	scope := policy.ResourceScope(auth.ViewerFrom(ctx))
	if f == nil {
		return store.ResourceFilter{Scope: scope}, nil
	}
	var a args
	out := store.ResourceFilter{
		Scope:         scope,
		Categories:    f.Categories,
		Providers:     a.keys("filter.providers", relay.TypeOrganization, f.Providers),
		Alliances:     a.keys("filter.alliances", relay.TypeAlliance, f.Alliances),
		Skills:        a.keys("filter.skills", relay.TypeSkill, f.Skills),
		Shared:        a.dates("filter.shared", f.Shared),
		SharedWithAll: f.SharedWithAll,
		Search:        a.search("filter.search", f.Search),
	}
	return out, a.err
}

func jobOpeningFilter(ctx context.Context, f *model.JobOpeningFilter) (store.JobOpeningFilter, error) {
	scope := policy.ResourceScope(auth.ViewerFrom(ctx))
	if f == nil {
		return store.JobOpeningFilter{Scope: scope}, nil
	}
	var a args
	if f.MinSalary != nil && *f.MinSalary < 0 {
		a.fail("filter.minSalary", "must not be negative (got %d)", *f.MinSalary)
	}
	// GraphQL's Int is 32 bits, but gqlgen reads it into a Go int: without this, a larger
	// value reaches PostgreSQL's integer comparison and fails the statement.
	if f.MinSalary != nil && *f.MinSalary > math.MaxInt32 {
		a.fail("filter.minSalary", "must be at most %d (got %d)", math.MaxInt32, *f.MinSalary)
	}
	out := store.JobOpeningFilter{
		Scope:    scope,
		Statuses: f.Statuses, EmploymentTypes: f.EmploymentTypes, Industries: f.Industries,
		Providers: a.keys("filter.providers", relay.TypeOrganization, f.Providers),
		Alliances: a.keys("filter.alliances", relay.TypeAlliance, f.Alliances),
		Parks:     a.keys("filter.parks", relay.TypeOrganization, f.Parks),
		Skills:    a.keys("filter.skills", relay.TypeSkill, f.Skills),
		MinSalary: f.MinSalary,
		Posted:    a.dates("filter.posted", f.Posted),
		Search:    a.search("filter.search", f.Search),
	}
	return out, a.err
}

// courseFilter judges the courses' states and free seats on the resolver's day.
func (r *Resolver) courseFilter(ctx context.Context, f *model.TrainingCourseFilter) (store.CourseFilter, error) {
	scope := policy.ResourceScope(auth.ViewerFrom(ctx))
	if f == nil {
		return store.CourseFilter{Scope: scope, Today: r.today()}, nil
	}
	var a args
	out := store.CourseFilter{
		Scope:        scope,
		Today:        r.today(),
		Providers:    a.keys("filter.providers", relay.TypeOrganization, f.Providers),
		Alliances:    a.keys("filter.alliances", relay.TypeAlliance, f.Alliances),
		Skills:       a.keys("filter.skills", relay.TypeSkill, f.Skills),
		Starts:       a.dates("filter.starts", f.Starts),
		States:       f.States,
		HasFreeSeats: f.HasFreeSeats,
		Search:       a.search("filter.search", f.Search),
	}
	return out, a.err
}

func skillFilter(ctx context.Context, f *model.SkillFilter) (store.SkillFilter, error) {
	if f == nil {
		return store.SkillFilter{}, nil
	}
	var a args
	out := store.SkillFilter{
		Categories: f.Categories,
		Parent:     a.optionalKey("filter.parent", relay.TypeSkill, f.Parent),
		TopLevel:   f.TopLevel,
		Search:     a.search("filter.search", f.Search),
	}
	return out, a.err
}

func talentFilter(ctx context.Context, f *model.TalentFilter) (store.TalentFilter, error) {
	if f == nil {
		return store.TalentFilter{}, nil
	}
	var a args
	out := store.TalentFilter{
		Statuses:      f.Statuses,
		Alliances:     a.keys("filter.alliances", relay.TypeAlliance, f.Alliances),
		Schools:       a.keys("filter.schools", relay.TypeOrganization, f.Schools),
		Employers:     a.keys("filter.employers", relay.TypeOrganization, f.Employers),
		Skills:        a.keys("filter.skills", relay.TypeSkill, f.Skills),
		MinSkillLevel: a.level("filter.minSkillLevel", f.MinSkillLevel),
		Registered:    a.dates("filter.registered", f.Registered),
	}
	return out, a.err
}

func placementFilter(ctx context.Context, f *model.PlacementFilter) (store.PlacementFilter, error) {
	if f == nil {
		return store.PlacementFilter{}, nil
	}
	var a args
	out := store.PlacementFilter{Statuses: f.Statuses, Applied: a.dates("filter.applied", f.Applied)}
	return out, a.err
}

func eventFilter(ctx context.Context, f *model.EventFilter) (store.EventFilter, error) {
	v := auth.ViewerFrom(ctx)
	hidden, scope := policy.EventKindsHidden(v), policy.ResourceScope(v)
	if f == nil {
		return store.EventFilter{Hidden: hidden, Scope: scope}, nil
	}
	var a args
	out := store.EventFilter{
		Alliances: a.keys("filter.alliances", relay.TypeAlliance, f.Alliances),
		Kinds:     f.Kinds,
		Subjects:  f.Subjects,
		Hidden:    hidden,
		Scope:     scope,
	}
	if f.Occurred != nil {
		out.From, out.To = f.Occurred.From, f.Occurred.To
		if out.From != nil && out.To != nil && out.To.Before(*out.From) {
			a.fail("filter.occurred", "ends before it starts")
		}
	}
	return out, a.err
}
