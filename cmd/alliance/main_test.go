package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/alliance-graph/alliance-graph/internal/pgtest"
)

// syncBuffer collects a command's log while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// throwawayURL names a database that does not exist yet and drops it after the test.
func throwawayURL(t *testing.T) string { return pgtest.URL(t, "cmd") }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestServeCreatesMigratesSeedsAndServesThenStopsOnSignal(t *testing.T) {
	dbURL := throwawayURL(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := startServe(ctx, []string{"--addr", addr}, map[string]string{"DATABASE_URL": dbURL}, &logs)

	body := `{"query":"{ schools: organizations(filter: {kinds: [SCHOOL]}) { totalCount } companies: organizations(filter: {kinds: [COMPANY]}) { totalCount } }"}`
	var got struct {
		Data struct {
			Schools, Companies struct{ TotalCount int }
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Post("http://"+addr+"/query", "application/json", strings.NewReader(body))
		if err == nil {
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("decode %s: %v", raw, err)
			}
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped before serving: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got.Data.Schools.TotalCount != 45 || got.Data.Companies.TotalCount != 86 {
		t.Errorf("demo directory has %d schools and %d companies, want 45 and 86", got.Data.Schools.TotalCount, got.Data.Companies.TotalCount)
	}
	for _, want := range []string{"applied migrations", "loaded the demo alliance", "serving GraphQL"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	cancel()
	awaitStop(t, done, 20*time.Second)

	// A second start finds the demo already loaded and does not load it again.
	ctx2, cancel2 := context.WithCancel(context.Background())
	var logs2 syncBuffer
	done2 := make(chan error, 1)
	go func() {
		done2 <- run(ctx2, []string{"serve", "--addr", freeAddr(t)}, env(map[string]string{"DATABASE_URL": dbURL}), &logs2)
	}()
	for !strings.Contains(logs2.String(), "serving GraphQL") {
		select {
		case err := <-done2:
			t.Fatalf("second serve stopped: %v\n%s", err, logs2.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel2()
	<-done2
	if strings.Contains(logs2.String(), "loaded the demo alliance") || strings.Contains(logs2.String(), "applied migrations") {
		t.Errorf("second start reloaded the demo or re-ran migrations:\n%s", logs2.String())
	}
}

func TestMisconfigurationFailsFastWithAClearMessage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		contains []string
		absent   []string
	}{
		{
			name:     "unreachable database names host, port and database but not the password",
			args:     []string{"serve"},
			env:      map[string]string{"DATABASE_URL": "postgres://alice:s3cret-pw@127.0.0.1:1/alliance_x?sslmode=disable", "DATABASE_WAIT": "1s"},
			contains: []string{"127.0.0.1", "port 1", `"alliance_x"`, "check", "database unreachable, retrying in 500ms", "--database-wait"},
			absent:   []string{"s3cret-pw"},
		},
		{
			name:     "database URL of another scheme",
			args:     []string{"serve", "--database-url", "mysql://root@localhost/db"},
			contains: []string{"--database-url", "postgres://"},
		},
		{
			name:     "bad duration",
			args:     []string{"serve", "--request-timeout", "soon"},
			contains: []string{"--request-timeout", "soon"},
		},
		{
			name:     "unknown command",
			args:     []string{"launch"},
			contains: []string{`unknown command "launch"`},
		},
		{
			name:     "bad migrate direction",
			args:     []string{"migrate", "sideways"},
			env:      map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/x?sslmode=disable"},
			contains: []string{"127.0.0.1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			start := time.Now()
			err := run(context.Background(), tt.args, env(tt.env), &logs)
			if err == nil {
				t.Fatal("run succeeded, want an error")
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %v to fail", time.Since(start))
			}
			msg := err.Error() + logs.String()
			for _, want := range tt.contains {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			for _, bad := range tt.absent {
				if strings.Contains(msg, bad) {
					t.Errorf("message %q leaks %q", msg, bad)
				}
			}
		})
	}
}

func TestSeedAtScaleRefusesToSeedTwiceUnlessReset(t *testing.T) {
	dbURL := throwawayURL(t)
	e := env(map[string]string{"DATABASE_URL": dbURL})
	var logs syncBuffer
	if err := run(context.Background(), []string{"seed", "--scale", "2"}, e, &logs); err != nil {
		t.Fatalf("seed --scale 2: %v\n%s", err, logs.String())
	}
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var schools int
	if err := db.Get(&schools, "SELECT count(*) FROM organization WHERE kind = 'SCHOOL'"); err != nil {
		t.Fatal(err)
	}
	if schools != 90 {
		t.Errorf("scale 2 has %d schools, want 90", schools)
	}
	if err := run(context.Background(), []string{"seed"}, e, &logs); err == nil || !strings.Contains(err.Error(), "--reset") {
		t.Errorf("seeding a seeded database gave %v, want advice to use --reset", err)
	}
	if err := run(context.Background(), []string{"seed", "--reset"}, e, &logs); err != nil {
		t.Fatalf("seed --reset: %v", err)
	}
	if err := db.Get(&schools, "SELECT count(*) FROM organization WHERE kind = 'SCHOOL'"); err != nil {
		t.Fatal(err)
	}
	if schools != 45 {
		t.Errorf("after --reset there are %d schools, want 45", schools)
	}
}
