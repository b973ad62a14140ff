package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// Partner is an organization with the number of partnerships it shares with the
// organization it was listed under.
type Partner struct {
	Organization
	Shared int `db:"shared"`
}

var partnerOrders = map[string]sortKey{
	"SHARED_PARTNERSHIPS": {"pr.shared", "bigint"},
	"NAME":                {byName("o.name_en"), "text"},
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

// SharedPartnerships lists, per pair, the partnerships both take part in that the filter
// admits, most recently signed first.
func (s *Store) SharedPartnerships(ctx context.Context, pairs []Pair, f NetworkFilter) (map[Pair][]Partnership, error) {
	as, bs := make([]int64, len(pairs)), make([]int64, len(pairs))
	for i, p := range pairs {
		as[i], bs[i] = p.A, p.B
	}
	var rows []struct {
		A int64 `db:"pair_a"`
		B int64 `db:"pair_b"`
		Partnership
	}
	l := &list{}
	qa, qb := l.arg(int64Array(as)), l.arg(int64Array(bs))
	cond := networkConds(l, f)
	err := s.selectRows(ctx, &rows, `
		SELECT q.a AS pair_a, q.b AS pair_b, p.*
		FROM unnest(`+qa+`::bigint[], `+qb+`::bigint[]) AS q(a, b)
		JOIN partnership_participant x ON x.organization_id = q.a
		JOIN partnership_participant y ON y.partnership_id = x.partnership_id AND y.organization_id = q.b
		JOIN partnership p ON p.id = x.partnership_id`+cond+`
		ORDER BY p.signed_on DESC NULLS LAST, p.id`, l.args...)
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

// linkFrom is the join of two participants a and b of one partnership p, with the
// filter's conditions on p added to l: every network question walks these links.
func linkFrom(l *list, f NetworkFilter) string {
	return `partnership_participant a
		JOIN partnership_participant b ON b.partnership_id = a.partnership_id AND b.organization_id <> a.organization_id
		JOIN partnership p ON p.id = a.partnership_id` + networkConds(l, f)
}

// networkConds adds the filter's conditions on partnership p to l's arguments and
// returns them as " AND ..." clauses.
func networkConds(l *list, f NetworkFilter) string {
	in(l, "p.status", f.Statuses)
	in(l, "p.kind", f.Kinds)
	cond := ""
	for _, c := range l.conds {
		cond += " AND " + c
	}
	l.conds = nil
	return cond
}

// Path finds a shortest chain of links from one organization to another, at most
// maxDepth links long, breadth-first in one statement: each level of the recursion
// holds the frontier and every organization seen so far, and the next frontier is the
// unseen partners of the current one (an anti-join against the seen set, hashed, so a
// level costs the links it crosses, not links times seen). The chain is then walked
// back from the target, taking the lowest-numbered neighbour on the level before. Nil
// means no chain is short enough.
func (s *Store) Path(ctx context.Context, from, to int64, maxDepth int, f NetworkFilter) ([]int64, error) {
	l := &list{}
	src, dst, depth := l.arg(from), l.arg(to), l.arg(maxDepth)
	links := linkFrom(l, f)
	q := `WITH RECURSIVE ` + walk(src, links, depth, `NOT `+dst+`::bigint = ANY(bfs.seen)`) + `, back(depth, node, path) AS (
		SELECT depth, ` + dst + `::bigint, ARRAY[` + dst + `::bigint] FROM bfs WHERE ` + dst + `::bigint = ANY(frontier)
		UNION ALL
		SELECT back.depth - 1, prev.id, prev.id || back.path
		FROM back CROSS JOIN LATERAL (
			SELECT min(a.organization_id) AS id
			FROM ` + links + `
			JOIN bfs level ON level.depth = back.depth - 1
			WHERE b.organization_id = back.node AND a.organization_id = ANY(level.frontier)
		) prev
		WHERE back.depth > 0
	)
	SELECT path FROM back WHERE depth = 0`
	var paths []pq.Int64Array
	if err := s.selectRows(ctx, &paths, q, l.args...); err != nil {
		return nil, fmt.Errorf("find path from organization %d to %d: %w", from, to, err)
	}
	if len(paths) == 0 {
		return nil, nil
	}
	return paths[0], nil
}

// walk is the breadth-first walk from src over links, as the CTE "bfs" whose rows are the
// levels (depth, frontier, seen), going at most depth levels while more holds.
func walk(src, links, depth, more string) string {
	return `bfs(depth, frontier, seen) AS (
		SELECT 0, ARRAY[` + src + `::bigint], ARRAY[` + src + `::bigint]
		UNION ALL
		SELECT bfs.depth + 1, nxt.ids, bfs.seen || nxt.ids
		FROM bfs CROSS JOIN LATERAL (
			SELECT array_agg(DISTINCT b.organization_id) AS ids
			FROM ` + links + `
			WHERE a.organization_id = ANY(bfs.frontier)
				AND NOT EXISTS (SELECT 1 FROM unnest(bfs.seen) s(id) WHERE s.id = b.organization_id)
		) nxt
		WHERE bfs.depth < ` + depth + ` AND ` + more + ` AND nxt.ids IS NOT NULL
	)`
}

// Reached is an organization found by a breadth-first walk, with its distance.
type Reached struct {
	ID       int64 `db:"id"`
	Distance int   `db:"distance"`
}

// Reach lists the organizations at most depth links from center, nearest first, then
// by id, at most limit of them.
func (s *Store) Reach(ctx context.Context, center int64, depth, limit int, f NetworkFilter) ([]Reached, error) {
	l := &list{}
	src, d, n := l.arg(center), l.arg(depth), l.arg(limit)
	q := `WITH RECURSIVE ` + walk(src, linkFrom(l, f), d, "TRUE") + `
	SELECT r.id, bfs.depth AS distance FROM bfs CROSS JOIN LATERAL unnest(bfs.frontier) r(id)
	ORDER BY bfs.depth, r.id LIMIT ` + n
	var out []Reached
	if err := s.selectRows(ctx, &out, q, l.args...); err != nil {
		return nil, fmt.Errorf("walk the network around organization %d: %w", center, err)
	}
	return out, nil
}

// Tie is a pair of linked organizations and the number of partnerships they share.
type Tie struct {
	A      int64 `db:"a"`
	B      int64 `db:"b"`
	Weight int   `db:"weight"`
}

// TiesOf lists every link of the given organizations, whoever is at the other end.
func (s *Store) TiesOf(ctx context.Context, orgs []int64, f NetworkFilter) ([]Tie, error) {
	l := &list{}
	ids := l.arg(int64Array(orgs))
	q := `SELECT a.organization_id AS a, b.organization_id AS b, count(*) AS weight
		FROM ` + linkFrom(l, f) + `
		WHERE a.organization_id = ANY(` + ids + `)
		GROUP BY 1, 2 ORDER BY 1, 2`
	var out []Tie
	if err := s.selectRows(ctx, &out, q, l.args...); err != nil {
		return nil, fmt.Errorf("load links of %d organizations: %w", len(orgs), err)
	}
	return out, nil
}

// Participation is an organization of an alliance's network and one partnership it
// takes part in; Partnership is 0 for a current member that takes part in none.
type Participation struct {
	Partnership  int64            `db:"partnership_id"`
	Organization int64            `db:"organization_id"`
	Kind         OrganizationKind `db:"kind"`
}

// Participations lists the alliance's partnerships' participants under the filter, and
// its current members with Partnership 0, so that members in no partnership are part of
// the network too.
func (s *Store) Participations(ctx context.Context, alliance int64, f NetworkFilter) ([]Participation, error) {
	l := &list{}
	a := l.arg(alliance)
	// The kinds are joined once, to both halves: the organization table is wide, and
	// reading it twice was a third of the statement at scale 100.
	q := `SELECT u.partnership_id, u.organization_id, o.kind FROM (
			SELECT x.partnership_id, x.organization_id
			FROM partnership_participant x
			JOIN partnership p ON p.id = x.partnership_id` + networkConds(l, f) + `
			WHERE p.alliance_id = ` + a + `
			UNION ALL
			SELECT 0, m.organization_id FROM membership m
			WHERE m.alliance_id = ` + a + ` AND m.left_on IS NULL
		) u JOIN organization o ON o.id = u.organization_id`
	var out []Participation
	if err := s.selectRows(ctx, &out, q, l.args...); err != nil {
		return nil, fmt.Errorf("load the partnership network of alliance %d: %w", alliance, err)
	}
	return out, nil
}

// networkEvents are the events that change who is linked to whom. PARTNERSHIP_UPDATED is
// not one: it edits titles, descriptions and dates, which no network question reads; nor
// are invitations sent, declined or withdrawn, since only accepted participants link.
var networkEvents = pq.StringArray{string(EventMemberAdmitted), string(EventMemberLeft), string(EventPartnershipProposed),
	string(EventPartnershipStatusChanged), string(EventParticipantAdded), string(EventParticipantRemoved), string(EventInvitationAccepted)}

// NetworkVersion is the id of the latest event that changed a partnership network: what
// was measured at that event stays valid until it moves. Each kind is one backward step
// on the event_kind index, however long the log.
func (s *Store) NetworkVersion(ctx context.Context) (int64, error) {
	var id int64
	err := s.getRow(ctx, &id, `SELECT COALESCE(max(last.id), 0) FROM unnest($1::text[]) AS k(kind)
		CROSS JOIN LATERAL (SELECT max(e.id) AS id FROM event e WHERE e.kind = k.kind) last`, networkEvents)
	if err != nil {
		return 0, fmt.Errorf("read the partnership network's version: %w", err)
	}
	return id, nil
}
