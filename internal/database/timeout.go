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
// server-side guarantee. Migrations and seeding open their own pools without it, as they
// may rightly run long.
func WithStatementTimeout(databaseURL string, d time.Duration) string {
	if d <= 0 {
		return databaseURL
	}
	ms := d.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	return withSessionDefault(databaseURL, "statement_timeout", strconv.FormatInt(ms, 10)) // milliseconds, PostgreSQL's unit for it
}

// WithGenericPlans returns the URL with plan_cache_mode=force_generic_plan for every
// session of the pool (unless the URL sets it itself): each prepared statement is planned
// once per session instead of at every run. It suits a pool that runs only statements
// whose best plan does not depend on their arguments (see store.WithDocumentPool).
// PostgreSQL's own choice, custom plans for the first five runs and then the generic plan
// if it looks no costlier, keeps planning the one-statement documents at every run: their
// generic estimates price a filter on an unknown list higher (2,853 rows for the open
// job openings against 718), though the plan has the same shape, and planning costs as
// long as running (0.7 ms of the job board's 2.3 ms).
func WithGenericPlans(databaseURL string) string {
	return withSessionDefault(databaseURL, "plan_cache_mode", "force_generic_plan")
}

// withSessionDefault sets a session setting in the URL unless it sets that one already.
// lib/pq sends parameters it does not know as session settings, which keeps them on all
// of sqlx's pooled connections, unlike a SET on one of them.
func withSessionDefault(databaseURL, key, value string) string {
	if u, err := url.Parse(databaseURL); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		if !q.Has(key) {
			q.Set(key, value)
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	if strings.Contains(" "+databaseURL, " "+key+"=") {
		return databaseURL
	}
	return databaseURL + " " + key + "=" + value
}
