package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// example is how to run one example operation of the documentation: as whom, and with
// which variables, looked up in the demo the way a reader would find them.
type example struct {
	as   func(t *testing.T) auth.Viewer // nil: the document's default
	vars func(t *testing.T, ts *testServer) map[string]any
}

func as(v auth.Viewer) func(*testing.T) auth.Viewer { return func(*testing.T) auth.Viewer { return v } }

// orgNamed is the global ID of the organization with the given English name.
func orgNamed(t *testing.T, name string) string {
	t.Helper()
	return relay.ID(relay.TypeOrganization, int64(sqlInt(t, "SELECT id FROM organization WHERE name_en = $1", name)))
}

// openGap is an open opening shared with everyone, and a job seeker who lacks one of its
// skills that a course not yet started, with free seats, teaches above the level held.
const openGap = `SELECT o.id AS opening, t.id AS talent FROM resource o
	JOIN resource_skill need ON need.resource_id = o.id
	JOIN talent t ON t.status = 'JOB_SEEKING' AND t.alliance_id = o.alliance_id
	JOIN talent_skill held ON held.talent_id = t.id
	JOIN resource c ON c.category = 'TRAINING_COURSE' AND c.shared_with_all AND c.starts_on > $1 AND c.seats > c.enrolled
	JOIN resource_skill teach ON teach.resource_id = c.id AND teach.skill_id = need.skill_id
	WHERE o.opening_status = 'OPEN' AND o.shared_with_all
		AND EXISTS (SELECT 1 FROM resource_skill r2 JOIN talent_skill h2 ON h2.skill_id = r2.skill_id AND h2.talent_id = t.id WHERE r2.resource_id = o.id)
		AND NOT EXISTS (SELECT 1 FROM talent_skill h WHERE h.talent_id = t.id AND h.skill_id = need.skill_id
			AND (h.level >= teach.level OR h.level >= need.level))
	ORDER BY o.id, t.id LIMIT 1`

// mostCertified is the course whose trainees were issued most certificates.
const mostCertified = `SELECT e.course_id FROM certificate c JOIN enrollment e ON e.id = c.enrollment_id GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`

