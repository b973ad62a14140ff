package benchmark

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/relay"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestComparisonFindsEveryKindOfDifference: the equivalence check must fail on a count, a
// row, a nested value or an order that differs, and pass on ids that differ only in form
// (a global ID against its key) and on lists marked sorted that differ only in order.
func TestComparisonFindsEveryKindOfDifference(t *testing.T) {
	id := relay.ID(relay.TypeOrganization, 7)
	ours := Shape{Rows: "list.edges[].node", Total: "list.totalCount", Fields: []string{"key:id", "name.en", "tags[].code", "sorted:parts[].name"}}
	peer := Shape{Rows: "all.edges[].node", Total: "all.totalCount", Fields: []string{"id", "nameEn", "tags.edges[].node.code", "sorted:parts[].name"}}
	oursDoc := `{"list": {"totalCount": 2, "edges": [{"node": {"id": "` + id + `", "name": {"en": "A"}, "tags": [{"code": "x"}, {"code": "y"}], "parts": [{"name": "p"}, {"name": "q"}]}},
		{"node": {"id": 8, "name": {"en": "B"}, "tags": [], "parts": []}}]}}`
	cases := []struct {
		name, peerDoc, want string
	}{
		{"alike", `{"all": {"totalCount": 2, "edges": [{"node": {"id": "7", "nameEn": "A", "tags": {"edges": [{"node": {"code": "x"}}, {"node": {"code": "y"}}]}, "parts": [{"name": "q"}, {"name": "p"}]}},
			{"node": {"id": "8", "nameEn": "B", "tags": {"edges": []}, "parts": []}}]}}`, ""},
		{"count", `{"all": {"totalCount": 3, "edges": [{"node": {"id": "7", "nameEn": "A", "tags": {"edges": [{"node": {"code": "x"}}, {"node": {"code": "y"}}]}, "parts": [{"name": "p"}, {"name": "q"}]}},
			{"node": {"id": "8", "nameEn": "B", "tags": {"edges": []}, "parts": []}}]}}`, "totalCount"},
		{"missing row", `{"all": {"totalCount": 2, "edges": [{"node": {"id": "7", "nameEn": "A", "tags": {"edges": [{"node": {"code": "x"}}, {"node": {"code": "y"}}]}, "parts": [{"name": "p"}, {"name": "q"}]}}]}}`, "rows against"},
		{"nested value", `{"all": {"totalCount": 2, "edges": [{"node": {"id": "7", "nameEn": "A", "tags": {"edges": [{"node": {"code": "x"}}]}, "parts": [{"name": "p"}, {"name": "q"}]}},
			{"node": {"id": "8", "nameEn": "B", "tags": {"edges": []}, "parts": []}}]}}`, "row 1"},
		{"order", `{"all": {"totalCount": 2, "edges": [{"node": {"id": "8", "nameEn": "B", "tags": {"edges": []}, "parts": []}},
			{"node": {"id": "7", "nameEn": "A", "tags": {"edges": [{"node": {"code": "x"}}, {"node": {"code": "y"}}]}, "parts": [{"name": "p"}, {"name": "q"}]}}]}}`, "row 1"},
		{"id", `{"all": {"totalCount": 2, "edges": [{"node": {"id": "6", "nameEn": "A", "tags": {"edges": [{"node": {"code": "x"}}, {"node": {"code": "y"}}]}, "parts": [{"name": "p"}, {"name": "q"}]}},
			{"node": {"id": "8", "nameEn": "B", "tags": {"edges": []}, "parts": []}}]}}`, "row 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			total, rows := ours.rows(decode(t, oursDoc))
			peerTotal, peerRows := peer.rows(decode(t, c.peerDoc))
			e := compare("op", PostGraphile, []answer{{total, rows}}, []answer{{peerTotal, peerRows}})
			if c.want == "" {
				if !e.Same {
					t.Errorf("differs: %s", e.Detail)
				}
				return
			}
			if e.Same || !strings.Contains(e.Detail, c.want) {
				t.Errorf("same %v, detail %q; want a difference mentioning %q", e.Same, e.Detail, c.want)
			}
		})
	}
}
