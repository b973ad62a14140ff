package loader

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// inField returns a context in which a field of the tracked operation resolves.
func inField(t *tracker, name string) context.Context {
	ctx := context.WithValue(context.Background(), trackerKey{}, t)
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: "Query", Field: graphql.CollectedField{Field: &ast.Field{Name: name}}})
}

func trackedBatcher(t *tracker, r *recorder) *Batcher[int, string] {
	s := newScheduler()
	s.track = t
	return newBatcher(s, Timing{MaxKeys: 100}, r.fetch)
}

// newTracker is a tracker that fails the test if a batch goes out by its stall limit
// rather than by the count.
func newTracker(t *testing.T) *tracker {
	s := &Shapes{stall: 2 * time.Second, report: func(i Incident) { t.Errorf("incident: %s", i) }}
	return &tracker{shapes: s, objects: map[objKey]*objectRun{}, fields: map[*graphql.FieldContext]*fieldRun{}, future: map[fieldOf]int{}}
}

func TestATrackedBatchWaitsForEveryRunningFieldHoweverLongItTakes(t *testing.T) {
	tr := newTracker(t)
	var r recorder
	b := trackedBatcher(tr, &r)
	tr.running = 2 // two fields resolving; each will ask for one key
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := b.Load(inField(tr, "a"), 1); err != nil {
			t.Error(err)
		}
	}()
	// The other field is slow: far longer than any idle window a timed loader would use.
	time.Sleep(50 * time.Millisecond)
	if n := r.count(); n != 0 {
		t.Fatalf("%d batches went out while a field was still running", n)
	}
	if _, err := b.Load(inField(tr, "b"), 2); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if r.count() != 1 || !slices.Equal(sortedCopy(r.batches[0]), []int{1, 2}) {
		t.Errorf("batches = %v, want one batch of keys 1 and 2", r.batches)
	}
}

func TestATrackedBatchWaitsForFieldsAnnouncedButNotStarted(t *testing.T) {
	tr := newTracker(t)
	var r recorder
	b := trackedBatcher(tr, &r)
	tr.running, tr.expected = 1, 1 // one field waits; gqlgen has yet to start another
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Load(inField(tr, "a"), 1)
	}()
	time.Sleep(50 * time.Millisecond)
	if n := r.count(); n != 0 {
		t.Fatalf("%d batches went out before an announced field started", n)
	}
	tr.locked(func() { tr.expected--; tr.running++ })
	b.Load(inField(tr, "b"), 2)
	<-done
	if r.count() != 1 {
		t.Errorf("batches = %v, want one", r.batches)
	}
}

func TestATrackedBatchIsHeldWhileItsAskersHaveMoreToCome(t *testing.T) {
	tr := newTracker(t)
	var counts, pages recorder
	countB, pageB := trackedBatcher(tr, &counts), trackedBatcher(tr, &pages)
	// A.count has another instance to come (its object's inline fields are still being
	// resolved, waiting on the page batch); both fields wait.
	tr.running = 2
	tr.future[fieldOf{"Query", "count"}] = 1
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); countB.Load(inField(tr, "count"), 1) }()
	go func() {
		defer wg.Done()
		pageB.Load(inField(tr, "page"), 7)
		// The page is in and its field is done; the second count starts and asks for its key.
		tr.locked(func() { tr.future[fieldOf{"Query", "count"}]-- })
		countB.Load(inField(tr, "count"), 2)
	}()
	wg.Wait()
	if pages.count() != 1 || counts.count() != 1 || len(counts.batches[0]) != 2 {
		t.Errorf("pages %v, counts %v: want the page first, then one batch of both counts", pages.batches, counts.batches)
	}
}

func sortedCopy(s []int) []int {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
