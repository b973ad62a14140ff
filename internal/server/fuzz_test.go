package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// Fuzz targets for what clients send: whole requests, and the filter and paging inputs
// that reach SQL. They run in-process against the demo database; `make fuzz` runs each
// for a while, CI briefly, and the seeds run with every `go test`.

// fuzzResponse is what every answer of /query must be, whatever was sent: JSON, with a
// code on every error, never an internal error (a malformed request is the client's
// fault, and a panic would surface as one), and no 5xx without a GraphQL error saying why.
func fuzzResponse(t *testing.T, rec *httptest.ResponseRecorder, sent string) response {
	t.Helper()
	var r response
	body := rec.Body.Bytes()
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("status %d, body is not JSON (%v): %.300q\nsent: %.500q", rec.Code, err, body, sent)
	}
	r.Status = rec.Code
	if r.Data == nil && len(r.Errors) == 0 {
		t.Fatalf("status %d, neither data nor errors: %.300s\nsent: %.500q", rec.Code, body, sent)
	}
	for _, e := range r.Errors {
		code, _ := e.Extensions["code"].(string)
		if code == "" || code == "INTERNAL_SERVER_ERROR" {
			t.Fatalf("status %d, error without a client code: %+v\nsent: %.500q", rec.Code, e, sent)
		}
	}
	if rec.Code >= 500 && len(r.Errors) == 0 {
		t.Fatalf("status %d without a GraphQL error\nsent: %.500q", rec.Code, sent)
	}
	return r
}

// serve runs one request through the handler in-process: a panic that escapes it fails
// the fuzz run instead of being swallowed by net/http.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var fuzzContentTypes = []string{
	"application/json", "application/json; charset=utf-8", "application/graphql-response+json",
	"application/graphql", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", "",
}

// Any body under any content type, and any GET query string: the server answers with a
// clean GraphQL response.
func FuzzRequestDecoding(f *testing.F) {
	h := newServer(f).Config.Handler
	for _, body := range []string{
		`{"query":"{ alliances(first: 2) { totalCount edges { node { id name } } } }"}`,
		`{"query":"query Q($s: String) { organizations(filter: {search: $s}) { totalCount } }","variables":{"s":"沈阳"},"operationName":"Q"}`,
		`{"query":"query Q($n: Int) { skills(first: $n) { totalCount } }","variables":{"n":"ten"}}`,
		`{"query":"query Q($n: Int) { skills(first: $n) { totalCount } }","variables":{"n":99999999999}}`,
		`{"query":"{ node(id: \"T3JnYW5pemF0aW9uOjE\") { id } }"}`,
		`{"query":"{ a: __typename b: __typename }","operationName":"Missing"}`,
		`{"query":"query A { __typename } query B { __typename }"}`,
		`{"query":"{ organizations(first: 1) { edges { node { partners(first: 1) { edges { node { partners(first: 1) { totalCount } } } } } } } }"}`,
		`{"query":"fragment F on Query { ...F } { ...F }"}`,
		`{"query":"mutation { __typename }"}`,
		`{"query":"subscription { __typename }"}`,
		`{"query":"{ organizations(filter: {search: \"%_\\\\'; --\"}) { totalCount } }"}`,
		`{"query":"{ search(query: \"\\u0000\") { totalCount } }"}`,
		`{"query":"{ organizations(after: \"eyJvIjoiTkFNRTpBU0MiLCJzIjoiYSIsImkiOjF9\") { totalCount } }"}`,
		`{"query":null}`, `{"query":42}`, `{"query":""}`, `{"query":"{","variables":[]}`, `{"variables":{}}`,
		`[{"query":"{ __typename }"}]`, `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"00"}}}`,
		`{"query":"{ __typename }","variables":"x"}`, `null`, `[]`, `"`, "", "\x00", "\xff\xfe", `{"query":"{ __typename }"}garbage`,
		`{"query":"` + strings.Repeat("{a", 50) + `"}`,
	} {
		for ct := range fuzzContentTypes[:2] {
			f.Add(false, uint8(ct), []byte(body), "")
		}
	}
	f.Add(false, uint8(3), []byte("{ __typename }"), "")
	f.Add(false, uint8(4), []byte("query=%7B__typename%7D"), "")
	f.Add(false, uint8(6), []byte(`{"query":"{ __typename }"}`), "")
	f.Add(false, uint8(7), []byte(`{"query":"{ __typename }"}`), "")
	for _, q := range []string{
		"query=%7B__typename%7D", "query=%7Bskills(first%3A2)%7BtotalCount%7D%7D&variables=%7B%7D",
		"query=mutation%7B__typename%7D", "query=%7B__typename%7D&variables=not-json", "query=%7B__typename%7D&extensions=%7B",
		"query=query+Q($s:String)%7Borganizations(filter:%7Bsearch:$s%7D)%7BtotalCount%7D%7D&variables=%7B%22s%22:%22%25%27%22%7D",
		"", "query=", "query=%zz", "query=%7B&query=%7D", "operationName=X&query=%7B__typename%7D", ";;;&&&=",
	} {
		f.Add(true, uint8(0), []byte(nil), q)
	}
	f.Fuzz(func(t *testing.T, get bool, contentType uint8, body []byte, rawQuery string) {
		method, reader := http.MethodPost, bytes.NewReader(body)
		if get {
			method, reader = http.MethodGet, bytes.NewReader(nil)
		}
		req, err := http.NewRequest(method, "http://alliance.test/query", reader)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.RawQuery = rawQuery
		req.Header.Set("Accept", "application/graphql-response+json, application/json")
		if !get {
			if ct := fuzzContentTypes[int(contentType)%len(fuzzContentTypes)]; ct != "" {
				req.Header.Set("Content-Type", ct)
			}
		}
		fuzzResponse(t, serve(h, req), method+" ?"+rawQuery+" "+string(body))
	})
}

