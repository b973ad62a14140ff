package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Current checks a viewer authenticated earlier (when a WebSocket or an event stream
// opened) against its credential as it is now: nil if it may still act. A token is
// refused once it expires; an API key also once it is revoked, deleted, expired, or its
// role or organization changed. Anonymous viewers have nothing to lose. Errors that are
// not refusals mean the check failed (the database is down).
func (a *Authenticator) Current(ctx context.Context, v Viewer) error {
	if v.Anonymous() {
		return nil
	}
	now := a.now()
	prefix, isKey := apiKeyPrefix(v)
	if !isKey {
		if !v.ExpiresAt.IsZero() && !now.Before(v.ExpiresAt) {
			return refuse("the token expired at %s", v.ExpiresAt.UTC().Format(time.RFC3339))
		}
		return nil
	}
	if a.keys == nil {
		return refuse("API keys are not accepted by this server")
	}
	row, err := a.keys.APIKeyByPrefix(ctx, prefix)
	if errors.Is(err, store.ErrNotFound) {
		return refuse("the API key no longer exists")
	}
	if err != nil {
		return fmt.Errorf("check API key %s: %w", prefix, err)
	}
	return stillValid(v, row, now)
}

// Watcher ends live connections (WebSockets, event streams) whose credential stops
// being valid. Expiry needs no database: a timer fires at it. Revocation and role
// changes of API keys are found by re-reading every watched key in one statement every
// interval, and only while some connection uses a key, so an idle server or one whose
// streams are anonymous or use tokens sends nothing.
type Watcher struct {
	a        *Authenticator
	interval time.Duration
	onError  func(error)

	mu      sync.Mutex
	watches map[*watch]struct{}
	running bool
}

type watch struct {
	v      Viewer
	prefix string // of an API key; "" for a token
	timer  *time.Timer
	once   sync.Once
	end    func(reason string)
}

func (w *watch) fire(reason string) { w.once.Do(func() { w.end(reason) }) }

// DefaultWatchInterval is how often a Watcher re-reads the API keys of live connections.
const DefaultWatchInterval = 2 * time.Second

// NewWatcher returns a Watcher that re-reads watched API keys every interval
// (DefaultWatchInterval if not positive) and reports failed reads to onError (which
// may be nil); a failed read ends nothing, the next one tries again.
func (a *Authenticator) NewWatcher(interval time.Duration, onError func(error)) *Watcher {
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	if onError == nil {
		onError = func(error) {}
	}
	return &Watcher{a: a, interval: interval, onError: onError, watches: map[*watch]struct{}{}}
}

// Watch calls end, once, with a reason fit for the client, when v's credential expires,
// is revoked, or (an API key) its role or organization changes. stop forgets the watch;
// call it when the connection ends. Anonymous viewers are not watched.
func (w *Watcher) Watch(v Viewer, end func(reason string)) (stop func()) {
	if v.Anonymous() {
		return func() {}
	}
	wt := &watch{v: v, end: end}
	wt.prefix, _ = apiKeyPrefix(v)
	if !v.ExpiresAt.IsZero() {
		what := "token"
		if wt.prefix != "" {
			what = "API key"
		}
		reason := fmt.Sprintf("the %s expired at %s", what, v.ExpiresAt.UTC().Format(time.RFC3339))
		wt.timer = time.AfterFunc(time.Until(v.ExpiresAt), func() { wt.fire(reason) })
	}
	if wt.prefix != "" {
		w.mu.Lock()
		w.watches[wt] = struct{}{}
		if !w.running {
			w.running = true
			go w.run()
		}
		w.mu.Unlock()
	}
	return func() {
		if wt.timer != nil {
			wt.timer.Stop()
		}
		if wt.prefix != "" {
			w.mu.Lock()
			delete(w.watches, wt)
			w.mu.Unlock()
		}
	}
}

// Watched is how many connections' API keys the watcher re-reads.
func (w *Watcher) Watched() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.watches)
}

// run re-reads the watched keys every interval until none is left.
func (w *Watcher) run() {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for range t.C {
		w.mu.Lock()
		if len(w.watches) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		watches := make([]*watch, 0, len(w.watches))
		seen := map[string]bool{}
		var prefixes []string
		for wt := range w.watches {
			watches = append(watches, wt)
			if !seen[wt.prefix] {
				seen[wt.prefix] = true
				prefixes = append(prefixes, wt.prefix)
			}
		}
		w.mu.Unlock()
		w.check(watches, prefixes)
	}
}

func (w *Watcher) check(watches []*watch, prefixes []string) {
	ctx, cancel := context.WithTimeout(context.Background(), w.interval)
	defer cancel()
	rows, err := w.a.keys.APIKeysByPrefix(ctx, prefixes)
	if err != nil {
		w.onError(fmt.Errorf("re-check the API keys of live connections: %w", err))
		return
	}
	byPrefix := make(map[string]store.APIKey, len(rows))
	for _, r := range rows {
		byPrefix[r.Prefix] = r
	}
	now := w.a.now()
	for _, wt := range watches {
		row, ok := byPrefix[wt.prefix]
		if !ok {
			wt.fire("the API key no longer exists")
			continue
		}
		if err := stillValid(wt.v, row, now); err != nil {
			reason := Reason(err)
			if reason == "" {
				reason = "the API key can no longer be used"
			}
			wt.fire(reason)
		}
	}
}
