package store

import (
	"context"
	"fmt"
	"time"
)

var allianceOrders = map[string]sortKey{
	"NAME":       {byName("a.name_en"), "text"},
	"FOUNDED_ON": {"a.founded_on", "date"},
}

func allianceID(a *Alliance) int64 { return a.ID }

// Alliances lists the alliances on this server.
func (s *Store) Alliances(ctx context.Context, o Order, p Page) (Result[Alliance], error) {
	return page(ctx, s, "alliances", allianceList(struct{}{}, o), p, allianceID)
}

// allianceList lists the alliances; they take no filter.
func allianceList(_ struct{}, o Order) *list {
	return &list{cols: "a.*", from: "alliance a", id: "a.id", orders: allianceOrders, order: o}
}

// CountAlliances counts the alliances on this server.
func (s *Store) CountAlliances(ctx context.Context) (int, error) {
	return count(ctx, s, "alliances", allianceList(struct{}{}, Order{}))
}

// AlliancesByID loads alliances by id.
func (s *Store) AlliancesByID(ctx context.Context, ids []int64) (map[int64]*Alliance, error) {
	return byID(ctx, s, "alliances", "SELECT * FROM alliance WHERE id = ANY($1)", ids, allianceID)
}

// AllianceBySlug loads the alliance with the given slug.
func (s *Store) AllianceBySlug(ctx context.Context, slug string) (*Alliance, error) {
	var a Alliance
	if err := s.getRow(ctx, &a, "SELECT * FROM alliance WHERE slug = $1", slug); err != nil {
		return nil, fmt.Errorf("load alliance %q: %w", slug, err)
	}
	return &a, nil
}

// FirstAlliance loads the alliance founded first, the default when a query names none.
func (s *Store) FirstAlliance(ctx context.Context) (*Alliance, error) {
	var a Alliance
	if err := s.getRow(ctx, &a, "SELECT * FROM alliance a ORDER BY "+firstAllianceOrder("a")+" LIMIT 1"); err != nil {
		return nil, fmt.Errorf("load first alliance: %w", err)
	}
	return &a, nil
}

// MembershipFilter selects memberships.
type MembershipFilter struct {
	Roles  []MembershipRole
	Kinds  []OrganizationKind
	Active *bool
	Joined *DateRange
	Search *string
}

var membershipOrders = map[string]sortKey{
	"JOINED_ON":         {"m.joined_on", "date"},
	"ORGANIZATION_NAME": {"o.name_en", "text"},
}

func membershipList(f MembershipFilter, o Order) *list {
	l := &list{cols: "m.*", from: "membership m JOIN organization o ON o.id = m.organization_id", id: "m.id",
		parent: "m.alliance_id", orders: membershipOrders, order: o}
	in(l, "m.role", f.Roles)
	in(l, "o.kind", f.Kinds)
	if f.Active != nil {
		if *f.Active {
			l.where("m.left_on IS NULL")
		} else {
			l.where("m.left_on IS NOT NULL")
		}
	}
	dates(l, "m.joined_on", f.Joined)
	contains(l, f.Search, "o.name_en", "o.name_zh")
	return l
}

func membershipID(m *Membership) int64 { return m.ID }

// AllianceMembers lists each alliance's memberships.
func (s *Store) AllianceMembers(ctx context.Context, alliances []int64, f MembershipFilter, o Order, p Page) (map[int64]Result[Membership], error) {
	return pages(ctx, s, "alliance members", membershipList(f, o), alliances, p, membershipID)
}

// CountAllianceMembers counts each alliance's memberships.
func (s *Store) CountAllianceMembers(ctx context.Context, alliances []int64, f MembershipFilter) (map[int64]int, error) {
	return counts(ctx, s, "alliance members", membershipList(f, Order{}), alliances)
}

// MembershipsByID loads memberships by id.
func (s *Store) MembershipsByID(ctx context.Context, ids []int64) (map[int64]*Membership, error) {
	return byID(ctx, s, "memberships", "SELECT * FROM membership WHERE id = ANY($1)", ids, membershipID)
}

// MembershipsOfOrganizations lists each organization's memberships, oldest first.
func (s *Store) MembershipsOfOrganizations(ctx context.Context, orgs []int64) (map[int64][]Membership, error) {
	return groupList(ctx, s, "memberships", organizationMembershipList, "m", "m.*", Scope{},
		orgs, func(m *Membership) int64 { return m.OrganizationID })
}

// firstAllianceOrder orders alliance rows a so that the default alliance, the oldest,
// comes first.
func firstAllianceOrder(a string) string { return a + ".founded_on, " + a + ".id" }

// organizationMembershipList is an organization's memberships, oldest first.
var organizationMembershipList = &ManyDecl{To: "membership", Key: keyColumn("organization_id"),
	From:  func(a string) string { return "membership " + a },
	Order: func(a string) string { return a + ".joined_on, " + a + ".id" },
}

// AllianceStats are an alliance's dashboard counters.
type AllianceStats struct {
	AllianceID         int64     `db:"alliance_id"`
	Members            int       `db:"members"`
	ActivePartnerships int       `db:"active_partnerships"`
	Partnerships       int       `db:"partnerships"`
	Resources          int       `db:"resources"`
	OpenOpenings       int       `db:"open_openings"`
	OpenPositions      int       `db:"open_positions"`
	FilledPositions    int       `db:"filled_positions"`
	Talents            int       `db:"talents"`
	LastEventID        int64     `db:"last_event_id"`
	AsOf               time.Time `db:"as_of"`
}

// Stats counts an alliance's members, partnerships, resources, positions and talents
// in one statement.
func (s *Store) Stats(ctx context.Context, alliance int64) (*AllianceStats, error) {
	var st AllianceStats
	err := s.getRow(ctx, &st, `
		SELECT a.id AS alliance_id,
			(SELECT count(*) FROM membership m WHERE m.alliance_id = a.id AND m.left_on IS NULL) AS members,
			(SELECT count(*) FROM partnership p WHERE p.alliance_id = a.id AND p.status IN ('SIGNED', 'ACTIVE')) AS active_partnerships,
			(SELECT count(*) FROM partnership p WHERE p.alliance_id = a.id) AS partnerships,
			(SELECT count(*) FROM resource r WHERE r.alliance_id = a.id AND r.withdrawn_on IS NULL) AS resources,
			(SELECT count(*) FROM resource r WHERE r.alliance_id = a.id AND r.opening_status = 'OPEN' AND r.withdrawn_on IS NULL) AS open_openings,
			(SELECT COALESCE(sum(r.positions - r.filled), 0) FROM resource r WHERE r.alliance_id = a.id AND r.opening_status = 'OPEN' AND r.withdrawn_on IS NULL) AS open_positions,
			(SELECT COALESCE(sum(r.filled), 0) FROM resource r WHERE r.alliance_id = a.id AND r.category = 'JOB_OPENING') AS filled_positions,
			(SELECT count(*) FROM talent t WHERE t.alliance_id = a.id) AS talents,
			(SELECT COALESCE(max(e.id), 0) FROM event e) AS last_event_id,
			now() AS as_of
		FROM alliance a WHERE a.id = $1`, alliance)
	if err != nil {
		return nil, fmt.Errorf("count alliance %d: %w", alliance, err)
	}
	return &st, nil
}
