package store

import (
	"context"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/pgtest"
)

// Documents run as prepared statements, one per distinct text and pool; evicted ones are
// closed and prepared again when asked for, and every answer stays right.
func TestDocumentsRunPreparedAndSurviveEviction(t *testing.T) {
	ctx := context.Background()
	s := New(pgtest.New(t, "storeprepared").DB, nil)
	s.prepared.size = 1
	docs := []struct {
		fields []DocField
		want   string
	}{
		{[]DocField{{Key: "a", Value: Const("x")}}, `{"a" : "x"}`},
		{[]DocField{{Key: "b", Value: Const("y")}, {Key: "c", Value: Const("z")}}, `{"b" : "y", "c" : "z"}`},
	}
	for round := range 3 {
		for _, d := range docs {
			got, found, err := s.Document(ctx, time.Time{}, d.fields)
			if err != nil || !found || string(got) != d.want {
				t.Fatalf("round %d: Document = %s, %v, %v; want %s", round, got, found, err, d.want)
			}
			if n := s.prepared.pools[s.db].Len(); n != 1 {
				t.Fatalf("round %d: %d statements kept, want 1", round, n)
			}
		}
	}
	s.prepared.size = maxPrepared
	missing, found, err := s.Document(ctx, time.Time{}, []DocField{{Key: "alliance", Value: Lookup{Entity: "alliance", Column: "id", Value: int64(1 << 40), Object: Object{{Key: "id", Value: GlobalID("Alliance")}}}}})
	if err != nil || found || string(missing) != `{"alliance" : null}` {
		t.Fatalf("a missing alliance: %s, found %v, %v", missing, found, err)
	}
}
