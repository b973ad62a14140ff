package relay

import (
	"encoding/base64"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// allTypes lists every Type the package knows; a new Type must be added here and to
// knownTypes, or the round-trip test below misses it.
var allTypes = []Type{
	TypeAlliance, TypeOrganization, TypeMembership, TypePartnership, TypeTrainingCenter,
	TypeResource, TypeSkill, TypeTalent, TypePlacement, TypeEvent, TypeBooking,
	TypeSecondment,
	TypeEnrollment, TypeCertificate, TypeCompetition, TypeRegistration,
}

// b64 encodes raw text the way IDs and cursors are encoded, to forge inputs.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func ptr[T any](v T) *T { return &v }

func TestAllTypesListsEveryKnownType(t *testing.T) {
	got := map[Type]bool{}
	for _, typ := range allTypes {
		got[typ] = true
	}
	if diff := cmp.Diff(knownTypes, got); diff != "" {
		t.Errorf("allTypes differs from knownTypes (-known +allTypes):\n%s", diff)
	}
}

func TestIDRoundTripsForEveryType(t *testing.T) {
	keys := []int64{1, 2, 42, 1234567, math.MaxInt32, math.MaxInt32 + 1, math.MaxInt64}
	for _, typ := range allTypes {
		for _, key := range keys {
			id := ID(typ, key)
			gotType, gotKey, err := ParseID(id)
			if err != nil {
				t.Errorf("ParseID(ID(%s, %d) = %q) failed: %v", typ, key, id, err)
				continue
			}
			if gotType != typ || gotKey != key {
				t.Errorf("ParseID(ID(%s, %d)) = (%s, %d), want (%s, %d)", typ, key, gotType, gotKey, typ, key)
			}
			k, err := ParseIDOf(typ, id)
			if err != nil || k != key {
				t.Errorf("ParseIDOf(%s, ID(%s, %d)) = %d, %v; want %d, nil", typ, typ, key, k, err, key)
			}
		}
	}
}

func TestIDsAreDistinctAcrossTypesAndKeys(t *testing.T) {
	seen := map[string]string{}
	for _, typ := range allTypes {
		for _, key := range []int64{1, 2, 10, 11, 100} {
			id := ID(typ, key)
			what := string(typ) + " " + strconv.FormatInt(key, 10)
			if prev, dup := seen[id]; dup {
				t.Errorf("ID %q is issued for both %s and %s", id, prev, what)
			}
			seen[id] = what
		}
	}
}

func TestIDIsOpaque(t *testing.T) {
	for _, typ := range allTypes {
		for _, key := range []int64{12345, 987654321, 31415926535, math.MaxInt64} {
			id := ID(typ, key)
			if dec := strconv.FormatInt(key, 10); strings.Contains(id, dec) {
				t.Errorf("ID(%s, %d) = %q shows the key %s in plain text", typ, key, id, dec)
			}
			if strings.Contains(strings.ToLower(id), strings.ToLower(string(typ))) {
				t.Errorf("ID(%s, %d) = %q shows the type in plain text", typ, key, id)
			}
			if strings.ContainsAny(id, ":+/=") {
				t.Errorf("ID(%s, %d) = %q is not URL-safe unpadded base64", typ, key, id)
			}
		}
	}
}

func TestParseIDRejectsMalformedIDs(t *testing.T) {
	valid := ID(TypeAlliance, 1)
	tests := []struct {
		name string
		id   string
	}{
		{"empty", ""},
		{"not base64", "!!!not base64!!!"},
		{"standard base64 alphabet", base64.StdEncoding.EncodeToString([]byte("Alliance:1023"))},
		{"padded base64", base64.URLEncoding.EncodeToString([]byte("Alliance:1"))},
		{"plain text, not encoded", "Alliance:1"},
		{"unknown type", b64("Spaceship:1")},
		{"type in other case", b64("alliance:1")},
		{"empty type", b64(":1")},
		{"missing colon", b64("Alliance1")},
		{"type only", b64("Alliance")},
		{"type and colon only", b64("Alliance:")},
		{"other separator", b64("Alliance/1")},
		{"non-numeric key", b64("Alliance:one")},
		{"hexadecimal key", b64("Alliance:0x1")},
		{"fractional key", b64("Alliance:1.5")},
		{"zero key", b64("Alliance:0")},
		{"negative key", b64("Alliance:-1")},
		{"most negative key", b64("Alliance:" + strconv.FormatInt(math.MinInt64, 10))},
		{"key overflowing int64", b64("Alliance:9223372036854775808")},
		{"key far beyond int64", b64("Alliance:99999999999999999999999999")},
		{"trailing garbage after key", b64("Alliance:1x")},
		{"trailing space after key", b64("Alliance:1 ")},
		{"trailing NUL after key", b64("Alliance:1\x00")},
		{"second colon", b64("Alliance:1:2")},
		{"leading space in key", b64("Alliance: 1")},
		{"leading space in type", b64(" Alliance:1")},
		{"trailing base64 garbage", valid + "!"},
		{"truncated to an impossible length", valid[:len(valid)-len(valid)%4-3]},
		{"cursor instead of ID", Cursor{Order: "NAME:ASC", Sort: "a", ID: 1}.String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, key, err := ParseID(tt.id)
			if !errors.Is(err, ErrMalformedID) {
				t.Errorf("ParseID(%q) = (%q, %d, %v), want ErrMalformedID", tt.id, typ, key, err)
			}
			if typ != "" || key != 0 {
				t.Errorf("ParseID(%q) returned (%q, %d) with its error, want zero values", tt.id, typ, key)
			}
			if _, err := ParseIDOf(TypeAlliance, tt.id); !errors.Is(err, ErrMalformedID) {
				t.Errorf("ParseIDOf(Alliance, %q) error = %v, want ErrMalformedID", tt.id, err)
			}
		})
	}
}

