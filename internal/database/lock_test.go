package database_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/migrations"
)

// emptyDatabaseURL creates a database without migrating it and drops it when the test
// ends.
func emptyDatabaseURL(t *testing.T) string {
	t.Helper()
	u := pgtest.URL(t, "lock")
	db, err := database.Open(context.Background(), u, true)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return u
}

// Replicas started together all migrate the same empty database at once: each
// migration must run exactly once and no replica may fail.
func TestConcurrentReplicasMigrateOnce(t *testing.T) {
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no embedded migrations: %v", err)
	}
	// Without the lock the race is lost only now and then: try a few fresh databases.
	for round := range 3 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) { migrateConcurrently(t, len(files)) })
	}
}

func migrateConcurrently(t *testing.T, migrationCount int) {
	ctx := context.Background()
	dbURL := emptyDatabaseURL(t)
	const replicas = 4
	var wg sync.WaitGroup
	var applied atomic.Int64
	errs := make([]error, replicas)
	start := make(chan struct{})
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := database.Open(ctx, dbURL, false) // a pool of its own, as a replica has
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			<-start
			n, err := database.Migrate(ctx, db.DB)
			applied.Add(int64(n))
			errs[i] = err
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	if got := applied.Load(); got != int64(migrationCount) {
		t.Errorf("the replicas applied %d migrations in all, want each of the %d once", got, migrationCount)
	}
}

func TestExclusivelySerialisesAcrossPoolsAndReleases(t *testing.T) {
	ctx := context.Background()
	dbURL := emptyDatabaseURL(t)
	a, err := database.Open(ctx, dbURL, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := database.Open(ctx, dbURL, false)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	t.Run("one holder at a time", func(t *testing.T) {
		var inside, most atomic.Int32
		var wg sync.WaitGroup
		for i := range 6 {
			db := a
			if i%2 == 1 {
				db = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := database.Exclusively(ctx, db.DB, func(context.Context) error {
					n := inside.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					time.Sleep(20 * time.Millisecond)
					inside.Add(-1)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if most.Load() != 1 {
			t.Errorf("%d holders were inside at once, want 1", most.Load())
		}
	})

	t.Run("released when fn fails", func(t *testing.T) {
		boom := errors.New("boom")
		if err := database.Exclusively(ctx, a.DB, func(context.Context) error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("got %v, want fn's error", err)
		}
		quick, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := database.Exclusively(quick, b.DB, func(context.Context) error { return nil }); err != nil {
			t.Fatalf("the lock was not released after fn failed: %v", err)
		}
	})

	t.Run("a waiter gives up when its context ends", func(t *testing.T) {
		held := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- database.Exclusively(ctx, a.DB, func(context.Context) error {
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		ran := false
		err := database.Exclusively(short, b.DB, func(context.Context) error { ran = true; return nil })
		if err == nil || ran {
			t.Fatalf("a second holder got in while the first held the lock (err %v)", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := database.Exclusively(ctx, b.DB, func(context.Context) error { return nil }); err != nil {
			t.Fatalf("after the holder finished: %v", err)
		}
	})
}

// Replicas starting together on a server without the database all create it: one wins,
// the others find it there.
func TestConcurrentReplicasCreateTheDatabase(t *testing.T) {
	dbURL := pgtest.URL(t, "create")
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			db, err := database.Open(context.Background(), dbURL, true)
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
				return
			}
			db.Close()
		}()
	}
	close(start)
	wg.Wait()
}
