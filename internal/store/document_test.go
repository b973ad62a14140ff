package store

import (
	"context"
	"fmt"
	"hash/fnv"
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
			q := "SELECT " + cursorSQL("a.doc_key", "a.doc_id", order) + " FROM (SELECT $1::text AS doc_key, $2::bigint AS doc_id) a"
			if err := db.GetContext(ctx, &got, q, sort, id); err != nil {
				t.Fatalf("%q: %v", sort, err)
			}
			if want := (relay.Cursor{Order: order, Sort: sort, ID: id}).String(); got != want {
				t.Errorf("cursor of %q ordered by %s: %s, want %s", sort, order, got, want)
			}
		}
	}
}

// A talent's alias written in SQL is the one the model computes in Go: FNV-1a of
// "talent:<id>", whatever the id's length.
func TestDocumentTalentAliasIsTheModels(t *testing.T) {
	db := pgtest.New(t, "storealias").DB
	for _, id := range []int64{1, 9, 10, 4242, 1 << 40} {
		var got string
		if err := db.Get(&got, "SELECT "+talentAlias("t")+" FROM (SELECT $1::bigint AS id) t", id); err != nil {
			t.Fatal(err)
		}
		h := fnv.New32a()
		fmt.Fprintf(h, "talent:%d", id)
		if want := fmt.Sprintf("T-%08X", h.Sum32()); got != want {
			t.Errorf("alias of talent %d: %s, want %s", id, got, want)
		}
	}
}
