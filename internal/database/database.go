// Package database opens the PostgreSQL connection pool: it creates the database when it
// is missing, checks that it is reachable, and applies the embedded migrations.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"

	"github.com/alliance-graph/alliance-graph/migrations"
)

// Target names the parts of a connection string that are safe to print: never the password.
type Target struct {
	Host     string
	Port     string
	Database string
	User     string
}

func (t Target) String() string {
	return fmt.Sprintf("host %s port %s database %q user %q", t.Host, t.Port, t.Database, t.User)
}

// ParseTarget reads a postgres:// URL into its printable parts.
func ParseTarget(databaseURL string) (Target, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return Target{}, fmt.Errorf("database URL must look like postgres://user@host:5432/dbname?sslmode=disable")
	}
	t := Target{Host: u.Hostname(), Port: u.Port(), Database: strings.TrimPrefix(u.Path, "/"), User: u.User.Username()}
	if t.Host == "" {
		t.Host = "localhost"
	}
	if t.Port == "" {
		t.Port = "5432"
	}
	if t.Database == "" {
		return Target{}, fmt.Errorf("database URL names no database (want postgres://user@%s:%s/dbname)", t.Host, t.Port)
	}
	return t, nil
}

// withDatabase returns the URL with its database replaced.
func withDatabase(databaseURL, name string) string {
	u, _ := url.Parse(databaseURL)
	u.Path = "/" + name
	return u.String()
}

// Open connects to the database named in databaseURL, creating it first when create is
// true and it does not exist. Errors name host, port and database, never the password,
// and say what to check.
func Open(ctx context.Context, databaseURL string, create bool) (*sqlx.DB, error) {
	target, err := ParseTarget(databaseURL)
	if err != nil {
		return nil, err
	}
	db, err := connect(ctx, databaseURL)
	if err != nil && create && isMissingDatabase(err) {
		if err := createDatabase(ctx, databaseURL, target.Database); err != nil {
			return nil, fmt.Errorf("create database on %s: %w", target, err)
		}
		db, err = connect(ctx, databaseURL)
	}
	if err != nil {
		return nil, &openError{msg: explain(target, err).Error(), cause: err}
	}
	return db, nil
}

// openError keeps the driver's error behind the operator's message, so that callers
// can tell an unreachable server (worth retrying) from a refusal (worth fixing).
type openError struct {
	msg   string
	cause error
}

func (e *openError) Error() string { return e.msg }
func (e *openError) Unwrap() error { return e.cause }

func connect(ctx context.Context, databaseURL string) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", sessionDefaults(databaseURL))
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, err
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// sessionDefaults bounds the time to connect (see DefaultConnectTimeout) and turns JIT
// compilation off for the server's sessions, unless the URL sets either itself: the server's statements run in milliseconds, but PostgreSQL's estimates for
// the larger batched ones cross the JIT thresholds, and compiling then costs tens of
// milliseconds more than the statement. lib/pq sends parameters it does not know to the
// server as session settings.
func sessionDefaults(databaseURL string) string {
	return withSessionDefault(withSessionDefault(databaseURL, "jit", "off"), "connect_timeout", DefaultConnectTimeout)
}

// DefaultConnectTimeout bounds, in seconds, how long opening one connection may take
// unless the URL sets connect_timeout: a database host that drops packets would
// otherwise hold each request until its own timeout instead of failing it fast.
const DefaultConnectTimeout = "5"

func isMissingDatabase(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "3D000"
}

func createDatabase(ctx context.Context, databaseURL, name string) error {
	admin, err := connect(ctx, withDatabase(databaseURL, "postgres"))
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
	var pqErr *pq.Error
	// Created concurrently by another process: 42P04 if it had committed before we
	// looked, 23505 (pg_database's unique name) if both of us were inserting at once.
	if errors.As(err, &pqErr) && (pqErr.Code == "42P04" || pqErr.Code == "23505") {
		return nil
	}
	return err
}

// explain turns a driver error into a message an operator can act on, without echoing the
// connection string (which may hold a password).
func explain(t Target, err error) error {
	var pqErr *pq.Error
	switch {
	case errors.As(err, &pqErr) && pqErr.Code == "3D000":
		return fmt.Errorf("database %q does not exist on %s:%s; create it or let `alliance serve` create it", t.Database, t.Host, t.Port)
	case errors.As(err, &pqErr) && (pqErr.Code == "28P01" || pqErr.Code == "28000"):
		return fmt.Errorf("PostgreSQL at %s rejected the credentials of user %q; check the user and password in DATABASE_URL", t, t.User)
	case errors.As(err, &pqErr):
		return fmt.Errorf("PostgreSQL at %s refused the connection (SQLSTATE %s)", t, pqErr.Code)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("cannot reach PostgreSQL at %s within 5s; check that the server runs and the host and port in DATABASE_URL are right", t)
	default:
		return fmt.Errorf("cannot reach PostgreSQL at %s; check that the server runs (pg_isready -h %s -p %s) and the host and port in DATABASE_URL are right", t, t.Host, t.Port)
	}
}

// Migrate applies every pending embedded migration and reports how many ran. It holds
// the setup lock meanwhile, so that replicas starting together migrate one after another.
func Migrate(ctx context.Context, db *sql.DB) (int, error) {
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		return 0, fmt.Errorf("load migrations: %w", err)
	}
	var results []*goose.MigrationResult
	err = Exclusively(ctx, db, func(ctx context.Context) error {
		results, err = p.Up(ctx)
		return err
	})
	if err != nil {
		return len(results), fmt.Errorf("apply migrations: %w", err)
	}
	return len(results), nil
}

// MigrateDown rolls back the most recent migration.
func MigrateDown(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	err = Exclusively(ctx, db, func(ctx context.Context) error {
		_, err := p.Down(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("roll back migration: %w", err)
	}
	return nil
}

// Truncate empties every table of the alliance graph and restarts its id sequences.
func Truncate(ctx context.Context, db *sqlx.DB) error {
	_, err := db.ExecContext(ctx, `TRUNCATE alliance, organization, membership, partnership, partnership_participant, partnership_invitation,
		training_center, training_center_link, skill, resource, resource_share, resource_skill, course_teacher,
		talent, talent_skill, enrollment, certificate, placement, facility_booking, secondment RESTART IDENTITY CASCADE`)
	if err != nil {
		return fmt.Errorf("empty the database: %w", err)
	}
	return nil
}
