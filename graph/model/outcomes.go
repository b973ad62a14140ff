package model

import (
	"time"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// EmploymentOutcome is one group of a period's employment outcomes.
type EmploymentOutcome struct{ store.Outcome }

// Key is what the group's members share.
func (o *EmploymentOutcome) Key() *OutcomeGroupKey {
	return &OutcomeGroupKey{SchoolID: o.SchoolID, Major: o.Outcome.Major, PartnershipID: o.PartnershipID,
		Industry: o.Outcome.Industry, Year: o.Outcome.Year}
}

// HiredThroughPartnership counts the hires through an order class or an apprenticeship.
func (o *EmploymentOutcome) HiredThroughPartnership() int {
	return o.HiredThroughOrderClass + o.HiredThroughApprenticeship
}

// OutcomeGroupKey is the key of a group of outcomes; the school and the partnership are
// loaded when asked for.
type OutcomeGroupKey struct {
	SchoolID      *int64
	Major         *string
	PartnershipID *int64
	Industry      *store.Industry
	Year          *int
}

// The employment outcomes' connection types.
type (
	EmploymentOutcomeConnection = Connection[*EmploymentOutcome]
	EmploymentOutcomeEdge       = Edge[*EmploymentOutcome]
)

// MembershipGrowth is the alliance's members over one interval, in all and by kind.
type MembershipGrowth struct {
	From, To             time.Time
	Joined, Left, Active int
	ByKind               []*MembershipKindGrowth
}

// MembershipKindGrowth is one kind of member's changes over one interval.
type MembershipKindGrowth struct {
	Kind                 store.OrganizationKind
	Joined, Left, Active int
}