// ErrMalformedID is documented as reporting "an ID that this server did not issue", so
// every string that is not exactly ID(t, k) for some t, k should be refused. These decode
// to Alliance 1 but differ from ID(TypeAlliance, 1).
func TestParseIDRejectsNonCanonicalAliases(t *testing.T) {
	valid := ID(TypeAlliance, 1) // "QWxsaWFuY2U6MQ"
	tests := []struct {
		name string
		id   string
	}{
		{"leading zero in key", b64("Alliance:01")},
		{"plus sign on key", b64("Alliance:+1")},
		{"trailing newline", valid + "\n"},
		{"leading carriage return", "\r" + valid},
		{"non-zero trailing bits", valid[:len(valid)-1] + "R"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, key, err := ParseID(tt.id)
			if !errors.Is(err, ErrMalformedID) {
				t.Errorf("ParseID(%q) = (%q, %d, %v), want ErrMalformedID: the server never issues this ID", tt.id, typ, key, err)
			}
		})
	}
}

func TestParseIDOfWrongTypeNamesBothTypes(t *testing.T) {
	tests := []struct {
		have, want Type
	}{
		{TypeOrganization, TypeAlliance},
		{TypeAlliance, TypeOrganization},
		{TypeSkill, TypeTalent},
		{TypeTrainingCenter, TypePlacement},
	}
	for _, tt := range tests {
		t.Run(string(tt.have)+"_as_"+string(tt.want), func(t *testing.T) {
			key, err := ParseIDOf(tt.want, ID(tt.have, 7))
			if err == nil {
				t.Fatalf("ParseIDOf(%s, ID(%s, 7)) = %d, nil; want an error", tt.want, tt.have, key)
			}
			if key != 0 {
				t.Errorf("ParseIDOf returned key %d with its error, want 0", key)
			}
			if errors.Is(err, ErrMalformedID) {
				t.Errorf("error %q is ErrMalformedID; a well-formed ID of another type is not malformed", err)
			}
			for _, name := range []Type{tt.have, tt.want} {
				if !strings.Contains(err.Error(), string(name)) {
					t.Errorf("error %q does not name type %s", err, name)
				}
			}
		})
	}
}

