package relay

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// These extend FuzzParseID and FuzzParseCursor (relay_test.go), which fuzz the parsers
// with arbitrary input, to what the server issues. Run: make fuzz.

// Any type and key: the ID of a positive key parses back to exactly (type, key); a key
// that no row can have makes an ID that does not parse.
func FuzzIDRoundTrip(f *testing.F) {
	for i := range allTypes {
		f.Add(uint8(i), int64(1))
		f.Add(uint8(i), int64(-1))
		f.Add(uint8(i), int64(0))
		f.Add(uint8(i), int64(1)<<62)
	}
	f.Fuzz(func(t *testing.T, which uint8, key int64) {
		typ := allTypes[int(which)%len(allTypes)]
		id := ID(typ, key)
		gotType, gotKey, err := ParseID(id)
		if key <= 0 {
			if err == nil {
				t.Fatalf("ID(%s, %d) = %q parsed although no row has that key", typ, key, id)
			}
			return
		}
		if err != nil || gotType != typ || gotKey != key {
			t.Fatalf("ParseID(ID(%s, %d)) = %s %d %v", typ, key, gotType, gotKey, err)
		}
		if strings.ContainsAny(id, "=+/\n") {
			t.Fatalf("ID %q is not URL-safe unpadded base64", id)
		}
		for _, other := range allTypes {
			k, err := ParseIDOf(other, id)
			if (other == typ) != (err == nil) || (err == nil && k != key) {
				t.Fatalf("ParseIDOf(%s, ID(%s, %d)) = %d, %v", other, typ, key, k, err)
			}
		}
	})
}

// Any order, sort value and id: the cursor the server issues parses back to the same
// position under its order and is refused under any other.
func FuzzCursorRoundTrip(f *testing.F) {
	f.Add("NAME", "Shenyang Polytechnic", int64(3), "NAME_ZH")
	f.Add("NAME_ZH", "沈阳职业技术学院", int64(1), "NAME")
	f.Add("CREATED_AT", "2024-01-02 03:04:05+00", int64(77), "CREATED_AT ")
	f.Add("SCORE", "0.5|COURSE", int64(1)<<62, "score")
	f.Add("", "", int64(1), "\u0000")
	f.Add("NAME", "\"},{\"o\":\"X", int64(5), "X")
	f.Fuzz(func(t *testing.T, order, sort string, id int64, other string) {
		// Orders and sort values are PostgreSQL text, always valid UTF-8; ids are positive.
		if id <= 0 || !utf8.ValidString(order) || !utf8.ValidString(sort) {
			return
		}
		issued := Cursor{Order: order, Sort: sort, ID: id}
		got, err := ParseCursor(issued.String(), order)
		if err != nil || got != issued {
			t.Fatalf("ParseCursor(%+v.String()) = %+v, %v", issued, got, err)
		}
		if other != order {
			if _, err := ParseCursor(issued.String(), other); err == nil {
				t.Fatalf("a cursor issued for %q was accepted for %q", order, other)
			}
		}
	})
}

// Any paging arguments: Validate never panics, refuses first with last, and what it
// accepts is a page of 0 to MaxPageSize rows whose cursors belong to the order.
func FuzzPageArgs(f *testing.F) {
	good := Cursor{Order: "NAME", Sort: "a", ID: 1}.String()
	f.Add(true, 10, false, 0, good, "", "NAME")
	f.Add(false, 0, true, 100, "", good, "NAME")
	f.Add(true, 101, false, 0, "", "", "NAME")
	f.Add(true, -1, true, 5, good, good, "NAME")
	f.Add(false, 0, false, 0, good, "", "NAME_ZH")
	f.Fuzz(func(t *testing.T, hasFirst bool, first int, hasLast bool, last int, after, before, order string) {
		var a PageArgs
		if hasFirst {
			a.First = &first
		}
		if hasLast {
			a.Last = &last
		}
		if after != "" {
			a.After = &after
		}
		if before != "" {
			a.Before = &before
		}
		w, err := a.Validate(order)
		if err != nil {
			if _, ok := err.(*ArgError); !ok {
				t.Fatalf("Validate failed with %T %v, want an *ArgError naming the argument", err, err)
			}
			return
		}
		if hasFirst && hasLast {
			t.Fatal("Validate accepted first with last")
		}
		if w.Limit < 0 || w.Limit > MaxPageSize {
			t.Fatalf("Validate accepted a page of %d rows", w.Limit)
		}
		for _, c := range []*Cursor{w.After, w.Before} {
			if c != nil && (c.Order != order || c.ID <= 0) {
				t.Fatalf("Validate accepted cursor %+v for order %q", c, order)
			}
		}
	})
}
