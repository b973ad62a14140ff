package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

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

// An instant written in SQL is the text the DateTime scalar writes of the time lib/pq
// reads (RFC 3339 with the fraction's trailing zeros dropped, Z for UTC), in whatever
// time zone the session has.
func TestDocumentDateTimesAreTheScalars(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t, "storedatetime").DB
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	instants := []string{"2026-12-03 08:00:00+00", "2026-12-03 08:00:00.5+08", "2025-01-01 23:59:59.123456+00",
		"2024-08-17 00:00:00.000010+00", "2026-06-30 12:34:56.7+05:30"}
	for _, zone := range []string{"UTC", "Asia/Shanghai", "Asia/Kolkata", "America/St_Johns"} {
		if _, err := conn.ExecContext(ctx, "SET TIME ZONE "+pq.QuoteLiteral(zone)); err != nil {
			t.Fatal(err)
		}
		for _, in := range instants {
			var row struct {
				At   time.Time `db:"at"`
				Text string    `db:"text"`
			}
			q := "SELECT x.at, " + dateTime("at")("x") + " AS text FROM (SELECT $1::timestamptz AS at) x"
			if err := conn.GetContext(ctx, &row, q, in); err != nil {
				t.Fatalf("%s in %s: %v", in, zone, err)
			}
			if want := row.At.Format(time.RFC3339Nano); row.Text != want {
				t.Errorf("%s in %s: %s, want %s", in, zone, row.Text, want)
			}
		}
	}
}