// post sends a GraphQL request with variables through the handler in-process.
func post(t *testing.T, h http.Handler, query string, vars map[string]any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://alliance.test/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return fuzzResponse(t, serve(h, req), string(body))
}

// onlyBadInput fails unless the response has no error, or only BAD_USER_INPUT ones; it
// reports whether there was none.
func onlyBadInput(t *testing.T, r response, what string) bool {
	t.Helper()
	for _, e := range r.Errors {
		if e.Extensions["code"] != "BAD_USER_INPUT" {
			t.Fatalf("%s: %+v", what, r.Errors)
		}
	}
	return len(r.Errors) == 0
}

const fuzzSearchQuery = `query F($s: String, $d: [String!], $min: Int) {
  organizations(filter: {search: $s, districts: $d}) { totalCount }
  skills(filter: {search: $s}) { totalCount }
  partnerships(filter: {search: $s}) { totalCount }
  jobOpenings(filter: {search: $s, minSalary: $min, industries: []}) { totalCount edges { node { id } } }
  trainingCourses(filter: {search: $s}) { totalCount }
  resources(filter: {search: $s}) { totalCount }
  trainingCenters(filter: {search: $s}) { totalCount }
}`

// The global search has rules of its own (2 to 100 characters after trimming...): any
// text is either searched or refused as BAD_USER_INPUT.
const fuzzGlobalSearchQuery = `query F($q: String!, $after: String) {
  search(query: $q, first: 5, after: $after) { totalCount edges { cursor } }
}`

const fuzzDateQuery = `query F($r: DateRange) {
  partnerships(filter: {signed: $r}) { totalCount }
  jobOpenings(filter: {posted: $r}) { totalCount }
  trainingCourses(filter: {starts: $r}) { totalCount }
  resources(filter: {shared: $r}) { totalCount }
}`

const fuzzCursorQuery = `query F($after: String, $before: String, $field: OrganizationOrderField!) {
  organizations(first: 3, after: $after, orderBy: {field: $field}) { edges { cursor } }
  tail: organizations(last: 3, before: $before, orderBy: {field: $field, direction: DESC}) { edges { cursor } }
}`

var organizationOrderFields = []string{"NAME", "NAME_ZH", "FOUNDED_YEAR", "CREATED_AT"}

