package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/bus"
	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// check is one condition /readyz requires.
type check struct {
	name string
	run  func(ctx context.Context) (detail string, err error)
}

// checkResult is one check in /readyz's body.
type checkResult struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Took   string `json:"took"`
}

// readiness lists what a replica needs to answer requests: its database (and read
// replica, if it has one) within a short time, the schema this binary expects, and
// (when subscriptions are on) the event listener's connection.
func readiness(s *store.Store, b *bus.Bus) []check {
	checks := []check{
		{"database", func(ctx context.Context) (string, error) {
			if err := s.DB().PingContext(ctx); err != nil {
				return "unreachable", err
			}
			return "reachable", nil
		}},
		{"migrations", func(ctx context.Context) (string, error) {
			current, latest, err := database.MigrationVersions(ctx, s.DB().DB)
			if err != nil {
				return "schema version unknown", err
			}
			// A newer schema is fine: during a rolling upgrade the new replicas migrate
			// first, and migrations only add what older code ignores.
			if current < latest {
				return fmt.Sprintf("schema at version %d, this binary needs %d", current, latest), fmt.Errorf("pending migrations")
			}
			return fmt.Sprintf("schema at version %d", current), nil
		}},
	}
	if r := s.Replica(); r != nil {
		checks = append(checks, check{"replica", func(ctx context.Context) (string, error) {
			if err := r.PingContext(ctx); err != nil {
				return "unreachable", err
			}
			return "reachable", nil
		}})
	}
	if b != nil {
		checks = append(checks, check{"listener", func(context.Context) (string, error) {
			if !b.Connected() {
				return "reconnecting", fmt.Errorf("the event listener lost its connection")
			}
			return "connected", nil
		}})
	}
	return checks
}

// readyHandler answers 200 when every check passes within timeout, else 503; the body
// lists each check, so an operator sees what is wrong. Failures are logged with their
// cause, which the body leaves out: /readyz is on the public listener.
func readyHandler(checks []check, timeout time.Duration, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		results := make([]checkResult, len(checks))
		var wg sync.WaitGroup
		for i, c := range checks {
			wg.Go(func() {
				start := time.Now()
				detail, err := c.run(ctx)
				results[i] = checkResult{Name: c.name, OK: err == nil, Detail: detail, Took: time.Since(start).Round(time.Microsecond).String()}
				if err != nil {
					log.WarnContext(ctx, "readiness check failed", "request_id", RequestID(ctx), "check", c.name, "error", err)
				}
			})
		}
		wg.Wait()
		status, code := "ready", http.StatusOK
		for _, res := range results {
			if !res.OK {
				status, code = "unavailable", http.StatusServiceUnavailable
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"status": status, "checks": results})
	})
}

// healthHandler says the process is alive and serving: 200 whatever the database does,
// so that an orchestrator does not restart a replica that only waits for its database.
func healthHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write([]byte(`{"status":"alive"}` + "\n"))
	})
}
