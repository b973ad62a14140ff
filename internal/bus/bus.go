// Package bus tells this process about events committed by any process sharing the
// database, and feeds them to local subscribers in commit order, with no gap and no
// duplicate, across dropped listener connections.
//
// One PostgreSQL connection per process LISTENs on channel alliance_event (a trigger
// NOTIFYs every committed event). A notification is only a wake-up call: the bus then
// reads the rows after the last one it has seen, in id order, which the event table
// guarantees to be commit order. After any reconnect the listener may have missed
// notifications, so the bus reads again from its last event, and a slow timer does the
// same as a safety net. Subscribers read from a window of recent events kept in memory,
// or from the table when they resume from further back.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Channel is the NOTIFY channel the event trigger signals.
const Channel = "alliance_event"

// Source reads the event log.
type Source interface {
	EventsAfter(ctx context.Context, after int64, limit int) ([]store.Event, error)
	LatestEventID(ctx context.Context) (int64, error)
}

// ErrClosed ends the subscriptions of a bus that stopped, as the server shuts down.
var ErrClosed = errors.New("the server is shutting down; resubscribe with the last cursor received")

// ErrSlowConsumer ends a subscription whose reader fell a whole buffer behind: the
// server drops it rather than hold an ever-growing backlog in memory.
var ErrSlowConsumer = errors.New("the subscriber did not keep up with the event stream; resubscribe with the last cursor it received")

// Options tune a Bus.
type Options struct {
	// Window is how many recent events are kept in memory for subscribers.
	Window int
	// Poll is how often the bus reads the table even without a notification.
	Poll time.Duration
	// MinReconnect and MaxReconnect bound the listener's reconnection backoff.
	MinReconnect, MaxReconnect time.Duration
	// SlowAfter is how long a subscriber's full buffer may stay full before the
	// subscription ends with ErrSlowConsumer.
	SlowAfter time.Duration
}

func (o *Options) defaults() {
	if o.Window <= 0 {
		o.Window = 4096
	}
	if o.Poll <= 0 {
		o.Poll = 30 * time.Second
	}
	if o.MinReconnect <= 0 {
		o.MinReconnect = 100 * time.Millisecond
	}
	if o.MaxReconnect <= 0 {
		o.MaxReconnect = 10 * time.Second
	}
	if o.SlowAfter <= 0 {
		o.SlowAfter = 5 * time.Second
	}
}

// Bus fans committed events out to this process's subscribers.
type Bus struct {
	src  Source
	log  *slog.Logger
	opts Options

	listener *pq.Listener
	wake     chan struct{}
	done     chan struct{} // closed when Run returns: every subscription ends

	mu       sync.Mutex
	head     int64         // id of the last event read from the table
	window   []store.Event // the most recent events, ending at head
	advanced chan struct{} // closed, and replaced, whenever head moves

	reconnects  atomic.Int64
	connected   atomic.Bool
	subscribers atomic.Int64
}

// New starts listening on the database at dsn; call Run to serve subscribers.
func New(ctx context.Context, dsn string, src Source, log *slog.Logger, opts Options) (*Bus, error) {
	opts.defaults()
	head, err := src.LatestEventID(ctx)
	if err != nil {
		return nil, err
	}
	b := &Bus{src: src, log: log, opts: opts, head: head, advanced: make(chan struct{}), wake: make(chan struct{}, 1), done: make(chan struct{})}
	b.listener = pq.NewListener(dsn, opts.MinReconnect, opts.MaxReconnect, b.onListenerEvent)
	if err := b.listener.Listen(Channel); err != nil {
		b.listener.Close()
		return nil, fmt.Errorf("listen on %s: %w", Channel, err)
	}
	b.connected.Store(true)
	return b, nil
}

func (b *Bus) onListenerEvent(ev pq.ListenerEventType, err error) {
	switch ev {
	case pq.ListenerEventDisconnected:
		b.connected.Store(false)
		b.log.Warn("event listener lost its connection; reconnecting", "error", err)
	case pq.ListenerEventReconnected:
		b.connected.Store(true)
		b.reconnects.Add(1)
		b.log.Info("event listener reconnected; catching up from the table")
	case pq.ListenerEventConnectionAttemptFailed:
		b.log.Warn("event listener could not reconnect yet", "error", err)
	}
}

// Connected reports whether the listener's connection is up.
func (b *Bus) Connected() bool { return b.connected.Load() }

// Reconnects counts the listener's reconnections.
func (b *Bus) Reconnects() int64 { return b.reconnects.Load() }

// Subscribers counts the open subscriptions.
func (b *Bus) Subscribers() int64 { return b.subscribers.Load() }

// SlowAfter is how long a subscriber may stay a whole buffer behind before it is ended
// with ErrSlowConsumer; whoever fans the bus's events out further applies the same.
func (b *Bus) SlowAfter() time.Duration { return b.opts.SlowAfter }

// Head is the id of the last event the bus has read.
func (b *Bus) Head() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.head
}

// Run reads new events whenever the listener or the timer says so, until ctx ends;
// then it closes the listener.
func (b *Bus) Run(ctx context.Context) {
	defer close(b.done)
	defer b.listener.Close()
	poll := time.NewTicker(b.opts.Poll)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.listener.NotificationChannel():
			// A nil notification means the connection was re-established and
			// notifications may have been lost; either way, read from the table.
		case <-poll.C:
		case <-b.wake:
		}
		if err := b.catchUp(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("read new events", "error", err)
		}
	}
}