// Arbitrary strings, dates and numbers in filters and cursors: never an internal error
// (the text is data, never SQL: it cannot break the statement), bad values are
// BAD_USER_INPUT, and substring searches and date ranges find exactly the rows an
// independent SQL oracle finds.
func FuzzFilterInputs(f *testing.F) {
	h := newServer(f).Config.Handler
	for _, s := range []string{"", "沈阳", "shenyang", "SHENYANG", "%", "_", `\`, `\%`, "'", `"`, "''; DROP TABLE organization; --",
		"$1", "%' OR '1'='1", "\x00", "a\x00b", "\xff", "İ", "ß", "\u200b", strings.Repeat("x", 101), strings.Repeat("界", 100),
		"Hunnan", "(", "[a-z]", "*", ".*", "tech"} {
		f.Add(s, "2020-01-01", "2024-12-31", int64(5000), uint8(0), "")
	}
	for _, d := range [][2]string{{"", ""}, {"2024-02-29", "2024-03-01"}, {"2023-02-29", ""}, {"0000-01-01", "9999-12-31"},
		{"2024-1-1", ""}, {"2024-12-31", "2020-01-01"}, {"-001-01-01", ""}, {"2024-01-01T00:00:00Z", ""}, {"'", "\x00"}} {
		f.Add("", d[0], d[1], int64(0), uint8(1), "")
	}
	for _, n := range []int64{-1, 0, 1 << 31, -(1 << 31), 1<<31 - 1} {
		f.Add("", "", "", n, uint8(2), "")
	}
	for i, field := range organizationOrderFields {
		for _, sort := range []string{"", "abc", "1990", "2024-01-01", "'; SELECT 1; --", "\x00", "99999999999999999999", "NaN", "infinity"} {
			order := field + ":ASC"
			if i%2 == 1 {
				order = field + ":DESC"
			}
			f.Add(sort, "", "", int64(7), uint8(i), order)
		}
	}
	f.Fuzz(func(t *testing.T, text, from, to string, number int64, which uint8, order string) {
		text = string([]rune(text)) // what JSON makes of invalid UTF-8: U+FFFD per bad byte
		// Searches: every filter's free text, the districts list, a salary bound.
		vars := map[string]any{"s": text, "d": []string{text}, "min": number}
		if text == "" {
			vars["d"] = nil
		}
		r := post(t, h, fuzzSearchQuery, vars)
		if onlyBadInput(t, r, "search filters") {
			var got struct {
				Organizations, Skills struct{ TotalCount int }
			}
			if err := json.Unmarshal(r.Data, &got); err != nil {
				t.Fatal(err)
			}
			// strpos on lower(): no pattern syntax at all, so an independent check of the
			// escaping of ILIKE's % _ and \.
			if want := sqlIntF(t, `SELECT count(*) FROM organization WHERE (strpos(lower(name_en), lower($1)) > 0 OR strpos(lower(name_zh), lower($1)) > 0)
				AND ($1 = '' OR district = $1)`, text); got.Organizations.TotalCount != want {
				t.Fatalf("organizations matching %q: %d, SQL finds %d", text, got.Organizations.TotalCount, want)
			}
			if want := sqlIntF(t, `SELECT count(*) FROM skill WHERE strpos(lower(code), lower($1)) > 0 OR strpos(lower(name_en), lower($1)) > 0
				OR strpos(lower(name_zh), lower($1)) > 0`, text); got.Skills.TotalCount != want {
				t.Fatalf("skills matching %q: %d, SQL finds %d", text, got.Skills.TotalCount, want)
			}
		} else if utf8.RuneCountInString(text) <= 100 && number >= 0 && number < 1<<31 && !strings.ContainsRune(text, 0) {
			// Only what the schema refuses may be refused: over-long text, NUL, salaries
			// outside 0..2^31-1.
			t.Fatalf("search filters refused %q, %d: %+v", text, number, r.Errors)
		}
		onlyBadInput(t, post(t, h, fuzzGlobalSearchQuery, map[string]any{"q": text}), "global search")
		onlyBadInput(t, post(t, h, fuzzGlobalSearchQuery, map[string]any{"q": "shenyang", "after": relay.Cursor{Order: order, Sort: text, ID: max(number, 1)}.String()}), "global search after a forged cursor")

		// Date ranges, as the client spelled them.
		rng := map[string]any{}
		if from != "" {
			rng["from"] = from
		}
		if to != "" {
			rng["to"] = to
		}
		r = post(t, h, fuzzDateQuery, map[string]any{"r": rng})
		if onlyBadInput(t, r, "date filters") {
			var got struct{ Partnerships struct{ TotalCount int } }
			if err := json.Unmarshal(r.Data, &got); err != nil {
				t.Fatal(err)
			}
			// The server accepted the dates, so Go parses them too (PostgreSQL itself has no
			// year 0000 in ISO form): the oracle checks the range logic, open ends included.
			var lo, hi any
			if from != "" {
				lo, _ = time.Parse(time.DateOnly, from)
			}
			if to != "" {
				hi, _ = time.Parse(time.DateOnly, to)
			}
			want := sqlIntF(t, `SELECT count(*) FROM partnership WHERE ($1::date IS NULL OR signed_on >= $1::date) AND ($2::date IS NULL OR signed_on <= $2::date)`, lo, hi)
			if got.Partnerships.TotalCount != want {
				t.Fatalf("partnerships signed from %q to %q: %d, SQL finds %d", from, to, got.Partnerships.TotalCount, want)
			}
		}

		// Cursors: forged ones whose position is any text, under any sort field.
		field := organizationOrderFields[int(which)%len(organizationOrderFields)]
		forged := relay.Cursor{Order: order, Sort: text, ID: max(number, 1)}.String()
		r = post(t, h, fuzzCursorQuery, map[string]any{"after": forged, "before": forged, "field": field})
		onlyBadInput(t, r, fmt.Sprintf("cursor %+v under %s", relay.Cursor{Order: order, Sort: text, ID: number}, field))
	})
}

// sqlIntF is sqlInt for fuzz functions, which get a *testing.T per input.
func sqlIntF(t *testing.T, q string, args ...any) int {
	t.Helper()
	return sqlInt(t, q, args...)
}
