package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// setupLockKey names the PostgreSQL advisory lock that serialises schema migrations and
// first-start data loads across every process sharing a database: replicas started
// together would otherwise race goose's CREATE TABLE statements and load the demo twice.
// The number is arbitrary; it only has to be the same in every replica.
const setupLockKey int64 = 0x616c6c69616e6365 // "alliance"

// Exclusively runs fn while this process holds the setup lock of db's database, waiting
// for any other process that holds it (another replica migrating, say) to finish. The
// lock is a session-level advisory lock held on one dedicated connection, so it is released
// when fn returns, and by the server itself if this process dies while holding it.
// Calls must not nest: the inner call would wait for the outer one on another connection.
func Exclusively(ctx context.Context, db *sql.DB, fn func(context.Context) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("take the setup lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", setupLockKey); err != nil {
		return fmt.Errorf("take the setup lock: %w", err)
	}
	defer func() {
		// Unlock even when ctx has ended; if that fails, discard the connection, which
		// ends its session and with it the lock, rather than return it to the pool
		// still holding the lock.
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", setupLockKey); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // the error is the point
		}
	}()
	return fn(ctx)
}