// catchUp reads every event after head and moves head.
func (b *Bus) catchUp(ctx context.Context) error {
	for {
		b.mu.Lock()
		from := b.head
		b.mu.Unlock()
		rows, err := b.src.EventsAfter(ctx, from, 500)
		if err != nil || len(rows) == 0 {
			return err
		}
		b.mu.Lock()
		if b.head == from { // only Run moves head, but stay safe
			b.window = append(b.window, rows...)
			if over := len(b.window) - b.opts.Window; over > 0 {
				b.window = slices.Clone(b.window[over:])
			}
			b.head = rows[len(rows)-1].ID
			close(b.advanced)
			b.advanced = make(chan struct{})
		}
		b.mu.Unlock()
	}
}

// Poke asks the bus to read the table now, for tests and for writers in this process
// that want their own events delivered without waiting for the notification.
func (b *Bus) Poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// next returns the events after cursor that the bus has read, from memory when the
// window still holds them, else from the table; and a channel closed when more arrive.
func (b *Bus) next(ctx context.Context, cursor int64) ([]store.Event, <-chan struct{}, error) {
	b.mu.Lock()
	head, advanced := b.head, b.advanced
	if cursor >= head {
		b.mu.Unlock()
		return nil, advanced, nil
	}
	if len(b.window) > 0 && cursor >= b.window[0].ID-1 {
		i, _ := slices.BinarySearchFunc(b.window, cursor+1, func(e store.Event, id int64) int {
			switch {
			case e.ID < id:
				return -1
			case e.ID > id:
				return 1
			}
			return 0
		})
		out := slices.Clone(b.window[i:])
		b.mu.Unlock()
		return out, advanced, nil
	}
	b.mu.Unlock()
	rows, err := b.src.EventsAfter(ctx, cursor, 500)
	if err != nil {
		return nil, nil, err
	}
	// Never run ahead of head: what lies beyond it arrives through the window.
	rows = slices.DeleteFunc(rows, func(e store.Event) bool { return e.ID > head })
	return rows, advanced, nil
}

// Filter selects the events a subscriber receives.
type Filter struct {
	Alliances []int64
	Kinds     []store.EventKind
	Hidden    []store.EventKind
	// Match, when set, must also accept the event.
	Match func(*store.Event) bool
}

func (f Filter) match(e *store.Event) bool {
	if len(f.Alliances) > 0 && (e.AllianceID == nil || !slices.Contains(f.Alliances, *e.AllianceID)) {
		return false
	}
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind) {
		return false
	}
	if slices.Contains(f.Hidden, e.Kind) {
		return false
	}
	return f.Match == nil || f.Match(e)
}

// Subscription is one subscriber's stream of events.
type Subscription struct {
	// C delivers the events in commit order; it is closed when the subscription ends.
	C   <-chan store.Event
	err atomic.Pointer[error]
}

// Err says why the subscription ended: nil when its context ended, ErrSlowConsumer when
// its reader fell behind, or the error that stopped it.
func (s *Subscription) Err() error {
	if p := s.err.Load(); p != nil {
		return *p
	}
	return nil
}

// Subscribe streams the events after the event with id after (every event still to come
// when after is negative) that pass f, until ctx ends. At most buffer events wait for the
// reader; one more ends the subscription with ErrSlowConsumer.
func (b *Bus) Subscribe(ctx context.Context, after int64, f Filter, buffer int) *Subscription {
	if buffer <= 0 {
		buffer = 256
	}
	out := make(chan store.Event, buffer)
	sub := &Subscription{C: out}
	if after < 0 {
		after = b.Head()
	}
	b.subscribers.Add(1)
	go func() {
		defer b.subscribers.Add(-1)
		defer close(out)
		cursor := after
		pause := 50 * time.Millisecond
		for {
			events, advanced, err := b.next(ctx, cursor)
			if err != nil && database.Unavailable(err) {
				// A subscriber reading from the table waits out an outage, as the
				// listener does, and goes on from its cursor: nothing is lost.
				if !waitFor(ctx, b, time.After(pause), sub) {
					return
				}
				pause = min(2*pause, 2*time.Second)
				continue
			}
			if err != nil {
				if ctx.Err() == nil {
					sub.err.Store(&err)
				}
				return
			}
			pause = 50 * time.Millisecond
			for i := range events {
				cursor = events[i].ID
				if !f.match(&events[i]) {
					continue
				}
				if !b.send(ctx, out, events[i], sub) {
					return
				}
			}
			if len(events) == 0 && !waitFor(ctx, b, advanced, sub) {
				return
			}
		}
	}()
	return sub
}

// waitFor waits until ready delivers; false when the subscriber's context ends first, or
// the bus closes, which the subscription records as ErrClosed.
func waitFor[T any](ctx context.Context, b *Bus, ready <-chan T, sub *Subscription) bool {
	select {
	case <-ready:
		return true
	case <-ctx.Done():
		return false
	case <-b.done:
		closed := ErrClosed
		sub.err.Store(&closed)
		return false
	}
}

// send hands e to the reader, waiting up to SlowAfter while its buffer is full.
func (b *Bus) send(ctx context.Context, out chan<- store.Event, e store.Event, sub *Subscription) bool {
	select {
	case out <- e:
		return true
	default:
	}
	t := time.NewTimer(b.opts.SlowAfter)
	defer t.Stop()
	select {
	case out <- e:
		return true
	case <-ctx.Done():
		return false
	case <-t.C:
		slow := ErrSlowConsumer
		sub.err.Store(&slow)
		return false
	}
}
