package store

import (
	"context"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/database"
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
			got, found, err := s.Document(ctx, time.Time{}, Visibility{}, d.fields)
			if err != nil || !found || string(got) != d.want {
				t.Fatalf("round %d: Document = %s, %v, %v; want %s", round, got, found, err, d.want)
			}
			if n := s.prepared.pools[s.db].Len(); n != 1 {
				t.Fatalf("round %d: %d statements kept, want 1", round, n)
			}
		}
	}
	s.prepared.size = maxPrepared
	missing, found, err := s.Document(ctx, time.Time{}, Visibility{}, []DocField{{Key: "alliance", Value: Lookup{Entity: "alliance", Column: "id", Value: int64(1 << 40), Object: Object{{Key: "id", Value: GlobalID("Alliance")}}}}})
	if err != nil || found || string(missing) != `{"alliance" : null}` {
		t.Fatalf("a missing alliance: %s, found %v, %v", missing, found, err)
	}
}

// On a document pool with generic plans (as the server runs them), a document's
// statement is planned once per session and never again, however many times it runs:
// PostgreSQL's own choice kept planning some at every run.
func TestDocumentsOnTheirPoolArePlannedOnce(t *testing.T) {
	ctx := context.Background()
	d := pgtest.New(t, "storeplans")
	docs, err := database.Open(ctx, database.WithGenericPlans(d.URL), false)
	if err != nil {
		t.Fatal(err)
	}
	defer docs.Close()
	docs.SetMaxOpenConns(1) // pg_prepared_statements shows one session's statements
	s := New(d.DB, nil).WithDocumentPool(docs)
	lookup := []DocField{{Key: "alliance", Value: Lookup{Entity: "alliance", Column: "id", Value: int64(1 << 40), Object: Object{{Key: "id", Value: GlobalID("Alliance")}}}}}
	const runs = 8
	for range runs {
		if _, _, err := s.Document(ctx, time.Time{}, Visibility{}, lookup); err != nil {
			t.Fatal(err)
		}
	}
	var plans struct {
		Generic int `db:"generic_plans"`
		Custom  int `db:"custom_plans"`
	}
	if err := docs.GetContext(ctx, &plans, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%json_build_object%'`); err != nil {
		t.Fatalf("the document's statement is not prepared on its pool: %v", err)
	}
	if plans.Generic != runs || plans.Custom != 0 {
		t.Errorf("%d generic and %d custom plans over %d runs, want %d and 0", plans.Generic, plans.Custom, runs, runs)
	}
	if _, _, err := s.Document(ReadPrimary(ctx), time.Time{}, Visibility{}, lookup); err != nil {
		t.Fatal(err)
	}
	if n := s.prepared.pools[d.DB].Len(); n != 1 {
		t.Errorf("under ReadPrimary %d statements prepared on the primary's pool, want 1", n)
	}
}
