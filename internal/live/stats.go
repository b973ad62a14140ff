// Package live derives live views from the event bus. Alliance counters are computed once
// per alliance and change, however many dashboards watch them, and pushed at most every
// Interval: a burst of writes costs one count, not one per event per watcher.
package live

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Counter reads an alliance's counters.
type Counter interface {
	Stats(ctx context.Context, alliance int64) (*store.AllianceStats, error)
}

// Events is the stream of committed events the counters follow.
type Events interface {
	Subscribe(ctx context.Context, after int64, f bus.Filter, buffer int) *bus.Subscription
}

// Stats shares each alliance's counters among its watchers.
type Stats struct {
	events   Events
	counter  Counter
	log      *slog.Logger
	interval time.Duration

	mu   sync.Mutex
	hubs map[int64]*hub
}

// NewStats returns counters that are recomputed at most every interval.
func NewStats(events Events, counter Counter, log *slog.Logger, interval time.Duration) *Stats {
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	return &Stats{events: events, counter: counter, log: log, interval: interval, hubs: map[int64]*hub{}}
}

type hub struct {
	cancel   context.CancelFunc
	watchers map[chan *store.AllianceStats]struct{}
	last     *store.AllianceStats
}

// Watch streams the counters of alliance: the current ones at once, then every change,
// until ctx ends. A slow reader gets the latest counters, never a backlog.
func (s *Stats) Watch(ctx context.Context, alliance int64) <-chan *store.AllianceStats {
	ch := make(chan *store.AllianceStats, 1)
	s.mu.Lock()
	h, ok := s.hubs[alliance]
	if !ok {
		hubCtx, cancel := context.WithCancel(context.Background())
		h = &hub{cancel: cancel, watchers: map[chan *store.AllianceStats]struct{}{}}
		s.hubs[alliance] = h
		go s.run(hubCtx, alliance, h)
	}
	h.watchers[ch] = struct{}{}
	if h.last != nil {
		ch <- h.last
	}
	s.mu.Unlock()

	out := make(chan *store.AllianceStats)
	go func() {
		defer close(out)
		defer s.leave(alliance, h, ch)
		for {
			select {
			case st := <-ch:
				select {
				case out <- st:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func (s *Stats) leave(alliance int64, h *hub, ch chan *store.AllianceStats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(h.watchers, ch)
	if len(h.watchers) == 0 {
		h.cancel()
		delete(s.hubs, alliance)
	}
}

// publish hands st to every watcher, replacing what a slow one has not read yet.
func (s *Stats) publish(h *hub, st *store.AllianceStats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h.last = st
	for ch := range h.watchers {
		select {
		case <-ch:
		default:
		}
		ch <- st
	}
}

func (s *Stats) run(ctx context.Context, alliance int64, h *hub) {
	sub := s.events.Subscribe(ctx, -1, bus.Filter{Alliances: []int64{alliance}}, 1024)
	var last *store.AllianceStats
	recount := func() {
		st, err := s.counter.Stats(ctx, alliance)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("count alliance for live stats", "alliance", alliance, "error", err)
			}
			return
		}
		if last == nil || !sameCounts(last, st) {
			last = st
			s.publish(h, st)
		}
	}
	recount()
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	dirty := false
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-sub.C:
			if !ok {
				if ctx.Err() == nil {
					s.log.Warn("live stats lost the event stream", "alliance", alliance, "error", sub.Err())
				}
				return
			}
			dirty = true
		case <-tick.C:
			if dirty {
				dirty = false
				recount()
			}
		}
	}
}

func sameCounts(a, b *store.AllianceStats) bool {
	x, y := *a, *b
	x.AsOf, y.AsOf = time.Time{}, time.Time{}
	x.LastEventID, y.LastEventID = 0, 0
	return x == y
}
