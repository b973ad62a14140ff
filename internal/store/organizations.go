package store

import (
	"context"
	"time"
)

// DateRange is an inclusive range of dates; nil ends are open.
type DateRange struct {
	From *time.Time
	To   *time.Time
}

// OrganizationFilter selects organizations. Nil or empty fields do not filter, except ID
// lists, where an empty non-nil list matches nothing.
type OrganizationFilter struct {
	Kinds           []OrganizationKind
	SchoolLevels    []SchoolLevel
	Industries      []Industry
	Parks           []int64
	Alliances       []int64
	Districts       []string
	ForeignInvested *bool
	Search          *string
}

var organizationOrders = map[string]sortKey{
	"NAME":         {byName("o.name_en"), "text"},
	"NAME_ZH":      {byPinyin("o.name_zh"), "text"},
	"FOUNDED_YEAR": {"COALESCE(o.founded_year, 0)", "int"},
	"CREATED_AT":   {"o.created_at", "timestamptz"},
}

func organizationList(f OrganizationFilter, o Order) *list {
	l := &list{cols: "o.*", from: "organization o", id: "o.id", orders: organizationOrders, order: o}
	in(l, "o.kind", f.Kinds)
	in(l, "o.school_level", f.SchoolLevels)
	in(l, "o.industry", f.Industries)
	inIDs(l, "o.park_id", f.Parks)
	in(l, "o.district", f.Districts)
	if f.Alliances != nil {
		l.where("EXISTS (SELECT 1 FROM membership m WHERE m.organization_id = o.id AND m.left_on IS NULL AND m.alliance_id = ANY(" + l.arg(int64Array(f.Alliances)) + "))")
	}
	if f.ForeignInvested != nil {
		l.where("o.foreign_invested = " + l.arg(*f.ForeignInvested))
	}
	contains(l, f.Search, "o.name_en", "o.name_zh")
	return l
}

func orgID(o *Organization) int64 { return o.ID }

// Organizations lists the member directory.
func (s *Store) Organizations(ctx context.Context, f OrganizationFilter, o Order, p Page) (Result[Organization], error) {
	return page(ctx, s, "organizations", organizationList(f, o), p, orgID)
}

// CountOrganizations counts the directory entries f selects.
func (s *Store) CountOrganizations(ctx context.Context, f OrganizationFilter) (int, error) {
	return count(ctx, s, "organizations", organizationList(f, Order{}))
}

func parkCompanyList(f OrganizationFilter, o Order) *list {
	f.Kinds = []OrganizationKind{KindCompany}
	l := organizationList(f, o)
	l.parent = "o.park_id"
	return l
}

// ParkCompanies lists the companies located in each park.
func (s *Store) ParkCompanies(ctx context.Context, parks []int64, f OrganizationFilter, o Order, p Page) (map[int64]Result[Organization], error) {
	return pages(ctx, s, "park companies", parkCompanyList(f, o), parks, p, orgID)
}

// CountParkCompanies counts the companies located in each park.
func (s *Store) CountParkCompanies(ctx context.Context, parks []int64, f OrganizationFilter) (map[int64]int, error) {
	return counts(ctx, s, "park companies", parkCompanyList(f, Order{}), parks)
}

// OrganizationsByID loads organizations by id.
func (s *Store) OrganizationsByID(ctx context.Context, ids []int64) (map[int64]*Organization, error) {
	return byID(ctx, s, "organizations", "SELECT * FROM organization WHERE id = ANY($1)", ids, orgID)
}

// TrainingCenterIDsOfOrganizations lists, per organization, the training centres it runs
// or is linked to, by name.
func (s *Store) TrainingCenterIDsOfOrganizations(ctx context.Context, orgs []int64) (map[int64][]Link, error) {
	return groupList(ctx, s, "training centres of organizations", organizationCenterList, "tc", "tcl.organization_id AS owner_id, tc.id AS other_id", Scope{},
		orgs, func(l *Link) int64 { return l.OwnerID })
}

// organizationCenterList is the training centres an organization operates or is linked
// to, by name.
var organizationCenterList = &ManyDecl{To: "center",
	Key: func(a string) string { return a + "l.organization_id" },
	From: func(a string) string {
		return "(SELECT operator_id AS organization_id, id AS training_center_id FROM training_center" +
			" UNION SELECT organization_id, training_center_id FROM training_center_link) " + a + "l" +
			" JOIN training_center " + a + " ON " + a + ".id = " + a + "l.training_center_id"
	},
	Order: func(a string) string { return byName(a+".name_en") + ", " + a + ".id" },
}
