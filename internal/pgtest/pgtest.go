// Package pgtest gives each test package a throwaway, migrated PostgreSQL database and
// drops it afterwards, so packages run in parallel against the real server and leave
// nothing behind.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/database"
)

// AdminURL is the server tests create their databases on; PGTEST_URL overrides it.
func AdminURL() string {
	if u := os.Getenv("PGTEST_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Database is one throwaway database.
type Database struct {
	Name string
	URL  string
	DB   *sqlx.DB
}

// Create makes a new database named after prefix with a random suffix and migrates it.
func Create(ctx context.Context, prefix string) (*Database, error) {
	u, name, err := newURL(prefix)
	if err != nil {
		return nil, err
	}
	dropAbandoned(ctx)
	db, err := database.Open(ctx, u, true)
	if err != nil {
		return nil, fmt.Errorf("create test database %s: %w", name, err)
	}
	if _, err := database.Migrate(ctx, db.DB); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate test database %s: %w", name, err)
	}
	return &Database{Name: name, URL: u, DB: db}, nil
}

// New is Create for one test: the database is dropped when tb ends.
func New(tb testing.TB, prefix string) *Database {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := Create(ctx, prefix)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := d.Drop(ctx); err != nil {
			tb.Error(err)
		}
	})
	return d
}

// URL names a database that does not exist yet, for tests of creating one, and drops
// it, if something created it, when tb ends.
func URL(tb testing.TB, prefix string) string {
	tb.Helper()
	u, name, err := newURL(prefix)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dropNamed(ctx, name); err != nil {
			tb.Error(err)
		}
	})
	return u
}

// newURL is the URL and name of a new test database on AdminURL's server. The creation
// time in the name lets later runs drop what a killed run left behind; the process id
// lets an interrupted run drop what it made (see dropOwn).
func newURL(prefix string) (string, string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	name := fmt.Sprintf("test_%s_%d_%s%s", prefix, time.Now().Unix(), processTag(), hex.EncodeToString(b[:]))
	u, err := url.Parse(AdminURL())
	if err != nil {
		return "", "", fmt.Errorf("parse PGTEST_URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), name, nil
}

// dropAbandoned drops test databases created over an hour ago: no test runs that long,
// so they belong to runs that were killed before they could clean up.
func dropAbandoned(ctx context.Context) {
	admin, err := sqlx.Open("postgres", AdminURL())
	if err != nil {
		return
	}
	defer admin.Close()
	var names []string
	if err := admin.SelectContext(ctx, &names, `SELECT datname FROM pg_database WHERE datname ~ '^test_[a-z0-9]+_[0-9]{10}_[0-9a-f]{12}$'`); err != nil {
		return
	}
	cutoff := time.Now().Add(-time.Hour).Unix()
	for _, n := range names {
		parts := strings.Split(n, "_")
		created, err := strconv.ParseInt(parts[len(parts)-2], 10, 64)
		if err == nil && created < cutoff {
			admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(n)+" WITH (FORCE)")
		}
	}
}

// processTag is this process's id as six hex digits, the first half of the random part of
// the names of the databases it creates.
func processTag() string { return fmt.Sprintf("%06x", os.Getpid()&0xffffff) }

// dropOwn drops every test database this process created, whatever stage it reached.
func dropOwn(ctx context.Context) {
	admin, err := sqlx.Open("postgres", AdminURL())
	if err != nil {
		return
	}
	defer admin.Close()
	var names []string
	if err := admin.SelectContext(ctx, &names, `SELECT datname FROM pg_database WHERE datname ~ ('^test_[a-z0-9]+_[0-9]{10}_' || $1 || '[0-9a-f]{6}$')`, processTag()); err != nil {
		return
	}
	for _, n := range names {
		admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(n)+" WITH (FORCE)")
	}
}

// Drop closes the pool and drops the database, ending any connection left open.
func (d *Database) Drop(ctx context.Context) error {
	d.DB.Close()
	return dropNamed(ctx, d.Name)
}

func dropNamed(ctx context.Context, name string) error {
	admin, err := sqlx.Open("postgres", AdminURL())
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)")
	return err
}

// Main runs a package's tests against a fresh database that setup may fill, and drops it
// afterwards, after the optional teardowns (for databases setup made besides). Use it
// from TestMain: os.Exit(pgtest.Main(m, "store", &db, nil)).
func Main(m *testing.M, prefix string, out **Database, setup func(context.Context, *Database) error, teardown ...func(context.Context) error) int {
	// When fuzzing ends, go test stops each worker process with SIGINT and kills it a
	// second later, often while it is still setting up; an interrupted run would leave
	// its databases behind too. Drop them before going.
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt)
	defer signal.Stop(interrupted)
	go func() {
		<-interrupted
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		dropOwn(ctx)
		cancel()
		os.Exit(1)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	db, err := Create(ctx, prefix)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, td := range teardown {
			if err := td(ctx); err != nil {
				fmt.Fprintln(os.Stderr, "pgtest: teardown:", err)
			}
		}
		if err := db.Drop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: drop:", err)
		}
	}()
	if setup != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		err := setup(ctx, db)
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: setup:", err)
			return 1
		}
	}
	*out = db
	return m.Run()
}
