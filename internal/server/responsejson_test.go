package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The response's bytes are json.Marshal's, whether its data comes spaced from PostgreSQL
// or compact from the executor, with errors, extensions and characters that
// encoding/json escapes.
func TestResponsesEncodeAsJSONMarshalDoes(t *testing.T) {
	yes := true
	cases := []struct {
		name string
		resp graphql.Response
	}{
		{"no data", graphql.Response{}},
		{"null data", graphql.Response{Data: json.RawMessage("null")}},
		{"PostgreSQL's spacing", graphql.Response{Data: json.RawMessage(`{"jobOpenings" : {"totalCount" : 3, "edges" : [{"node" : {"id" : "UmVz", "title" : {"en" : "CNC  machinist ", "zh" : "数控"}}}, {"node" : null}]}}`)}},
		{"the executor's compact JSON", graphql.Response{Data: json.RawMessage(`{"a":[1,2.5e3,-0,true,false,null],"b":{}}`)}},
		{"newlines and tabs between tokens", graphql.Response{Data: json.RawMessage("{\n\t\"a\" :\r\n [ 1 ,\t2 ]\n}")}},
		{"HTML characters", graphql.Response{Data: json.RawMessage(`{"name" : "<script>&amp;</script>", "x" : "a > b"}`)}},
		{"line and paragraph separators", graphql.Response{Data: json.RawMessage("{\"t\" : \"a\u2028b\u2029c\u2027d\"}")}},
		{"escapes", graphql.Response{Data: json.RawMessage(`{"q" : "say \"hi\" , ok", "b" : "back\\", "u" : "\u003c\u00e9 \n"}`)}},
		{"errors, path and extensions", graphql.Response{
			Errors:     gqlerror.List{{Message: "no <such> thing", Path: ast.Path{ast.PathName("a"), ast.PathIndex(0)}, Extensions: map[string]any{"code": "NOT_FOUND"}}},
			Data:       json.RawMessage(`{"a" : [null]}`),
			Label:      "l&l",
			Path:       ast.Path{ast.PathName("a")},
			HasNext:    &yes,
			Extensions: map[string]any{"cost": map[string]any{"requested": 3}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, err := json.Marshal(&c.resp)
			if err != nil {
				t.Fatal(err)
			}
			got, err := encodeResponse(&c.resp)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("encodeResponse:\n%s\njson.Marshal:\n%s", got, want)
			}
		})
	}
}

// Any well-formed data encodes as json.Marshal encodes it.
func FuzzResponseEncoding(f *testing.F) {
	for _, s := range []string{`{"a" : "b"}`, "[1, \"\u2028<\", {\"c\" : null}]", `"\\\""`, `{"x":[ ]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		if !json.Valid([]byte(data)) {
			return
		}
		resp := graphql.Response{Data: json.RawMessage(data)}
		want, err := json.Marshal(&resp)
		if err != nil {
			t.Skip()
		}
		got, err := encodeResponse(&resp)
		if err != nil || string(got) != string(want) {
			t.Errorf("data %q: encodeResponse %s (%v), json.Marshal %s", data, got, err, want)
		}
	})
}

// BenchmarkResponseEncoding compares json.Marshal of a job board page's response, as
// PostgreSQL writes its data, with encodeResponse.
func BenchmarkResponseEncoding(b *testing.B) {
	edge := `{"node" : {"id" : "UmVzb3VyY2U6NzA4MA", "title" : {"en" : "Senior Welder", "zh" : "高级焊工"}, "sharedOn" : "2026-12-04", "positions" : 14, "employmentType" : "FULL_TIME", "salary" : {"min" : 8300, "max" : 10400}, "provider" : {"id" : "T3JnYW5pemF0aW9uOjEzNzI", "name" : {"en" : "Shenyang Yaoneng Battery Systems Technology Co., Ltd."}}, "requiredSkills" : [{"level" : 5, "skill" : {"code" : "MFG.WELD", "name" : {"en" : "Welding"}}}, {"level" : 3, "skill" : {"code" : "AUT.ROBOT", "name" : {"en" : "Industrial robots"}}}]}}`
	resp := &graphql.Response{Data: json.RawMessage(`{"jobOpenings" : {"totalCount" : 1227, "pageInfo" : {"hasNextPage" : true, "endCursor" : "eyJvIjoiUE9TVEVEX09OOkRFU0MifQ"}, "edges" : [` + strings.Repeat(edge+", ", 19) + edge + `]}}`)}
	b.Run("json.Marshal", func(b *testing.B) {
		b.SetBytes(int64(len(resp.Data)))
		for b.Loop() {
			if _, err := json.Marshal(resp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encodeResponse", func(b *testing.B) {
		b.SetBytes(int64(len(resp.Data)))
		for b.Loop() {
			if _, err := encodeResponse(resp); err != nil {
				b.Fatal(err)
			}
		}
	})
}
