package store

import (
	"context"
	"strings"
	"testing"

	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// The cursors a one-statement connection writes in SQL are byte for byte the ones
// relay.Cursor writes in Go, whatever a sort value holds: characters encoding/json
// escapes and PostgreSQL's to_json does not, control characters, quotes, non-ASCII text
// and values long enough for base64 to wrap.
func TestDocumentCursorsAreTheRelayCursors(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t, "storecursor").DB
	sorts := []string{
		"", "2026-12-03", "42", "沈阳职业技术学院", `quote " and \ backslash`, "<b>&amp;</b>",
		"line\u2028para\u2029", "\x01\b\f\n\r\t\x1f\x7f", "a/b+c?d", strings.Repeat("long 沈阳 ", 40),
		"2026-12-03 08:00:00.123456+08",
	}
	orders := []string{"NAME:ASC", "SIGNED_ON:DESC"}
	for _, order := range orders {
		for i, sort := range sorts {
			id := int64(1 + i*7919)
			var got string
			q := "SELECT " + cursorSQL("a", order) + " FROM (SELECT $1::text AS doc_key, $2::bigint AS doc_id) a"
			if err := db.GetContext(ctx, &got, q, sort, id); err != nil {
				t.Fatalf("%q: %v", sort, err)
			}
			if want := (relay.Cursor{Order: order, Sort: sort, ID: id}).String(); got != want {
				t.Errorf("cursor of %q ordered by %s: %s, want %s", sort, order, got, want)
			}
		}
	}
}
