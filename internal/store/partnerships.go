package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// PartnershipFilter selects partnerships.
type PartnershipFilter struct {
	Kinds        []PartnershipKind
	Statuses     []PartnershipStatus
	Alliances    []int64
	Participants []int64
	Signed       *DateRange
	Search       *string
}

var partnershipOrders = map[string]sortKey{
	"SIGNED_ON":  {"COALESCE(p.signed_on, 'infinity'::date)", "date"},
	"TITLE":      {byName("p.title_en"), "text"},
	"CREATED_AT": {"p.created_at", "timestamptz"},
}

func partnershipList(f PartnershipFilter, o Order) *list {
	l := &list{cols: "p.*", from: "partnership p", id: "p.id", parent: "p.alliance_id", orders: partnershipOrders, order: o}
	in(l, "p.kind", f.Kinds)
	in(l, "p.status", f.Statuses)
	inIDs(l, "p.alliance_id", f.Alliances)
	if f.Participants != nil {
		l.where("EXISTS (SELECT 1 FROM partnership_participant fp WHERE fp.partnership_id = p.id AND fp.organization_id = ANY(" + l.arg(int64Array(f.Participants)) + "))")
	}
	dates(l, "p.signed_on", f.Signed)
	contains(l, f.Search, "p.title_en", "p.title_zh")
	return l
}

func organizationPartnershipList(f PartnershipFilter, o Order) *list {
	l := partnershipList(f, o)
	l.from = "partnership p JOIN partnership_participant pp ON pp.partnership_id = p.id"
	l.parent = "pp.organization_id"
	if len(l.conds) == 0 {
		// Unfiltered, an organization's partnerships are its participant rows: counting
		// them needs no partnership row (a tenth of a company directory page's statement).
		l.counted = "partnership_participant pp"
	}
	return l
}

func partnershipID(p *Partnership) int64 { return p.ID }

// Partnerships lists partnerships.
func (s *Store) Partnerships(ctx context.Context, f PartnershipFilter, o Order, p Page) (Result[Partnership], error) {
	return page(ctx, s, "partnerships", partnershipList(f, o), p, partnershipID)
}

// CountPartnerships counts the partnerships f selects.
func (s *Store) CountPartnerships(ctx context.Context, f PartnershipFilter) (int, error) {
	return count(ctx, s, "partnerships", partnershipList(f, Order{}))
}

// AlliancePartnerships lists each alliance's partnerships.
func (s *Store) AlliancePartnerships(ctx context.Context, alliances []int64, f PartnershipFilter, o Order, p Page) (map[int64]Result[Partnership], error) {
	return pages(ctx, s, "alliance partnerships", partnershipList(f, o), alliances, p, partnershipID)
}

// CountAlliancePartnerships counts each alliance's partnerships.
func (s *Store) CountAlliancePartnerships(ctx context.Context, alliances []int64, f PartnershipFilter) (map[int64]int, error) {
	return counts(ctx, s, "alliance partnerships", partnershipList(f, Order{}), alliances)
}

// OrganizationPartnerships lists the partnerships each organization takes part in.
func (s *Store) OrganizationPartnerships(ctx context.Context, orgs []int64, f PartnershipFilter, o Order, p Page) (map[int64]Result[Partnership], error) {
	return pages(ctx, s, "organization partnerships", organizationPartnershipList(f, o), orgs, p, partnershipID)
}

// CountOrganizationPartnerships counts the partnerships each organization takes part in.
func (s *Store) CountOrganizationPartnerships(ctx context.Context, orgs []int64, f PartnershipFilter) (map[int64]int, error) {
	return counts(ctx, s, "organization partnerships", organizationPartnershipList(f, Order{}), orgs)
}

// PartnershipsByID loads partnerships by id.
func (s *Store) PartnershipsByID(ctx context.Context, ids []int64) (map[int64]*Partnership, error) {
	return byID(ctx, s, "partnerships", "SELECT * FROM partnership WHERE id = ANY($1)", ids, partnershipID)
}

// ParticipantsOf lists each partnership's participants, lead first, then partners, then
// sponsors, each group by organization name.
func (s *Store) ParticipantsOf(ctx context.Context, partnerships []int64) (map[int64][]Participant, error) {
	return groupList(ctx, s, "participants", participantList, "pp", "pp.*", Scope{}, partnerships, func(p *Participant) int64 { return p.PartnershipID })
}

// participantList is a partnership's participants, lead first, then partners, then
// sponsors, each by name; the roles argument keeps those of the roles given (the
// loaders read every role and keep them in Go, in the same order).
var participantList = &ManyDecl{To: "participant", Key: keyColumn("partnership_id"),
	From: func(a string) string {
		return "partnership_participant " + a + " JOIN organization " + a + "o ON " + a + "o.id = " + a + ".organization_id"
	},
	Order: func(a string) string { return participantOrder(a, a+"o") },
	Args:  []string{"roles"},
	Filter: func(a string, args map[string]any, arg func(any) string) (string, error) {
		raw, ok := args["roles"].([]any)
		if args["roles"] != nil && !ok {
			return "", fmt.Errorf("roles are a %T, not a list", args["roles"])
		}
		if len(raw) == 0 {
			return "", nil
		}
		roles := make([]string, len(raw))
		for i, r := range raw {
			if roles[i], ok = r.(string); !ok {
				return "", fmt.Errorf("a role is a %T, not a string", r)
			}
		}
		return a + ".role = ANY(" + arg(pq.StringArray(roles)) + ")", nil
	},
}

// participantOrder orders the participant rows pp, of organizations o: lead first, then
// partners, then sponsors, each group by organization name.
func participantOrder(pp, o string) string {
	return "array_position(ARRAY['LEAD','PARTNER','SPONSOR'], " + pp + ".role), " + byName(o+".name_en") + ", " + o + ".id"
}
