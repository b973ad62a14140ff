package demo_test

import (
	"sync"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/demo"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
)

// Replicas starting together on an empty database: exactly one loads the demo, none
// fails, and the database ends up with one copy of it.
func TestLoadIfEmptyLoadsOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t, "demo_once")
	target := d.DB
	const replicas = 3
	var wg sync.WaitGroup
	loaded := make([]bool, replicas)
	errs := make([]error, replicas)
	start := make(chan struct{})
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := database.Open(ctx(t), d.URL, false) // a pool of its own, as a replica has
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			<-start
			_, loaded[i], errs[i] = demo.LoadIfEmpty(ctx(t), db, demoDay)
		}()
	}
	close(start)
	wg.Wait()
	loads := 0
	for i := range replicas {
		if errs[i] != nil {
			t.Errorf("replica %d: %v", i, errs[i])
		}
		if loaded[i] {
			loads++
		}
	}
	if loads != 1 {
		t.Errorf("%d replicas loaded the demo, want exactly 1", loads)
	}
	want, got := tableCounts(t, testDB.DB), tableCounts(t, target)
	for _, tb := range allTables {
		if got[tb] != want[tb] {
			t.Errorf("%s: %d rows, one load gives %d", tb, got[tb], want[tb])
		}
	}
	// A later start finds the demo and leaves it alone.
	if _, again, err := demo.LoadIfEmpty(ctx(t), target, demoDay); err != nil || again {
		t.Errorf("LoadIfEmpty on a seeded database = loaded %v, err %v; want false, nil", again, err)
	}
}
