package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/alliance-graph/alliance-graph/graph"
	"github.com/alliance-graph/alliance-graph/internal/web"
)

// TestDashboardOperationsAreNamedByTheirSHA256AndFitTheSchema: every built-in operation's
// id is the sha256 of its text, as the server checks a manifest's, and it validates
// against the schema, so a stale manifest fails here rather than in a browser.
func TestDashboardOperationsAreNamedByTheirSHA256AndFitTheSchema(t *testing.T) {
	ops := web.DashboardOperations()
	if len(ops) == 0 {
		t.Fatal("the dashboard has no built-in operation")
	}
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	names := map[string]bool{}
	for _, op := range ops {
		t.Run(op.Name, func(t *testing.T) {
			sum := sha256.Sum256([]byte(op.Body))
			if hex.EncodeToString(sum[:]) != op.ID {
				t.Errorf("id %s is not the sha256 of its text", op.ID)
			}
			if names[op.Name] {
				t.Errorf("two operations are named %s", op.Name)
			}
			names[op.Name] = true
			doc, err := parser.ParseQuery(&ast.Source{Name: op.Name, Input: op.Body})
			if err != nil {
				t.Fatalf("does not parse: %v", err)
			}
			if errs := validator.Validate(schema, doc); len(errs) > 0 {
				t.Fatalf("does not fit the schema: %v", errs)
			}
			if len(doc.Operations) != 1 || doc.Operations[0].Name != op.Name || string(doc.Operations[0].Operation) != op.Type {
				t.Errorf("the document holds %d operations, the first %+v; want one %s named %s", len(doc.Operations), doc.Operations[0], op.Type, op.Name)
			}
		})
	}
}

// TestDashboardBundleSendsTheManifestsIDsNotItsText: the bundle served holds every id of
// the manifest and none of the documents' text, so the two come from one build and the
// dashboard never depends on free-form queries.
func TestDashboardBundleSendsTheManifestsIDsNotItsText(t *testing.T) {
	ts := server(t)
	_, page := get(t, ts.URL+"/dashboard", nil)
	src := regexp.MustCompile(`src="(/assets/dashboard\.js[^"]*)"`).FindSubmatch(page)
	if src == nil {
		t.Fatalf("the dashboard page loads no dashboard.js:\n%s", page)
	}
	_, bundle := get(t, ts.URL+strings.ReplaceAll(string(src[1]), "&amp;", "&"), nil)
	for _, op := range web.DashboardOperations() {
		if !strings.Contains(string(bundle), op.ID) {
			t.Errorf("the bundle lacks the id of %s", op.Name)
		}
		if strings.Contains(string(bundle), op.Type+" "+op.Name) {
			t.Errorf("the bundle holds the text of %s", op.Name)
		}
	}
}
