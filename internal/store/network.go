package store

import (
	"context"
	"fmt"
)

// Partner is an organization with the number of partnerships it shares with the
// organization it was listed under.
type Partner struct {
	Organization
	Shared int `db:"shared"`
}

var partnerOrders = map[string]sortKey{
	"SHARED_PARTNERSHIPS": {"pr.shared", "bigint"},
	"NAME":                {"o.name_en", "text"},
}

// partnerList lists, per organization, the organizations it shares partnerships with.
// The grouped pairs are filtered on of_id, which PostgreSQL pushes into the grouping, so
// each parent costs an index scan of its own partnerships.
func partnerList(f OrganizationFilter, o Order) *list {
	l := organizationList(f, o)
	l.cols = "o.*, pr.shared"
	l.from = `(SELECT a.organization_id AS of_id, b.organization_id AS partner_id, count(*) AS shared
		FROM partnership_participant a JOIN partnership_participant b
			ON b.partnership_id = a.partnership_id AND b.organization_id <> a.organization_id
		GROUP BY 1, 2) pr JOIN organization o ON o.id = pr.partner_id`
	l.parent = "pr.of_id"
	l.orders = partnerOrders
	return l
}

func partnerID(p *Partner) int64 { return p.ID }

// Partners lists each organization's partners.
func (s *Store) Partners(ctx context.Context, orgs []int64, f OrganizationFilter, o Order, p Page) (map[int64]Result[Partner], error) {
	return pages(ctx, s, "partners", partnerList(f, o), orgs, p, partnerID)
}

// CountPartners counts each organization's partners.
func (s *Store) CountPartners(ctx context.Context, orgs []int64, f OrganizationFilter) (map[int64]int, error) {
	return counts(ctx, s, "partners", partnerList(f, Order{}), orgs)
}

// Pair is two organizations.
type Pair struct{ A, B int64 }

// SharedPartnerships lists, per pair, the partnerships both take part in, most recently
// signed first.
func (s *Store) SharedPartnerships(ctx context.Context, pairs []Pair) (map[Pair][]Partnership, error) {
	as, bs := make([]int64, len(pairs)), make([]int64, len(pairs))
	for i, p := range pairs {
		as[i], bs[i] = p.A, p.B
	}
	var rows []struct {
		A int64 `db:"pair_a"`
		B int64 `db:"pair_b"`
		Partnership
	}
	err := s.selectRows(ctx, &rows, `
		SELECT q.a AS pair_a, q.b AS pair_b, p.*
		FROM unnest($1::bigint[], $2::bigint[]) AS q(a, b)
		JOIN partnership_participant x ON x.organization_id = q.a
		JOIN partnership_participant y ON y.partnership_id = x.partnership_id AND y.organization_id = q.b
		JOIN partnership p ON p.id = x.partnership_id
		ORDER BY p.signed_on DESC NULLS LAST, p.id`, int64Array(as), int64Array(bs))
	if err != nil {
		return nil, fmt.Errorf("load partnerships shared by %d pairs: %w", len(pairs), err)
	}
	out := make(map[Pair][]Partnership, len(pairs))
	for _, p := range pairs {
		out[p] = nil
	}
	for _, r := range rows {
		k := Pair{r.A, r.B}
		out[k] = append(out[k], r.Partnership)
	}
	return out, nil
}

// NetworkFilter selects the partnerships that count as links between organizations.
type NetworkFilter struct {
	Statuses []PartnershipStatus `json:",omitempty"`
	Kinds    []PartnershipKind   `json:",omitempty"`
}
