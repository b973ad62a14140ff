package bus_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

var testDB *pgtest.Database

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, "bus", &testDB, nil)) }

// listenerDSN names the listener's connection so tests can find and kill it.
func listenerDSN(t *testing.T, name string) string {
	u, err := url.Parse(testDB.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func startBus(t *testing.T, name string, opts bus.Options) *bus.Bus {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b, err := bus.New(ctx, listenerDSN(t, name), store.New(testDB.DB, nil), slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return b
}

// commit appends n events, each in its own transaction, as any writer would.
func commit(t *testing.T, n int, kind string) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		if err := testDB.DB.Get(&ids[i], `INSERT INTO event (kind, subject_id, actor, actor_role) VALUES ($1, 'test', 'test', 'SYSTEM') RETURNING id`, kind); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// collect reads n events from s or fails after timeout.
func collect(t *testing.T, s *bus.Subscription, n int, timeout time.Duration) []int64 {
	t.Helper()
	var got []int64
	deadline := time.After(timeout)
	for len(got) < n {
		select {
		case e, ok := <-s.C:
			if !ok {
				t.Fatalf("subscription ended after %d of %d events: %v", len(got), n, s.Err())
			}
			got = append(got, e.ID)
		case <-deadline:
			t.Fatalf("received %d of %d events within %v: %v", len(got), n, timeout, got)
		}
	}
	return got
}

func assertSame(t *testing.T, got, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d is %d, want %d (got %v, want %v)", i, got[i], want[i], got, want)
		}
	}
}

func TestEventsCommittedAnywhereArriveInOrderExactlyOnce(t *testing.T) {
	b := startBus(t, "bus-order", bus.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := b.Subscribe(ctx, -1, bus.Filter{}, 0)
	want := commit(t, 25, "SKILL_CREATED")
	assertSame(t, collect(t, s, len(want), 10*time.Second), want)
	select {
	case e := <-s.C:
		t.Fatalf("an extra event arrived: %d", e.ID)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestSubscribingAfterACursorReplaysThenContinuesLive(t *testing.T) {
	b := startBus(t, "bus-replay", bus.Options{Window: 4})
	earlier := commit(t, 10, "SKILL_UPDATED")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Resume after the third: the first seven missed events come from the table (the
	// window holds only four), then the live ones.
	s := b.Subscribe(ctx, earlier[2], bus.Filter{}, 0)
	later := commit(t, 5, "SKILL_UPDATED")
	want := append(append([]int64{}, earlier[3:]...), later...)
	assertSame(t, collect(t, s, len(want), 10*time.Second), want)
}

func TestFiltersDeliverOnlyMatchingKinds(t *testing.T) {
	b := startBus(t, "bus-filter", bus.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := b.Subscribe(ctx, -1, bus.Filter{Kinds: []store.EventKind{"MEMBER_ADMITTED"}}, 0)
	commit(t, 3, "SKILL_CREATED")
	want := commit(t, 2, "MEMBER_ADMITTED")
	commit(t, 3, "SKILL_CREATED")
	assertSame(t, collect(t, s, 2, 10*time.Second), want)
}

func TestKillingTheListenerConnectionLosesNothing(t *testing.T) {
	b := startBus(t, "bus-killed", bus.Options{MinReconnect: 50 * time.Millisecond, MaxReconnect: 200 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := b.Subscribe(ctx, -1, bus.Filter{}, 1000)

	var mu sync.Mutex
	var want []int64
	stop := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			ids := commit(t, 1, "RESOURCE_SHARED")
			mu.Lock()
			want = append(want, ids...)
			mu.Unlock()
			time.Sleep(2 * time.Millisecond)
		}
	}()
	var stopOnce sync.Once
	stopWriter := func() {
		stopOnce.Do(func() { close(stop) })
		<-writerDone
	}
	// The writer must be done before the test ends, even when it fails, or it would
	// report into a finished test.
	defer stopWriter()
	for range 3 {
		time.Sleep(150 * time.Millisecond)
		// Kill the listener once it is connected again: on a busy machine reconnecting
		// can take longer than the pause.
		deadline := time.Now().Add(10 * time.Second)
		var killed int
		for killed == 0 {
			if err := testDB.DB.Get(&killed, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'bus-killed'"); err != nil {
				t.Fatal(err)
			}
			if killed == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the listener did not reconnect within 10s")
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	time.Sleep(300 * time.Millisecond)
	stopWriter()
	mu.Lock()
	defer mu.Unlock()
	assertSame(t, collect(t, s, len(want), 20*time.Second), want)
	if b.Reconnects() < 1 {
		t.Errorf("the listener reconnected %d times, want at least once", b.Reconnects())
	}
}

func TestASubscriberThatFallsBehindIsEndedWithAReason(t *testing.T) {
	b := startBus(t, "bus-slow", bus.Options{SlowAfter: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := b.Subscribe(ctx, -1, bus.Filter{}, 2)
	commit(t, 6, "SKILL_CREATED") // never read
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-s.C:
			if !ok {
				if !errors.Is(s.Err(), bus.ErrSlowConsumer) {
					t.Fatalf("ended with %v, want ErrSlowConsumer", s.Err())
				}
				return
			}
			// Read nothing more: only peek once the buffer overflowed.
			time.Sleep(time.Second)
		case <-deadline:
			t.Fatal("the slow subscription was never ended")
		}
	}
}

func TestEndedSubscriptionsLeaveNoGoroutineBehind(t *testing.T) {
	b := startBus(t, "bus-leak", bus.Options{})
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	subs := make([]*bus.Subscription, 200)
	for i := range subs {
		subs[i] = b.Subscribe(ctx, -1, bus.Filter{}, 0)
	}
	if got := b.Subscribers(); got != 200 {
		t.Errorf("%d subscribers, want 200", got)
	}
	cancel()
	for _, s := range subs {
		for range s.C {
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before, %d after every subscription ended", before, after)
	}
	if got := b.Subscribers(); got != 0 {
		t.Errorf("%d subscribers left", got)
	}
}
