package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/config"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/server"
)

// The client recipes of docs/clients.md live in clients/: an npm project whose lockfile
// pins Apollo Client, urql, Relay, graphql-sse, GraphQL Codegen and relay-compiler, and a
// Go module with genqlient. They run wherever the tests run; only with
// ALLIANCE_CLIENT_TESTS=optional may a machine without Node.js and npm skip them.
const clientTestsEnv = "ALLIANCE_CLIENT_TESTS"

// recipeOrigin is where a frontend's dev server (Vite's default) serves the page that calls
// the API: the Node recipes call as a browser there would.
const recipeOrigin = "http://localhost:5173"

// recipeSummary is the line each recipe prints once it has done its work.
type recipeSummary struct {
	Client     string   `json:"client"`
	TotalCount int      `json:"totalCount"`
	Page1      []string `json:"page1"`
	Page2      []string `json:"page2"`
	FoundedOn  string   `json:"foundedOn"`
	UserErrors []struct {
		Field []string `json:"field"`
		Code  string   `json:"code"`
	} `json:"userErrors"`
	Opening       string   `json:"opening"`
	OpeningErrors int      `json:"openingErrors"`
	HTTPAnswers   []string `json:"httpAnswers"` // the Node recipes': "<method> <Content-Type>" of each answer
	Event         struct {
		Kind       string `json:"kind"`
		SubjectID  string `json:"subjectId"`
		OccurredAt string `json:"occurredAt"`
	} `json:"event"`
}

