package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"
	"github.com/pressly/goose/v3"

	"github.com/alliance-graph/alliance-graph/migrations"
)

// Unavailable reports whether err means the database could not be reached or dropped
// the connection, rather than refusing a statement: the database is down, restarting,
// unreachable, or ended the session (pg_terminate_backend, failover). Such errors are
// worth retrying later, and say nothing about the request.
func Unavailable(err error) bool {
	// A context's deadline satisfies net.Error too, but it is the request's own timeout.
	if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch {
		case strings.HasPrefix(string(pqErr.Code), "08"): // connection exception
			return true
		case pqErr.Code == "57P01", pqErr.Code == "57P02", pqErr.Code == "57P03": // admin shutdown, crash shutdown, cannot connect now
			return true
		case pqErr.Code == "53300": // too many connections
			return true
		}
		return false
	}
	var netErr net.Error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &opErr) ||
		errors.As(err, &dnsErr) ||
		errors.As(err, &netErr)
}

// MigrationVersions reports the schema version the database is at and the latest one
// embedded in this binary.
func MigrationVersions(ctx context.Context, db *sql.DB) (current, latest int64, err error) {
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		return 0, 0, fmt.Errorf("load migrations: %w", err)
	}
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("read the schema version: %w", err)
	}
	return current, latest, nil
}