func TestCursorRoundTrips(t *testing.T) {
	tests := []Cursor{
		{Order: "NAME:ASC", Sort: "Shenyang Aerospace", ID: 1},
		{Order: "NAME:DESC", Sort: "", ID: 42},
		{Order: "CREATED_AT:ASC", Sort: "2024-05-01T08:00:00Z", ID: math.MaxInt64},
		{Order: "NAME:ASC", Sort: `quotes " and \ backslashes, <html> & unicode 沈阳 🚀`, ID: 3},
		{Order: "NAME:ASC", Sort: "00000000000000000012", ID: 12},
		{Order: "", Sort: "x", ID: 5},
	}
	for _, c := range tests {
		t.Run(c.Order+"/"+c.Sort, func(t *testing.T) {
			s := c.String()
			if strings.Contains(s, c.Order) && c.Order != "" {
				t.Errorf("cursor %q shows its order %q in plain text", s, c.Order)
			}
			got, err := ParseCursor(s, c.Order)
			if err != nil {
				t.Fatalf("ParseCursor(%q, %q): %v", s, c.Order, err)
			}
			if diff := cmp.Diff(c, got); diff != "" {
				t.Errorf("cursor changed in the round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCursorRejectsGarbage(t *testing.T) {
	const order = "NAME:ASC"
	tests := []struct {
		name   string
		cursor string
	}{
		{"empty", ""},
		{"not base64", "%%%"},
		{"padded base64", base64.URLEncoding.EncodeToString([]byte(`{"o":"NAME:ASC","s":"ab","i":1}`))},
		{"not JSON", b64("NAME:ASC|a|1")},
		{"JSON array", b64(`["NAME:ASC","a",1]`)},
		{"JSON null", b64(`null`)},
		{"empty object", b64(`{}`)},
		{"missing ID", b64(`{"o":"NAME:ASC","s":"a"}`)},
		{"zero ID", b64(`{"o":"NAME:ASC","s":"a","i":0}`)},
		{"negative ID", b64(`{"o":"NAME:ASC","s":"a","i":-1}`)},
		{"ID overflowing int64", b64(`{"o":"NAME:ASC","s":"a","i":9223372036854775808}`)},
		{"fractional ID", b64(`{"o":"NAME:ASC","s":"a","i":1.5}`)},
		{"ID as string", b64(`{"o":"NAME:ASC","s":"a","i":"1"}`)},
		{"sort as number", b64(`{"o":"NAME:ASC","s":1,"i":1}`)},
		{"trailing garbage after JSON", b64(`{"o":"NAME:ASC","s":"a","i":1}x`)},
		{"truncated JSON", b64(`{"o":"NAME:ASC","s":"a","i":1`)},
		{"global ID instead of cursor", ID(TypeAlliance, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCursor(tt.cursor, order)
			if err == nil {
				t.Fatalf("ParseCursor(%q) = %#v, nil; want an error", tt.cursor, c)
			}
			if diff := cmp.Diff(Cursor{}, c); diff != "" {
				t.Errorf("ParseCursor returned a non-zero cursor with its error:\n%s", diff)
			}
			if !strings.Contains(err.Error(), "not a cursor") {
				t.Errorf("error %q does not say the value is not a cursor", err)
			}
		})
	}
}

func TestParseCursorRejectsCursorOfAnotherOrder(t *testing.T) {
	tests := []struct {
		issued, wanted string
	}{
		{"NAME:ASC", "NAME:DESC"},
		{"NAME:DESC", "NAME:ASC"},
		{"CREATED_AT:ASC", "NAME:ASC"},
		{"", "NAME:ASC"},
		{"NAME:ASC", "name:asc"},
	}
	for _, tt := range tests {
		t.Run(tt.issued+"_for_"+tt.wanted, func(t *testing.T) {
			s := Cursor{Order: tt.issued, Sort: "x", ID: 9}.String()
			c, err := ParseCursor(s, tt.wanted)
			if err == nil {
				t.Fatalf("ParseCursor(cursor for %q, %q) = %#v, nil; want an error", tt.issued, tt.wanted, c)
			}
			if diff := cmp.Diff(Cursor{}, c); diff != "" {
				t.Errorf("ParseCursor returned a non-zero cursor with its error:\n%s", diff)
			}
			for _, o := range []string{tt.issued, tt.wanted} {
				if o != "" && !strings.Contains(err.Error(), o) {
					t.Errorf("error %q does not name order %q", err, o)
				}
			}
		})
	}
}

func TestPageArgsValidate(t *testing.T) {
	const order = "NAME:ASC"
	a := Cursor{Order: order, Sort: "a", ID: 1}
	b := Cursor{Order: order, Sort: "b", ID: 2}
	other := Cursor{Order: "NAME:DESC", Sort: "a", ID: 1}.String()
	tests := []struct {
		name string
		args PageArgs
		want Window
	}{
		{"no arguments reads the default page forwards", PageArgs{}, Window{Limit: DefaultPageSize}},
		{"first 0", PageArgs{First: ptr(0)}, Window{Limit: 0}},
		{"first 1", PageArgs{First: ptr(1)}, Window{Limit: 1}},
		{"first at the maximum", PageArgs{First: ptr(MaxPageSize)}, Window{Limit: MaxPageSize}},
		{"last 0", PageArgs{Last: ptr(0)}, Window{Limit: 0, Backward: true}},
		{"last 5", PageArgs{Last: ptr(5)}, Window{Limit: 5, Backward: true}},
		{"last at the maximum", PageArgs{Last: ptr(MaxPageSize)}, Window{Limit: MaxPageSize, Backward: true}},
		{"lone after reads forwards", PageArgs{After: ptr(a.String())}, Window{Limit: DefaultPageSize, After: &a}},
		{"first with after", PageArgs{First: ptr(3), After: ptr(a.String())}, Window{Limit: 3, After: &a}},
		{"lone before reads backwards", PageArgs{Before: ptr(b.String())}, Window{Limit: DefaultPageSize, Backward: true, Before: &b}},
		{"last with before", PageArgs{Last: ptr(4), Before: ptr(b.String())}, Window{Limit: 4, Backward: true, Before: &b}},
		{"first with before reads forwards", PageArgs{First: ptr(4), Before: ptr(b.String())}, Window{Limit: 4, Before: &b}},
		{"last with after reads backwards", PageArgs{Last: ptr(4), After: ptr(a.String())}, Window{Limit: 4, Backward: true, After: &a}},
		{"after and before together read forwards between them", PageArgs{After: ptr(a.String()), Before: ptr(b.String())}, Window{Limit: DefaultPageSize, After: &a, Before: &b}},
		{"first, after and before", PageArgs{First: ptr(2), After: ptr(a.String()), Before: ptr(b.String())}, Window{Limit: 2, After: &a, Before: &b}},
		{"last, after and before", PageArgs{Last: ptr(2), After: ptr(a.String()), Before: ptr(b.String())}, Window{Limit: 2, Backward: true, After: &a, Before: &b}},
		{"an empty after is no cursor", PageArgs{First: ptr(3), After: ptr("")}, Window{Limit: 3}},
		{"an empty before is no cursor and does not page backwards", PageArgs{Before: ptr("")}, Window{Limit: DefaultPageSize}},
		{"an empty after beside a before reads backwards from it", PageArgs{After: ptr(""), Before: ptr(b.String())}, Window{Limit: DefaultPageSize, Backward: true, Before: &b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.args.Validate(order)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("window differs (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("cursor of another order is refused", func(t *testing.T) {
		_, err := PageArgs{After: &other}.Validate(order)
		var ae *ArgError
		if !errors.As(err, &ae) || ae.Arg != "after" {
			t.Fatalf("error %v, want an *ArgError for after", err)
		}
		for _, o := range []string{"NAME:DESC", order} {
			if !strings.Contains(err.Error(), o) {
				t.Errorf("error %q does not name order %q", err, o)
			}
		}
	})
}

func TestPageArgsValidateRejects(t *testing.T) {
	const order = "NAME:ASC"
	good := Cursor{Order: order, Sort: "a", ID: 1}.String()
	other := Cursor{Order: "NAME:DESC", Sort: "a", ID: 1}.String()
	tests := []struct {
		name    string
		args    PageArgs
		arg     string   // the argument the error must be attributed to
		mention []string // text the message must contain
	}{
		{"first 101", PageArgs{First: ptr(MaxPageSize + 1)}, "first", []string{"101", "100"}},
		{"first huge", PageArgs{First: ptr(math.MaxInt)}, "first", []string{"100"}},
		{"first -1", PageArgs{First: ptr(-1)}, "first", []string{"-1", "negative"}},
		{"first most negative", PageArgs{First: ptr(math.MinInt)}, "first", []string{"negative"}},
		{"last 101", PageArgs{Last: ptr(MaxPageSize + 1)}, "last", []string{"101", "100"}},
		{"last -1", PageArgs{Last: ptr(-1)}, "last", []string{"-1", "negative"}},
		{"first and last", PageArgs{First: ptr(1), Last: ptr(1)}, "last", []string{"first"}},
		{"first and last, both invalid", PageArgs{First: ptr(-1), Last: ptr(101)}, "last", []string{"first"}},
		{"bad after", PageArgs{After: ptr("garbage")}, "after", []string{"not a cursor"}},
		{"bad before", PageArgs{Before: ptr("garbage")}, "before", []string{"not a cursor"}},
		{"bad after with good before", PageArgs{After: ptr("garbage"), Before: &good}, "after", []string{"not a cursor"}},
		{"good after with bad before", PageArgs{After: &good, Before: ptr("garbage")}, "before", []string{"not a cursor"}},
		{"bad before with last", PageArgs{Last: ptr(3), Before: ptr("garbage")}, "before", []string{"not a cursor"}},
		{"after of another order", PageArgs{After: &other}, "after", []string{"NAME:DESC", order}},
		{"before of another order", PageArgs{Before: &other}, "before", []string{"NAME:DESC", order}},
		{"ID used as after", PageArgs{After: ptr(ID(TypeAlliance, 1))}, "after", []string{"not a cursor"}},
		{"invalid first reported before a bad cursor", PageArgs{First: ptr(101), After: ptr("garbage")}, "first", []string{"101"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := tt.args.Validate(order)
			if err == nil {
				t.Fatalf("Validate = %+v, nil; want an error for %q", w, tt.arg)
			}
			if diff := cmp.Diff(Window{}, w); diff != "" {
				t.Errorf("Validate returned a non-zero window with its error:\n%s", diff)
			}
			var ae *ArgError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v (%T) is not an *ArgError", err, err)
			}
			if ae.Arg != tt.arg {
				t.Errorf("error attributed to %q, want %q: %v", ae.Arg, tt.arg, err)
			}
			if !strings.Contains(err.Error(), strconv.Quote(tt.arg)) {
				t.Errorf("message %q does not name the argument %q", err, tt.arg)
			}
			for _, m := range tt.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("message %q does not mention %q", err, m)
				}
			}
		})
	}
}

func TestArgErrorMessage(t *testing.T) {
	err := &ArgError{Arg: "first", Reason: "must not be negative (got -1)"}
	if got, want := err.Error(), `argument "first" must not be negative (got -1)`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func FuzzParseID(f *testing.F) {
	for _, typ := range allTypes {
		f.Add(ID(typ, 1))
	}
	for _, s := range []string{
		ID(TypeAlliance, math.MaxInt64),
		"",
		"Alliance:1",
		"!!!",
		b64("Alliance:0"),
		b64("Alliance:-1"),
		b64("Alliance:9223372036854775808"),
		b64("Alliance:1x"),
		b64("Alliance:01"),
		b64("Spaceship:1"),
		b64("Alliance"),
		ID(TypeAlliance, 1) + "\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		typ, key, err := ParseID(id)
		if err != nil {
			if !errors.Is(err, ErrMalformedID) {
				t.Fatalf("ParseID(%q) error %v is not ErrMalformedID", id, err)
			}
			if typ != "" || key != 0 {
				t.Fatalf("ParseID(%q) returned (%q, %d) with its error", id, typ, key)
			}
			return
		}
		if !knownTypes[typ] {
			t.Fatalf("ParseID(%q) returned unknown type %q", id, typ)
		}
		if key <= 0 {
			t.Fatalf("ParseID(%q) returned non-positive key %d", id, key)
		}
		reissued := ID(typ, key)
		typ2, key2, err := ParseID(reissued)
		if err != nil || typ2 != typ || key2 != key {
			t.Fatalf("ParseID(%q) = (%s, %d) but ParseID(ID(%s, %d) = %q) = (%s, %d, %v)",
				id, typ, key, typ, key, reissued, typ2, key2, err)
		}
		if k, err := ParseIDOf(typ, id); err != nil || k != key {
			t.Fatalf("ParseIDOf(%s, %q) = %d, %v; want %d, nil", typ, id, k, err, key)
		}
	})
}

func FuzzParseCursor(f *testing.F) {
	const order = "NAME:ASC"
	for _, c := range []Cursor{
		{Order: order, Sort: "a", ID: 1},
		{Order: order, Sort: "", ID: math.MaxInt64},
		{Order: "NAME:DESC", Sort: "z", ID: 2},
		{Order: order, Sort: "沈阳 \"quoted\"", ID: 3},
	} {
		f.Add(c.String(), order)
	}
	for _, s := range []string{
		"",
		"%%%",
		b64("null"),
		b64("{}"),
		b64(`{"o":"NAME:ASC","s":"a","i":0}`),
		b64(`{"o":"NAME:ASC","s":"a","i":1}x`),
		b64(`{"O":"NAME:ASC","S":"a","I":1,"extra":true}`),
		b64("{\"o\":\"NAME:ASC\",\"s\":\"\xff\",\"i\":1}"),
		ID(TypeAlliance, 1),
	} {
		f.Add(s, order)
	}
	f.Fuzz(func(t *testing.T, s, order string) {
		c, err := ParseCursor(s, order)
		if err != nil {
			if diff := cmp.Diff(Cursor{}, c); diff != "" {
				t.Fatalf("ParseCursor(%q, %q) returned a non-zero cursor with its error:\n%s", s, order, diff)
			}
			return
		}
		if c.Order != order {
			t.Fatalf("ParseCursor(%q, %q) accepted a cursor for order %q", s, order, c.Order)
		}
		if c.ID <= 0 {
			t.Fatalf("ParseCursor(%q, %q) accepted non-positive ID %d", s, order, c.ID)
		}
		again, err := ParseCursor(c.String(), order)
		if err != nil {
			t.Fatalf("ParseCursor(%q) = %#v, but its re-encoding %q fails: %v", s, c, c.String(), err)
		}
		if diff := cmp.Diff(c, again); diff != "" {
			t.Fatalf("re-encoding the cursor parsed from %q changes it (-first +again):\n%s", s, diff)
		}
	})
}