// TestClientRecipesWorkWithTheirLibraries builds the recipes as docs/clients.md says (types
// and manifests generated from schema.graphqls, no introspection), starts a server that
// runs only the documents of those manifests and accepts browsers from a dev origin, and
// runs each recipe as the MEMBER of a company: two pages of companies, a mutation refused
// with a user error, one accepted, and its event through a subscription, every operation
// sent by id.
func TestClientRecipesWorkWithTheirLibraries(t *testing.T) {
	node, npm := nodeTools(t)
	clients, err := filepath.Abs("../../clients")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	installNodeModules(ctx, t, npm, clients)
	runCommand(ctx, t, clients, nil, npm, "run", "build")
	checkGenqlientOutput(ctx, t, filepath.Join(clients, "go"))

	manifest := filepath.Join(t.TempDir(), "trusted-documents.json")
	writeRecipesManifest(t, clients, manifest)
	trusted, err := server.LoadTrustedDocuments(manifest)
	if err != nil {
		t.Fatal(err)
	}
	ts := replicaWith(t, "clients", fastBus, func(c *server.Config) {
		c.TrustedDocuments, c.FreeFormRoles = trusted, []auth.Role{auth.RoleAdmin}
		c.CORSOrigins = config.DevOrigins
		c.MaxInFlight = -1 // the recipes run at once, with one token
	})

	var company int64
	if err := writeDB.DB.Get(&company, `SELECT m.organization_id FROM membership m JOIN organization o ON o.id = m.organization_id
		WHERE o.kind = 'COMPANY' AND m.left_on IS NULL ORDER BY o.id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	member := auth.Viewer{Role: auth.RoleMember, OrganizationID: company, Subject: "recipes"}
	// Nothing but the manifest's documents runs for the member: a recipe that sent its
	// query rather than its id would fail.
	if r := ts.queryAs(t, member, `{ __typename }`, nil); len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "PERSISTED_QUERY_REQUIRED" {
		t.Fatalf("a free-form query of a MEMBER: %+v, want PERSISTED_QUERY_REQUIRED", r.Errors)
	}
	want := expectedPages(t, ts)
	env := []string{"ALLIANCE_URL=" + ts.URL + "/query", "ALLIANCE_TOKEN=" + ts.token(t, member),
		"ALLIANCE_COMPANY=" + relay.ID(relay.TypeOrganization, company)}
	browser := append(slices.Clone(env), "ALLIANCE_ORIGIN="+recipeOrigin)

	recipes := []struct {
		name    string
		dir     string
		env     []string
		command []string
		// answers are the Content-Types of the Node recipes' HTTP answers: JSON for
		// queries and mutations, whatever Accept offered (urql's offers event streams).
		answers []string
	}{
		{"apollo", clients, browser, []string{node, "build/apollo.js"}, []string{"POST application/graphql-response+json; charset=utf-8"}},
		{"urql", clients, browser, []string{node, "build/urql.js"},
			[]string{"GET application/graphql-response+json; charset=utf-8", "POST application/graphql-response+json; charset=utf-8"}},
		{"relay", clients, browser, []string{node, "build/relay.js"}, []string{"POST application/graphql-response+json; charset=utf-8"}},
		{"graphql-sse", clients, browser, []string{node, "build/sse.js"},
			[]string{"POST application/graphql-response+json; charset=utf-8", "POST text/event-stream"}},
		// Single connection mode: a reservation (PUT, its token), its one stream (GET), and
		// operations accepted with an empty 202 whose results arrive on the stream.
		{"graphql-sse-single", clients, browser, []string{node, "build/sse-single.js"},
			[]string{"GET text/event-stream", "POST null", "PUT text/plain; charset=utf-8"}},
		{"genqlient", filepath.Join(clients, "go"), env, []string{"go", "run", "."}, nil},
	}
	t.Run("recipes", func(t *testing.T) {
		for _, rc := range recipes {
			t.Run(rc.name, func(t *testing.T) {
				t.Parallel()
				out := runCommand(ctx, t, rc.dir, rc.env, rc.command[0], rc.command[1:]...)
				var got recipeSummary
				lines := strings.Split(strings.TrimSpace(out), "\n")
				if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
					t.Fatalf("the recipe's last line is not its summary: %v\n%s", err, out)
				}
				checkRecipe(t, ts, got, want, rc.name, company)
				if !slices.Equal(got.HTTPAnswers, rc.answers) {
					t.Errorf("HTTP answers %q, want %q", got.HTTPAnswers, rc.answers)
				}
			})
		}
	})
}

// expectedPages are the first two pages of companies, by name, five a page, as the
// server answers an administrator's free-form query.
func expectedPages(t *testing.T, ts *testServer) recipeSummary {
	t.Helper()
	const q = `query($after: String) { organizations(first: 5, after: $after, filter: {kinds: [COMPANY]}, orderBy: {field: NAME}) {
		totalCount pageInfo { endCursor } edges { node { id } } } }`
	var want recipeSummary
	var after any
	for _, page := range []*[]string{&want.Page1, &want.Page2} {
		r := ts.queryAs(t, auth.Viewer{Role: auth.RoleAdmin}, q, map[string]any{"after": after})
		var d struct {
			Organizations struct {
				TotalCount int
				PageInfo   struct{ EndCursor string }
				Edges      []struct{ Node struct{ ID string } }
			}
		}
		if len(r.Errors) > 0 || json.Unmarshal(r.Data, &d) != nil {
			t.Fatalf("companies after %v: %+v", after, r.Errors)
		}
		for _, e := range d.Organizations.Edges {
			*page = append(*page, e.Node.ID)
		}
		want.TotalCount, after = d.Organizations.TotalCount, d.Organizations.PageInfo.EndCursor
	}
	return want
}

func checkRecipe(t *testing.T, ts *testServer, got, want recipeSummary, name string, company int64) {
	t.Helper()
	if got.Client != name {
		t.Errorf("summary of %q, want %q", got.Client, name)
	}
	if got.TotalCount != want.TotalCount || !slices.Equal(got.Page1, want.Page1) || !slices.Equal(got.Page2, want.Page2) {
		t.Errorf("pages %d %v %v, want %d %v %v", got.TotalCount, got.Page1, got.Page2, want.TotalCount, want.Page1, want.Page2)
	}
	if got.FoundedOn != "2024-08-17" {
		t.Errorf("the alliance was founded on %q, want 2024-08-17", got.FoundedOn)
	}
	if len(got.UserErrors) != 1 || got.UserErrors[0].Code != "OUT_OF_RANGE" || !slices.Equal(got.UserErrors[0].Field, []string{"input", "positions"}) {
		t.Errorf("user errors of an opening of no position: %+v, want OUT_OF_RANGE on input.positions", got.UserErrors)
	}
	if got.Opening == "" || got.OpeningErrors != 0 {
		t.Fatalf("the opening was not posted: id %q, %d user errors", got.Opening, got.OpeningErrors)
	}
	var posted struct {
		Node struct {
			Provider struct{ ID string }
			Title    struct{ En string }
		}
	}
	r := ts.queryAs(t, auth.Viewer{Role: auth.RoleAdmin}, `query($id: ID!) { node(id: $id) { ... on JobOpening { provider { id } title { en } } } }`, map[string]any{"id": got.Opening})
	if len(r.Errors) > 0 || json.Unmarshal(r.Data, &posted) != nil {
		t.Fatalf("the opening posted: %+v", r.Errors)
	}
	if posted.Node.Provider.ID != relay.ID(relay.TypeOrganization, company) || posted.Node.Title.En != "CNC machinist" {
		t.Errorf("the opening posted is %+v, want the company's CNC machinist", posted.Node)
	}
	if got.Event.SubjectID != got.Opening || got.Event.Kind != "RESOURCE_SHARED" {
		t.Errorf("event %+v, want RESOURCE_SHARED of %s", got.Event, got.Opening)
	}
	if _, err := time.Parse(time.RFC3339Nano, got.Event.OccurredAt); err != nil {
		t.Errorf("the event's occurredAt is not a DateTime: %v", err)
	}
}

// nodeTools finds node and npm, skipping the test without them only when
// ALLIANCE_CLIENT_TESTS=optional.
func nodeTools(t *testing.T) (node, npm string) {
	t.Helper()
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode == nil && errNpm == nil {
		return node, npm
	}
	if os.Getenv(clientTestsEnv) == "optional" {
		t.Skipf("no node or npm on this machine and %s=optional", clientTestsEnv)
	}
	t.Fatalf("the client recipes need Node.js 20 or later and npm (or set %s=optional to skip them): %v %v", clientTestsEnv, errNode, errNpm)
	return "", ""
}

// installNodeModules runs npm ci when clients/node_modules is missing or older than the
// lockfile (npm writes node_modules/.package-lock.json at each install).
func installNodeModules(ctx context.Context, t *testing.T, npm, clients string) {
	t.Helper()
	lock, err := os.Stat(filepath.Join(clients, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if installed, err := os.Stat(filepath.Join(clients, "node_modules", ".package-lock.json")); err == nil && !installed.ModTime().Before(lock.ModTime()) {
		return
	}
	runCommand(ctx, t, clients, nil, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
}

// checkGenqlientOutput generates the Go recipe's code again and requires what is
// committed: the recipe must build from a clean clone with go run alone.
func checkGenqlientOutput(ctx context.Context, t *testing.T, dir string) {
	t.Helper()
	files := []string{"generated.go", "operations.json"}
	before := make([][]byte, len(files))
	for i, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		before[i] = b
	}
	runCommand(ctx, t, dir, nil, "go", "tool", "genqlient")
	for i, f := range files {
		after, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before[i], after) {
			t.Errorf("clients/go/%s is out of date with operations.graphql or the schema: run 'go tool genqlient' in clients/go and commit it", f)
		}
	}
}

// writeRecipesManifest writes the one manifest of trusted documents the server loads:
// GraphQL Codegen's and relay-compiler's (id to document), and genqlient's operations,
// each under the sha256 of its text, as the Go recipe sends them.
func writeRecipesManifest(t *testing.T, clients, path string) {
	t.Helper()
	docs := map[string]string{}
	for _, f := range []string{"src/gql/persisted-documents.json", "relay/persisted.json"} {
		raw, err := os.ReadFile(filepath.Join(clients, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &docs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(clients, "go", "operations.json"))
	if err != nil {
		t.Fatal(err)
	}
	var genqlient struct{ Operations []struct{ Query string } }
	if err := json.Unmarshal(raw, &genqlient); err != nil {
		t.Fatalf("clients/go/operations.json: %v", err)
	}
	for _, op := range genqlient.Operations {
		sum := sha256.Sum256([]byte(op.Query))
		docs[hex.EncodeToString(sum[:])] = op.Query
	}
	if len(docs) != 9 {
		t.Fatalf("the manifests list %d documents, want 9 (three operations, three generators)", len(docs))
	}
	out, err := json.Marshal(docs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// runCommand runs a command in dir with env added, failing the test with its output if it fails;
// it returns its standard output.
func runCommand(ctx context.Context, t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s (in %s): %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), dir, err, stdout.String(), stderr.String())
	}
	t.Logf("%s %s: %v", filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return stdout.String()
}

// TestClientsDocQuotesTheTestedRecipes keeps docs/clients.md from drifting from the code
// the test above runs: every code block of the guide but shell commands must appear, as
// it stands, in a file of clients/.
func TestClientsDocQuotesTheTestedRecipes(t *testing.T) {
	doc, err := os.ReadFile("../../docs/clients.md")
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	err = filepath.WalkDir("../../clients", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && slices.Contains([]string{"node_modules", "build", "gql", "__generated__", "relay"}, d.Name()) {
			return filepath.SkipDir
		}
		if !d.IsDir() && !strings.HasSuffix(path, "package-lock.json") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sources = append(sources, string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	blocks := docCodeBlocks(string(doc))
	if len(blocks) < 6 {
		t.Fatalf("docs/clients.md has %d code blocks to check, want one per client at least", len(blocks))
	}
	for _, b := range blocks {
		if !slices.ContainsFunc(sources, func(s string) bool { return strings.Contains(s, b.code) }) {
			t.Errorf("docs/clients.md line %d: this %s block is in no file of clients/ (quote the tested code as it stands):\n%s", b.line, b.lang, b.code)
		}
	}
}

type docCodeBlock struct {
	lang, code string
	line       int
}

var docFence = regexp.MustCompile("^```([a-z]*)$")

// docCodeBlocks are the fenced blocks of a Markdown text, shell sessions aside.
func docCodeBlocks(md string) []docCodeBlock {
	var blocks []docCodeBlock
	var cur *docCodeBlock
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(md))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		m := docFence.FindStringSubmatch(line)
		switch {
		case cur == nil && m != nil:
			cur, lines = &docCodeBlock{lang: m[1], line: n}, nil
		case cur != nil && line == "```":
			if cur.lang != "sh" {
				cur.code = strings.Join(lines, "\n") + "\n"
				blocks = append(blocks, *cur)
			}
			cur = nil
		case cur != nil:
			lines = append(lines, line)
		}
	}
	return blocks
}
