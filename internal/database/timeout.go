package database

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// WithStatementTimeout returns the URL with PostgreSQL's statement_timeout set for every
// session of the pool (unless the URL sets one itself), so that the database stops a
// statement at the deadline even when the client's cancel request is lost or the client
// is stuck: the request's context already cancels the statements it runs, this is the
// server-side guarantee. lib/pq sends parameters it does not know as session settings,
// which keeps this working with sqlx's pooled connections, unlike a SET on one of them.
// Migrations and seeding open their own pools without it, as they may rightly run long.
func WithStatementTimeout(databaseURL string, d time.Duration) string {
	if d <= 0 {
		return databaseURL
	}
	ms := d.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	value := strconv.FormatInt(ms, 10) // milliseconds, PostgreSQL's unit for it
	if u, err := url.Parse(databaseURL); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		if !q.Has("statement_timeout") {
			q.Set("statement_timeout", value)
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	if strings.Contains(" "+databaseURL, " statement_timeout=") {
		return databaseURL
	}
	return databaseURL + " statement_timeout=" + value
}