// examples says how to run the documented operations that take variables or need a
// role; the others run anonymously (README.md) or as an analyst (docs/analysts.md).
var examples = map[string]example{
	"Invited": {as: as(admin), vars: func(*testing.T, *testServer) map[string]any { return nil }},
	"ToAnswer": {as: func(t *testing.T) auth.Viewer { return memberOf(invitedMost(t)) }, vars: func(t *testing.T, ts *testServer) map[string]any {
		return map[string]any{"me": relay.ID(relay.TypeOrganization, invitedMost(t))}
	}},
	"Partners": {as: as(analyst), vars: func(t *testing.T, ts *testServer) map[string]any {
		return map[string]any{"org": orgNamed(t, "SIASUN Robot & Automation Co., Ltd.")}
	}},
	"Path": {as: as(analyst), vars: func(t *testing.T, ts *testServer) map[string]any {
		return map[string]any{"school": orgNamed(t, "Shenyang Technician College"), "company": orgNamed(t, "Shenyang Aircraft Corporation")}
	}},
	"Neighbourhood": {as: as(analyst), vars: func(t *testing.T, ts *testServer) map[string]any {
		return map[string]any{"org": orgNamed(t, "Shenyang Human Resources and Social Security Bureau")}
	}},
	"Candidates": {as: as(analyst), vars: func(t *testing.T, ts *testServer) map[string]any {
		var o int64
		// An open robot technician's opening that job seekers or trainees can apply for.
		if err := testDB.DB.Get(&o, `SELECT r.id FROM resource r WHERE r.opening_status = 'OPEN' AND r.shared_with_all
			AND r.title_en LIKE '%Robot%' AND EXISTS (SELECT 1 FROM resource_skill rs JOIN talent_skill ts ON ts.skill_id = rs.skill_id
				JOIN talent t ON t.id = ts.talent_id WHERE rs.resource_id = r.id AND t.status IN ('JOB_SEEKING', 'TRAINEE'))
			ORDER BY r.positions - r.filled DESC, r.id LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"opening": relay.ID(relay.TypeResource, o)}
	}},
	"Openings": {as: as(admin), vars: func(t *testing.T, ts *testServer) map[string]any {
		// The first job seeker recommended openings that it does not fully fit.
		var out struct {
			Talents struct {
				Edges []struct {
					Node struct {
						ID                  string
						RecommendedOpenings struct {
							Edges []struct{ MissingSkills []struct{ Level *int } }
						}
					}
				}
			}
		}
		r := ts.queryAs(t, admin, `{ talents(first: 30, filter: {statuses: [JOB_SEEKING]}) { edges { node { id
			recommendedOpenings(first: 10, minScore: 0.5) { edges { missingSkills { level } } } } } } }`, nil)
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		if err := json.Unmarshal(r.Data, &out); err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Talents.Edges {
			for _, o := range e.Node.RecommendedOpenings.Edges {
				if len(o.MissingSkills) > 0 {
					return map[string]any{"talent": e.Node.ID}
				}
			}
		}
		t.Fatal("no job seeker is recommended an opening with skills to learn")
		return nil
	}},
	"Timetable": {as: func(t *testing.T) auth.Viewer {
		return memberOf(int64(sqlInt(t, `SELECT organization_id FROM facility_booking ORDER BY id LIMIT 1`)))
	},
		vars: func(t *testing.T, ts *testServer) map[string]any {
			// The week from the demo's day, in the facility its courses booked most.
			from, to := demoDay.Add(24*time.Hour), demoDay.Add(8*24*time.Hour)
			f := sqlInt(t, `SELECT facility_id FROM facility_booking WHERE period && tstzrange($1, $2) GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`, from, to)
			return map[string]any{"facility": relay.ID(relay.TypeResource, int64(f)), "from": from.Format(time.RFC3339), "to": to.Format(time.RFC3339)}
		}},
	"WeekAhead": {vars: func(t *testing.T, ts *testServer) map[string]any {
		return map[string]any{"from": demoDay.Format(time.RFC3339), "to": demoDay.Add(7 * 24 * time.Hour).Format(time.RFC3339)}
	}},
	"Lent": {as: func(t *testing.T) auth.Viewer { return memberOf(lendsMost(t)) }, vars: func(t *testing.T, ts *testServer) map[string]any {
		return map[string]any{"org": relay.ID(relay.TypeOrganization, lendsMost(t))}
	}},
	// Enrolment to certificate: the demo's course with a waitlist, and the ended course
	// that issued most certificates, each read by its provider.
	"TraineeList": {as: func(t *testing.T) auth.Viewer {
		return memberOf(int64(sqlInt(t, `SELECT r.provider_id FROM enrollment e JOIN resource r ON r.id = e.course_id WHERE e.state = 'WAITLISTED' ORDER BY e.id LIMIT 1`)))
	}, vars: func(t *testing.T, ts *testServer) map[string]any {
		return map[string]any{"course": relay.ID(relay.TypeResource, int64(sqlInt(t, `SELECT course_id FROM enrollment WHERE state = 'WAITLISTED' ORDER BY id LIMIT 1`)))}
	}},
	"Certified": {as: func(t *testing.T) auth.Viewer {
		return memberOf(int64(sqlInt(t, `SELECT provider_id FROM resource WHERE id = (`+mostCertified+`)`)))
	}, vars: func(t *testing.T, ts *testServer) map[string]any {
		return map[string]any{"course": relay.ID(relay.TypeResource, int64(sqlInt(t, mostCertified)))}
	}},
	"CloseTheGap": {as: as(admin), vars: func(t *testing.T, ts *testServer) map[string]any {
		var p struct{ Opening, Talent int64 }
		if err := testDB.DB.Get(&p, openGap, demoDay); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"opening": relay.ID(relay.TypeResource, p.Opening), "talent": relay.ID(relay.TypeTalent, p.Talent)}
	}},
}

// lendsMost is the company whose teachers are seconded or asked for most.
func lendsMost(t *testing.T) int64 {
	t.Helper()
	return int64(sqlInt(t, `SELECT provider_id FROM secondment WHERE state IN ('ACCEPTED', 'REQUESTED')
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`))
}

// invitedMost is the organization with the most invitations pending.
func invitedMost(t *testing.T) int64 {
	t.Helper()
	return int64(sqlInt(t, `SELECT organization_id FROM partnership_invitation WHERE status = 'PENDING'
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`))
}

// documents are the files whose examples must answer, with the role their examples run
// as by default.
var documents = []struct {
	path string
	as   auth.Viewer
}{
	{"README.md", auth.Viewer{}},
	{"docs/analysts.md", analyst},
}

var (
	graphqlBlock = regexp.MustCompile("(?s)```graphql\n(.*?)```")
	// an inline query in the prose, such as `{ events(last: 20) { ... } }`
	inlineQuery = regexp.MustCompile("`((?:query \\w+ )?\\{ [^`]*\\})`")
)

// Every example operation of the README and the guides runs against the demo as a reader
// would run it, and answers something: no error, no empty list, no zero count, no
// missing node. Mutations and subscriptions are checked against the schema only: running
// them would change the demo or wait for changes.
func TestEveryDocumentedExampleAnswersOnTheDemo(t *testing.T) {
	ts := newServer(t)
	schemaText, err := os.ReadFile(filepath.Join("..", "..", "schema.graphqls"))
	if err != nil {
		t.Fatal(err)
	}
	schema := gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(schemaText)})
	used := map[string]bool{}
	for _, d := range documents {
		text, err := os.ReadFile(filepath.Join("..", "..", d.path))
		if err != nil {
			t.Fatal(err)
		}
		blocks := graphqlBlock.FindAllStringSubmatch(string(text), -1)
		for _, m := range inlineQuery.FindAllStringSubmatch(graphqlBlock.ReplaceAllString(string(text), ""), -1) {
			blocks = append(blocks, []string{m[0], strings.Join(strings.Fields(m[1]), " ")})
		}
		for i, m := range blocks {
			doc, perr := parser.ParseQuery(&ast.Source{Input: m[1]})
			if perr != nil {
				t.Errorf("%s, example %d does not parse: %v", d.path, i+1, perr)
				continue
			}
			if errs := validator.Validate(schema, doc); len(errs) > 0 {
				t.Errorf("%s, example %d is not valid against the schema: %v", d.path, i+1, errs)
				continue
			}
			for j, op := range doc.Operations {
				name := op.Name
				if name == "" {
					name = fmt.Sprintf("example %d.%d", i+1, j+1)
				}
				if op.Operation != ast.Query {
					continue
				}
				t.Run(d.path+"/"+name, func(t *testing.T) {
					one := &ast.QueryDocument{Operations: ast.OperationList{op}, Fragments: doc.Fragments}
					var buf bytes.Buffer
					formatter.NewFormatter(&buf).FormatQueryDocument(one)
					as, vars := d.as, map[string]any(nil)
					if ex, ok := examples[op.Name]; ok {
						used[op.Name] = true
						if ex.as != nil {
							as = ex.as(t)
						}
						vars = ex.vars(t, ts)
					} else {
						for _, v := range op.VariableDefinitions {
							if v.Type.NonNull && v.DefaultValue == nil {
								t.Fatalf("$%s is required: say in examples how a reader finds it", v.Variable)
							}
						}
					}
					r := ts.queryAs(t, as, buf.String(), vars)
					if len(r.Errors) > 0 {
						t.Fatalf("errors: %+v\nvariables: %v", r.Errors, vars)
					}
					var data any
					if err := json.Unmarshal(r.Data, &data); err != nil {
						t.Fatal(err)
					}
					filled := map[string]bool{}
					said(data, "", filled)
					for p, ok := range filled {
						if !ok {
							t.Errorf("%s is empty wherever it appears\nvariables: %v\nanswer: %.2000s", p, vars, r.Data)
						}
					}
				})
			}
		}
	}
	for name := range examples {
		if !used[name] {
			t.Errorf("examples has %q, which no document shows any more", name)
		}
	}
}

// said records, for every part of an answer (list items merged: "edges[].node"),
// whether it says something anywhere: a non-empty list, a count above zero, a node.
// A school without partnerships is a fine answer; a directory where no school has any
// is not.
func said(v any, path string, filled map[string]bool) {
	note := func(ok bool) { filled[path] = filled[path] || ok }
	switch v := v.(type) {
	case nil:
		note(false)
	case []any:
		note(len(v) > 0)
		for _, x := range v {
			said(x, path+"[]", filled)
		}
	case map[string]any:
		if path == "" {
			note(len(v) > 0)
		}
		for k, x := range v {
			p := strings.TrimPrefix(path+"."+k, ".")
			switch {
			case k == "totalCount":
				filled[p] = filled[p] || x != float64(0)
			case x == nil && (k == "node" || k == "course"):
				filled[p] = filled[p] || false
			case x != nil:
				said(x, p, filled)
			}
		}
	}
}
