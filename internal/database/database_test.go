package database_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/migrations"
)

func tableCount(t *testing.T, db *sqlx.DB) int {
	t.Helper()
	var n int
	if err := db.Get(&n, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'"); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrationsGoDownCleanlyAndUpAgain(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t, "migrate")
	up := tableCount(t, db.DB)
	if up < 16 {
		t.Fatalf("after migrating up there are %d tables, want at least 16", up)
	}
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no embedded migrations: %v", err)
	}
	for range files {
		if err := database.MigrateDown(ctx, db.DB.DB); err != nil {
			t.Fatalf("migrate down: %v", err)
		}
	}
	if n := tableCount(t, db.DB); n != 0 {
		t.Errorf("after migrating every step down %d tables remain", n)
	}
	n, err := database.Migrate(ctx, db.DB.DB)
	if err != nil || n != len(files) {
		t.Fatalf("migrate up again applied %d of %d migrations, err %v", n, len(files), err)
	}
	if got := tableCount(t, db.DB); got != up {
		t.Errorf("after migrating up again there are %d tables, want %d", got, up)
	}
	if n, err := database.Migrate(ctx, db.DB.DB); err != nil || n != 0 {
		t.Errorf("a second migrate applied %d migrations, err %v; want none", n, err)
	}
}

func TestOpenCreatesAMissingDatabaseOnlyWhenAsked(t *testing.T) {
	ctx := context.Background()
	name := fmt.Sprintf("test_open_%d", time.Now().UnixNano())
	u, _ := url.Parse(pgtest.AdminURL())
	u.Path = "/" + name
	defer func() {
		admin, err := sqlx.Open("postgres", pgtest.AdminURL())
		if err == nil {
			admin.Exec("DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(name))
			admin.Close()
		}
	}()
	if _, err := database.Open(ctx, u.String(), false); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("opening a missing database without create gave %v, want a 'does not exist' error", err)
	}
	db, err := database.Open(ctx, u.String(), true)
	if err != nil {
		t.Fatalf("open with create: %v", err)
	}
	db.Close()
}

func TestParseTargetNeverKeepsThePassword(t *testing.T) {
	tests := []struct {
		url     string
		want    string
		wantErr string
	}{
		{"postgres://u:secret@db.example:6543/alliance?sslmode=disable", `host db.example port 6543 database "alliance" user "u"`, ""},
		{"postgresql://u@localhost/alliance", `host localhost port 5432 database "alliance" user "u"`, ""},
		{"postgres://u@localhost:5432/", "", "names no database"},
		{"mysql://u@localhost/alliance", "", "postgres://"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, err := database.ParseTarget(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Errorf("ParseTarget = %q, %v; want %q", got, err, tt.want)
			}
			if strings.Contains(got.String(), "secret") {
				t.Error("target keeps the password")
			}
		})
	}
}

// Event ids must follow commit order: a second writer waits until the first commits,
// so no reader who has seen event N can later find an event below N appear.
func TestEventIDsFollowCommitOrder(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t, "eventorder")
	insert := `INSERT INTO event (kind, subject_id, actor, actor_role) VALUES ('SKILL_CREATED', 'x', 'test', 'SYSTEM') RETURNING id`
	first, err := db.DB.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var firstID int64
	if err := first.Get(&firstID, insert); err != nil {
		t.Fatal(err)
	}
	secondID := make(chan int64, 1)
	go func() {
		var id int64
		if err := db.DB.Get(&id, insert); err != nil {
			t.Error(err)
		}
		secondID <- id
	}()
	select {
	case id := <-secondID:
		t.Fatalf("a second event (id %d) committed while an earlier one (id %d) was still open", id, firstID)
	case <-time.After(300 * time.Millisecond):
	}
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-secondID:
		if id <= firstID {
			t.Errorf("second event id %d is not above the first, %d", id, firstID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second event never committed")
	}
}

func TestSessionsRunWithoutJITUnlessTheURLAsks(t *testing.T) {
	ctx := context.Background()
	base, _ := url.Parse(pgtest.AdminURL())
	withJIT := *base
	q := withJIT.Query()
	q.Set("jit", "on")
	withJIT.RawQuery = q.Encode()
	for _, c := range []struct {
		url, want string
	}{{base.String(), "off"}, {withJIT.String(), "on"}} {
		db, err := database.Open(ctx, c.url, false)
		if err != nil {
			t.Fatal(err)
		}
		var jit string
		if err := db.GetContext(ctx, &jit, "SHOW jit"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if jit != c.want {
			t.Errorf("%s: jit is %s; want %s", c.url, jit, c.want)
		}
	}
}
