package server_test

import (
	"testing"
	"time"
)

type competitionsOut struct {
	Competitions struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   string
		}
		Edges []struct {
			Node struct {
				Name     struct{ En string }
				Level    string
				HeldOn   string
				Upcoming bool
			}
		}
	}
}

// The competition calendar lists the editions held and those to come, earliest first,
// judged on the server's day, paged by cursor, and filtered as the SQL says.
func TestCompetitionsListTheCalendarHeldAndUpcoming(t *testing.T) {
	ts := newServer(t)
	today := demoDay.Format(time.DateOnly)
	tests := []struct {
		name   string
		filter map[string]any
		sql    string
	}{
		{"all", nil, "SELECT count(*) FROM competition"},
		{"upcoming", map[string]any{"upcoming": true}, "SELECT count(*) FROM competition WHERE held_on > '" + today + "'"},
		{"held", map[string]any{"upcoming": false}, "SELECT count(*) FROM competition WHERE held_on <= '" + today + "'"},
		{"national and world", map[string]any{"levels": []string{"NATIONAL", "WORLD"}}, "SELECT count(*) FROM competition WHERE level IN ('NATIONAL', 'WORLD')"},
		{"held in 2025", map[string]any{"held": map[string]any{"from": "2025-01-01", "to": "2025-12-31"}},
			"SELECT count(*) FROM competition WHERE held_on BETWEEN '2025-01-01' AND '2025-12-31'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := sqlInt(t, tt.sql)
			if want == 0 {
				t.Fatal("the oracle finds no edition; the case tests little")
			}
			var seen []string
			after := any(nil)
			for pages := 0; ; pages++ {
				var out competitionsOut
				ts.data(t, `query($f: CompetitionFilter, $after: String) { competitions(filter: $f, first: 3, after: $after) {
					totalCount pageInfo { hasNextPage endCursor } edges { node { name { en } level heldOn upcoming } } } }`,
					map[string]any{"f": tt.filter, "after": after}, &out)
				c := out.Competitions
				if c.TotalCount != want {
					t.Fatalf("totalCount %d, want %d", c.TotalCount, want)
				}
				for _, e := range c.Edges {
					n := e.Node
					if n.Upcoming != (n.HeldOn > today) {
						t.Errorf("%s held on %s: upcoming %v on %s", n.Name.En, n.HeldOn, n.Upcoming, today)
					}
					if len(seen) > 0 && n.HeldOn < seen[len(seen)-1] {
						t.Errorf("%s (%s) comes after %s", n.Name.En, n.HeldOn, seen[len(seen)-1])
					}
					seen = append(seen, n.HeldOn)
				}
				if !c.PageInfo.HasNextPage {
					break
				}
				after = c.PageInfo.EndCursor
			}
			if len(seen) != want {
				t.Errorf("pages hold %d editions, want %d", len(seen), want)
			}
		})
	}
	r := ts.query(t, `{ competitions(filter: {held: {from: "2026-06-01", to: "2026-01-01"}}) { totalCount } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("a reversed range: errors %+v, want one BAD_USER_INPUT", r.Errors)
	}
}
