package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// The demo's exact figures (45 schools, 86 companies) are checked on a fresh database by
// cmd/alliance's end-to-end test and by internal/demo; here other tests of the package
// write to the shared database, so the figures come from SQL.
func TestDirectoryCountsByKind(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		kind string
		want int
	}{
		{"SCHOOL", sqlInt(t, "SELECT count(*) FROM organization WHERE kind = 'SCHOOL'")},
		{"COMPANY", sqlInt(t, "SELECT count(*) FROM organization WHERE kind = 'COMPANY'")},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			var got struct {
				Organizations struct{ TotalCount int }
			}
			ts.data(t, `query($k: [OrganizationKind!]) { organizations(filter: {kinds: $k}) { totalCount } }`,
				map[string]any{"k": []string{tt.kind}}, &got)
			if got.Organizations.TotalCount != tt.want {
				t.Errorf("organizations(kinds: [%s]).totalCount = %d, want %d", tt.kind, got.Organizations.TotalCount, tt.want)
			}
		})
	}
	var a struct {
		Alliance struct {
			FoundedOn string
			Name      struct{ En, Zh string }
		}
	}
	ts.data(t, `{ alliance(slug: "shenyang-high-skill") { foundedOn name { en zh } } }`, nil, &a)
	if a.Alliance.FoundedOn != "2024-08-17" || a.Alliance.Name.Zh == "" {
		t.Errorf("alliance = %+v, want founded 2024-08-17 with a Chinese name", a.Alliance)
	}
}

type pageResult struct {
	Edges []struct {
		Cursor string
		Node   struct {
			ID   string
			Name struct{ En string }
		}
	}
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
}

// walk pages through organizations in the given order, forwards or backwards, and
// returns the ids in display order.
func walk(t *testing.T, ts *testServer, orderBy map[string]any, filter map[string]any, size int, backward bool) []string {
	t.Helper()
	q := `query($first: Int, $after: String, $last: Int, $before: String, $o: OrganizationOrder, $f: OrganizationFilter) {
		organizations(first: $first, after: $after, last: $last, before: $before, orderBy: $o, filter: $f) {
			edges { cursor node { id name { en } } }
			pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		}
	}`
	var ids []string
	var cursor *string
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatal("pagination does not end")
		}
		vars := map[string]any{"o": orderBy, "f": filter}
		if backward {
			vars["last"], vars["before"] = size, cursor
		} else {
			vars["first"], vars["after"] = size, cursor
		}
		var got struct{ Organizations pageResult }
		ts.data(t, q, vars, &got)
		page := got.Organizations
		var pageIDs []string
		for _, e := range page.Edges {
			pageIDs = append(pageIDs, e.Node.ID)
		}
		if len(page.Edges) > size {
			t.Fatalf("page has %d edges, asked for %d", len(page.Edges), size)
		}
		if len(page.Edges) > 0 && (*page.PageInfo.StartCursor != page.Edges[0].Cursor || *page.PageInfo.EndCursor != page.Edges[len(page.Edges)-1].Cursor) {
			t.Fatalf("pageInfo cursors %v/%v do not match the edges", *page.PageInfo.StartCursor, *page.PageInfo.EndCursor)
		}
		if backward {
			ids = append(pageIDs, ids...)
			if !page.PageInfo.HasPreviousPage {
				return ids
			}
			cursor = page.PageInfo.StartCursor
		} else {
			ids = append(ids, pageIDs...)
			if !page.PageInfo.HasNextPage {
				return ids
			}
			cursor = page.PageInfo.EndCursor
		}
	}
}

func TestPaginationVisitsEveryRowOnceInOrderBothWays(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		name    string
		orderBy map[string]any
		filter  map[string]any
		sql     string
	}{
		{"name ascending", nil, nil, "SELECT id FROM organization ORDER BY name_en COLLATE name_order, id"},
		{"name descending", map[string]any{"field": "NAME", "direction": "DESC"}, nil, "SELECT id FROM organization ORDER BY name_en COLLATE name_order DESC, id DESC"},
		{"Chinese name", map[string]any{"field": "NAME_ZH"}, nil, "SELECT id FROM organization ORDER BY name_zh COLLATE pinyin, id"},
		{"founded year with unknowns", map[string]any{"field": "FOUNDED_YEAR", "direction": "DESC"}, nil, "SELECT id FROM organization ORDER BY COALESCE(founded_year, 0) DESC, id DESC"},
		{"schools only", map[string]any{"field": "CREATED_AT"}, map[string]any{"kinds": []string{"SCHOOL"}}, "SELECT id FROM organization WHERE kind = 'SCHOOL' ORDER BY created_at, id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var keys []int64
			if err := testDB.DB.Select(&keys, tt.sql); err != nil {
				t.Fatal(err)
			}
			want := make([]string, len(keys))
			for i, k := range keys {
				want[i] = relay.ID(relay.TypeOrganization, k)
			}
			for _, backward := range []bool{false, true} {
				got := walk(t, ts, tt.orderBy, tt.filter, 17, backward)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("backward=%v: ids mismatch (-want +got):\n%s", backward, diff)
				}
			}
		})
	}
}

func TestPartnershipsSortUnsignedProposalsLast(t *testing.T) {
	ts := newServer(t)
	var got struct {
		Partnerships struct {
			Edges []struct {
				Node struct {
					Status   string
					SignedOn *string
				}
			}
		}
	}
	ts.data(t, `{ partnerships(last: 100) { edges { node { status signedOn } } } }`, nil, &got)
	edges := got.Partnerships.Edges
	seenProposed := false
	for i, e := range edges {
		if e.Node.SignedOn == nil {
			seenProposed = true
		} else if seenProposed {
			t.Fatalf("edge %d is signed (%s) after an unsigned proposal", i, *e.Node.SignedOn)
		}
		if i > 0 && e.Node.SignedOn != nil && edges[i-1].Node.SignedOn != nil && *e.Node.SignedOn < *edges[i-1].Node.SignedOn {
			t.Fatalf("edge %d signed %s before edge %d (%s)", i, *e.Node.SignedOn, i-1, *edges[i-1].Node.SignedOn)
		}
	}
	if sqlInt(t, "SELECT count(*) FROM partnership WHERE signed_on IS NULL") > 0 && !seenProposed {
		t.Error("the last page holds no unsigned proposal, though some exist")
	}
}

// firstKey returns the global ID of the first row a query returns.
func firstKey(t *testing.T, typ relay.Type, q string) string {
	t.Helper()
	return firstKeyIn(t, testDB, typ, q)
}

// firstKeyIn returns the global ID of the first row a query returns in db.
func firstKeyIn(t *testing.T, db *pgtest.Database, typ relay.Type, q string) string {
	t.Helper()
	var k int64
	if err := db.DB.Get(&k, q); err != nil {
		t.Fatalf("oracle %q: %v", q, err)
	}
	return relay.ID(typ, k)
}

func TestFiltersSelectWhatSQLSelects(t *testing.T) {
	// A course's free seats and state depend on the day: the server's is ruleDay.
	ts := startConfiguredServer(t, testDB, onRuleDay)
	park := firstKey(t, relay.TypeOrganization, "SELECT park_id FROM organization WHERE park_id IS NOT NULL GROUP BY park_id ORDER BY count(*) DESC, park_id LIMIT 1")
	alliance := firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance ORDER BY id LIMIT 1")
	skill := firstKey(t, relay.TypeSkill, "SELECT skill_id FROM resource_skill GROUP BY skill_id ORDER BY count(*) DESC, skill_id LIMIT 1")
	provider := firstKey(t, relay.TypeOrganization, "SELECT provider_id FROM resource GROUP BY provider_id ORDER BY count(*) DESC, provider_id LIMIT 1")
	participant := firstKey(t, relay.TypeOrganization, "SELECT organization_id FROM partnership_participant GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
	school := firstKey(t, relay.TypeOrganization, "SELECT school_id FROM talent WHERE school_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
	_, parkKey, _ := relay.ParseID(park)
	_, skillKey, _ := relay.ParseID(skill)
	_, providerKey, _ := relay.ParseID(provider)
	_, participantKey, _ := relay.ParseID(participant)
	_, schoolKey, _ := relay.ParseID(school)
	operator := firstKey(t, relay.TypeOrganization, "SELECT operator_id FROM training_center ORDER BY id LIMIT 1")
	employer := firstKey(t, relay.TypeOrganization, "SELECT employer_id FROM talent WHERE employer_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
	parentSkill := firstKey(t, relay.TypeSkill, "SELECT parent_id FROM skill WHERE parent_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
	_, operatorKey, _ := relay.ParseID(operator)
	_, employerKey, _ := relay.ParseID(employer)
	_, parentSkillKey, _ := relay.ParseID(parentSkill)
	var zhWord string
	if err := testDB.DB.Get(&zhWord, "SELECT substr(name_zh, 1, 2) FROM organization WHERE kind = 'SCHOOL' ORDER BY id LIMIT 1"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		field  string // root connection
		filter map[string]any
		sql    string
		args   []any
	}{
		{"organizations by school level", "organizations", map[string]any{"schoolLevels": []string{"TECHNICIAN_COLLEGE"}}, "SELECT count(*) FROM organization WHERE school_level = 'TECHNICIAN_COLLEGE'", nil},
		{"organizations by industry", "organizations", map[string]any{"industries": []string{"AUTOMOTIVE", "ROBOTICS"}}, "SELECT count(*) FROM organization WHERE industry IN ('AUTOMOTIVE', 'ROBOTICS')", nil},
		{"organizations by park", "organizations", map[string]any{"parks": []string{park}}, "SELECT count(*) FROM organization WHERE park_id = $1", []any{parkKey}},
		{"organizations by alliance", "organizations", map[string]any{"alliances": []string{alliance}}, "SELECT count(DISTINCT organization_id) FROM membership WHERE left_on IS NULL", nil},
		{"organizations foreign-invested", "organizations", map[string]any{"foreignInvested": true}, "SELECT count(*) FROM organization WHERE foreign_invested", nil},
		{"organizations by district", "organizations", map[string]any{"districts": []string{"Hunnan"}}, "SELECT count(*) FROM organization WHERE district = 'Hunnan'", nil},
		{"organizations by English text", "organizations", map[string]any{"search": "college"}, "SELECT count(*) FROM organization WHERE name_en ILIKE '%college%' OR name_zh ILIKE '%college%'", nil},
		{"organizations by Chinese text", "organizations", map[string]any{"search": zhWord}, "SELECT count(*) FROM organization WHERE name_en ILIKE $1 OR name_zh ILIKE $1", []any{"%" + zhWord + "%"}},
		{"organizations, LIKE wildcards are literal", "organizations", map[string]any{"search": "%_"}, "SELECT count(*) FROM organization WHERE strpos(name_en, '%_') > 0 OR strpos(name_zh, '%_') > 0", nil},
		{"partnerships by kind", "partnerships", map[string]any{"kinds": []string{"ORDER_CLASS"}}, "SELECT count(*) FROM partnership WHERE kind = 'ORDER_CLASS'", nil},
		{"partnerships by status", "partnerships", map[string]any{"statuses": []string{"ACTIVE", "COMPLETED"}}, "SELECT count(*) FROM partnership WHERE status IN ('ACTIVE', 'COMPLETED')", nil},
		{"partnerships signed on kick-off day", "partnerships", map[string]any{"signed": map[string]any{"from": "2024-08-17", "to": "2024-08-17"}}, "SELECT count(*) FROM partnership WHERE signed_on = '2024-08-17'", nil},
		{"partnerships signed since 2025", "partnerships", map[string]any{"signed": map[string]any{"from": "2025-01-01"}}, "SELECT count(*) FROM partnership WHERE signed_on >= '2025-01-01'", nil},
		{"partnerships by participant", "partnerships", map[string]any{"participants": []string{participant}}, "SELECT count(*) FROM partnership_participant WHERE organization_id = $1", []any{participantKey}},
		{"partnerships by alliance", "partnerships", map[string]any{"alliances": []string{alliance}}, "SELECT count(*) FROM partnership", nil},
		{"resources by category", "resources", map[string]any{"categories": []string{"TEACHER"}}, "SELECT count(*) FROM resource WHERE category = 'TEACHER'", nil},
		{"resources by provider", "resources", map[string]any{"providers": []string{provider}}, "SELECT count(*) FROM resource WHERE provider_id = $1", []any{providerKey}},
		{"resources by skill", "resources", map[string]any{"skills": []string{skill}}, "SELECT count(*) FROM resource r WHERE r.skill_id = $1 OR EXISTS (SELECT 1 FROM resource_skill s WHERE s.resource_id = r.id AND s.skill_id = $1)", []any{skillKey}},
		{"resources shared in 2025", "resources", map[string]any{"shared": map[string]any{"from": "2025-01-01", "to": "2025-12-31"}}, "SELECT count(*) FROM resource WHERE shared_on BETWEEN '2025-01-01' AND '2025-12-31'", nil},
		{"resources shared with named members", "resources", map[string]any{"sharedWithAll": false}, "SELECT count(*) FROM resource WHERE NOT shared_with_all", nil},
		{"job openings open", "jobOpenings", map[string]any{"statuses": []string{"OPEN"}}, "SELECT count(*) FROM resource WHERE opening_status = 'OPEN'", nil},
		{"job openings by employment type", "jobOpenings", map[string]any{"employmentTypes": []string{"APPRENTICESHIP"}}, "SELECT count(*) FROM resource WHERE employment_type = 'APPRENTICESHIP'", nil},
		{"job openings in a park", "jobOpenings", map[string]any{"parks": []string{park}}, "SELECT count(*) FROM resource r JOIN organization c ON c.id = r.provider_id WHERE r.category = 'JOB_OPENING' AND c.park_id = $1", []any{parkKey}},
		{"job openings by industry", "jobOpenings", map[string]any{"industries": []string{"AUTOMOTIVE"}}, "SELECT count(*) FROM resource r JOIN organization c ON c.id = r.provider_id WHERE r.category = 'JOB_OPENING' AND c.industry = 'AUTOMOTIVE'", nil},
		{"job openings by minimum salary", "jobOpenings", map[string]any{"minSalary": 8000}, "SELECT count(*) FROM resource WHERE category = 'JOB_OPENING' AND salary_max >= 8000", nil},
		{"job openings by skill", "jobOpenings", map[string]any{"skills": []string{skill}}, "SELECT count(*) FROM resource r JOIN resource_skill s ON s.resource_id = r.id WHERE r.category = 'JOB_OPENING' AND s.skill_id = $1", []any{skillKey}},
		{"courses with free seats", "trainingCourses", map[string]any{"hasFreeSeats": true}, "SELECT count(*) FROM resource WHERE category = 'TRAINING_COURSE' AND enrolled < seats AND (starts_on IS NULL OR starts_on > $1::date) AND (ends_on IS NULL OR ends_on >= $1::date)", []any{ruleDay}},
		{"courses running", "trainingCourses", map[string]any{"states": []string{"RUNNING"}}, "SELECT count(*) FROM resource WHERE category = 'TRAINING_COURSE' AND starts_on <= $1::date AND (ends_on IS NULL OR ends_on >= $1::date)", []any{ruleDay}},
		{"courses not yet started", "trainingCourses", map[string]any{"states": []string{"UPCOMING", "ENROLLING"}}, "SELECT count(*) FROM resource WHERE category = 'TRAINING_COURSE' AND (starts_on IS NULL OR starts_on > $1::date) AND (ends_on IS NULL OR ends_on >= $1::date)", []any{ruleDay}},
		{"courses ended", "trainingCourses", map[string]any{"states": []string{"ENDED"}}, "SELECT count(*) FROM resource WHERE category = 'TRAINING_COURSE' AND ends_on < $1::date", []any{ruleDay}},
		{"courses starting in 2026", "trainingCourses", map[string]any{"starts": map[string]any{"from": "2026-01-01", "to": "2026-12-31"}}, "SELECT count(*) FROM resource WHERE category = 'TRAINING_COURSE' AND starts_on BETWEEN '2026-01-01' AND '2026-12-31'", nil},
		{"skills by category", "skills", map[string]any{"categories": []string{"AUTOMATION"}}, "SELECT count(*) FROM skill WHERE category = 'AUTOMATION'", nil},
		{"top-level skills", "skills", map[string]any{"topLevel": true}, "SELECT count(*) FROM skill WHERE parent_id IS NULL", nil},
		{"skills by text", "skills", map[string]any{"search": "weld"}, "SELECT count(*) FROM skill WHERE code ILIKE '%weld%' OR name_en ILIKE '%weld%' OR name_zh ILIKE '%weld%'", nil},
		{"talents by status", "talents", map[string]any{"statuses": []string{"JOB_SEEKING"}}, "SELECT count(*) FROM talent WHERE status = 'JOB_SEEKING'", nil},
		{"talents by school", "talents", map[string]any{"schools": []string{school}}, "SELECT count(*) FROM talent WHERE school_id = $1", []any{schoolKey}},
		{"talents by skill level", "talents", map[string]any{"skills": []string{skill}, "minSkillLevel": 4}, "SELECT count(*) FROM talent_skill WHERE skill_id = $1 AND level >= 4", []any{skillKey}},
		{"talents registered in 2025", "talents", map[string]any{"registered": map[string]any{"from": "2025-01-01", "to": "2025-12-31"}}, "SELECT count(*) FROM talent WHERE registered_on BETWEEN '2025-01-01' AND '2025-12-31'", nil},
		{"training centres by text", "trainingCenters", map[string]any{"search": "center"}, "SELECT count(*) FROM training_center WHERE name_en ILIKE '%center%' OR name_zh ILIKE '%center%'", nil},
		{"training centres by operator", "trainingCenters", map[string]any{"operators": []string{operator}}, "SELECT count(*) FROM training_center WHERE operator_id = $1", []any{operatorKey}},
		{"training centres by alliance", "trainingCenters", map[string]any{"alliances": []string{alliance}}, "SELECT count(*) FROM training_center", nil},
		{"resources by alliance and text", "resources", map[string]any{"alliances": []string{alliance}, "search": "CNC"}, "SELECT count(*) FROM resource WHERE title_en ILIKE '%CNC%' OR title_zh ILIKE '%CNC%'", nil},
		{"job openings by provider", "jobOpenings", map[string]any{"providers": []string{employer}}, "SELECT count(*) FROM resource WHERE category = 'JOB_OPENING' AND provider_id = $1", []any{employerKey}},
		{"job openings posted in 2026 by text", "jobOpenings", map[string]any{"posted": map[string]any{"from": "2026-01-01"}, "search": "engineer", "alliances": []string{alliance}}, "SELECT count(*) FROM resource WHERE category = 'JOB_OPENING' AND shared_on >= '2026-01-01' AND (title_en ILIKE '%engineer%' OR title_zh ILIKE '%engineer%')", nil},
		{"courses by provider", "trainingCourses", map[string]any{"providers": []string{provider}}, "SELECT count(*) FROM resource WHERE category = 'TRAINING_COURSE' AND provider_id = $1", []any{providerKey}},
		{"courses by skill and text", "trainingCourses", map[string]any{"skills": []string{skill}, "search": "course", "alliances": []string{alliance}}, "SELECT count(*) FROM resource r WHERE category = 'TRAINING_COURSE' AND EXISTS (SELECT 1 FROM resource_skill s WHERE s.resource_id = r.id AND s.skill_id = $1) AND (title_en ILIKE '%course%' OR title_zh ILIKE '%course%')", []any{skillKey}},
		{"full or started courses", "trainingCourses", map[string]any{"hasFreeSeats": false}, "SELECT count(*) FROM resource WHERE category = 'TRAINING_COURSE' AND (enrolled >= seats OR starts_on <= $1::date OR ends_on < $1::date)", []any{ruleDay}},
		{"children of a skill", "skills", map[string]any{"parent": parentSkill}, "SELECT count(*) FROM skill WHERE parent_id = $1", []any{parentSkillKey}},
		{"refined skills", "skills", map[string]any{"topLevel": false}, "SELECT count(*) FROM skill WHERE parent_id IS NOT NULL", nil},
		{"talents by employer and alliance", "talents", map[string]any{"employers": []string{employer}, "alliances": []string{alliance}}, "SELECT count(*) FROM talent WHERE employer_id = $1", []any{employerKey}},
		{"an empty ID list matches nothing", "organizations", map[string]any{"parks": []string{}}, "SELECT 0", nil},
	}
	filterTypes := map[string]string{
		"organizations": "OrganizationFilter", "partnerships": "PartnershipFilter", "resources": "ResourceFilter",
		"jobOpenings": "JobOpeningFilter", "trainingCourses": "TrainingCourseFilter", "skills": "SkillFilter",
		"talents": "TalentFilter", "trainingCenters": "TrainingCenterFilter",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := sqlInt(t, tt.sql, tt.args...)
			q := fmt.Sprintf(`query($f: %s) { c: %s(filter: $f, first: 100) { totalCount edges { node { id } } } }`, filterTypes[tt.field], tt.field)
			var got struct {
				C struct {
					TotalCount int
					Edges      []struct{ Node struct{ ID string } }
				}
			}
			r := ts.queryAs(t, admin, q, map[string]any{"f": tt.filter})
			if len(r.Errors) > 0 {
				t.Fatalf("query failed: %+v", r.Errors)
			}
			if err := json.Unmarshal(r.Data, &got); err != nil {
				t.Fatal(err)
			}
			if got.C.TotalCount != want {
				t.Errorf("totalCount = %d, want %d", got.C.TotalCount, want)
			}
			if wantEdges := min(want, 100); len(got.C.Edges) != wantEdges {
				t.Errorf("got %d edges, want %d", len(got.C.Edges), wantEdges)
			}
		})
	}
}

func TestNodeFindsEveryType(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		typename string
		id       string
	}{
		{"Alliance", firstKey(t, relay.TypeAlliance, "SELECT id FROM alliance LIMIT 1")},
		{"School", firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'SCHOOL' LIMIT 1")},
		{"Company", firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'COMPANY' LIMIT 1")},
		{"GovernmentAgency", firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'GOVERNMENT_AGENCY' LIMIT 1")},
		{"IndustrialPark", firstKey(t, relay.TypeOrganization, "SELECT id FROM organization WHERE kind = 'INDUSTRIAL_PARK' LIMIT 1")},
		{"Membership", firstKey(t, relay.TypeMembership, "SELECT id FROM membership LIMIT 1")},
		{"Partnership", firstKey(t, relay.TypePartnership, "SELECT id FROM partnership LIMIT 1")},
		{"TrainingCenter", firstKey(t, relay.TypeTrainingCenter, "SELECT id FROM training_center LIMIT 1")},
		{"TrainingFacility", firstKey(t, relay.TypeResource, "SELECT id FROM resource WHERE category = 'TRAINING_FACILITY' AND shared_with_all LIMIT 1")},
		{"JobOpening", firstKey(t, relay.TypeResource, "SELECT id FROM resource WHERE category = 'JOB_OPENING' AND shared_with_all LIMIT 1")},
		{"Teacher", firstKey(t, relay.TypeResource, "SELECT id FROM resource WHERE category = 'TEACHER' AND shared_with_all LIMIT 1")},
		{"TrainingCourse", firstKey(t, relay.TypeResource, "SELECT id FROM resource WHERE category = 'TRAINING_COURSE' AND shared_with_all LIMIT 1")},
		{"CompetitionResult", firstKey(t, relay.TypeResource, "SELECT id FROM resource WHERE category = 'COMPETITION_RESULT' AND shared_with_all LIMIT 1")},
		{"Skill", firstKey(t, relay.TypeSkill, "SELECT id FROM skill LIMIT 1")},
		{"Talent", firstKey(t, relay.TypeTalent, "SELECT id FROM talent LIMIT 1")},
		{"Placement", firstKey(t, relay.TypePlacement, "SELECT p.id FROM placement p JOIN resource r ON r.id = p.opening_id WHERE r.shared_with_all ORDER BY p.id LIMIT 1")},
	}
	var ids []string
	for _, tt := range tests {
		ids = append(ids, tt.id)
		t.Run(tt.typename, func(t *testing.T) {
			var got struct {
				Node struct {
					Typename string `json:"__typename"`
					ID       string
				}
			}
			ts.data(t, `query($id: ID!) { node(id: $id) { __typename id } }`, map[string]any{"id": tt.id}, &got)
			if got.Node.Typename != tt.typename || got.Node.ID != tt.id {
				t.Errorf("node(%s) = %+v, want a %s with the same id", tt.id, got.Node, tt.typename)
			}
		})
	}
	t.Run("nodes keeps order", func(t *testing.T) {
		var got struct {
			Nodes []struct {
				Typename string `json:"__typename"`
			}
		}
		ts.data(t, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }`, map[string]any{"ids": ids}, &got)
		for i, n := range got.Nodes {
			if n.Typename != tests[i].typename {
				t.Errorf("nodes[%d] is a %s, want %s", i, n.Typename, tests[i].typename)
			}
		}
	})
}

func TestRelationshipsNavigateBothWays(t *testing.T) {
	ts := newServer(t)
	park := firstKey(t, relay.TypeOrganization, "SELECT park_id FROM organization WHERE park_id IS NOT NULL LIMIT 1")
	var got struct {
		Node struct {
			ID        string
			Companies struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Park struct{ ID string }
					}
				}
			}
		}
	}
	ts.data(t, `query($id: ID!) { node(id: $id) { id ... on IndustrialPark { companies(first: 100) { totalCount edges { node { park { id } } } } } } }`,
		map[string]any{"id": park}, &got)
	if len(got.Node.Companies.Edges) == 0 || len(got.Node.Companies.Edges) != got.Node.Companies.TotalCount {
		t.Fatalf("park has %d company edges, totalCount %d", len(got.Node.Companies.Edges), got.Node.Companies.TotalCount)
	}
	for _, e := range got.Node.Companies.Edges {
		if e.Node.Park.ID != park {
			t.Errorf("company of park %s says its park is %s", park, e.Node.Park.ID)
		}
	}

	// Every participant of an organization's partnerships lists the partnership back.
	org := firstKey(t, relay.TypeOrganization, "SELECT organization_id FROM partnership_participant GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
	var p struct {
		Node struct {
			Partnerships struct {
				Edges []struct {
					Node struct {
						ID           string
						Participants []struct {
							Role         string
							Organization struct{ ID string }
						}
					}
				}
			}
		}
	}
	ts.data(t, `query($id: ID!) { node(id: $id) { ... on Organization { partnerships(first: 50) { edges { node { id participants { role organization { id } } } } } } } }`,
		map[string]any{"id": org}, &p)
	if len(p.Node.Partnerships.Edges) == 0 {
		t.Fatal("the most connected organization has no partnerships")
	}
	for _, e := range p.Node.Partnerships.Edges {
		found := slices.ContainsFunc(e.Node.Participants, func(x struct {
			Role         string
			Organization struct{ ID string }
		}) bool {
			return x.Organization.ID == org
		})
		if !found {
			t.Errorf("partnership %s is listed for %s but does not list it as participant", e.Node.ID, org)
		}
		if len(e.Node.Participants) < 2 || e.Node.Participants[0].Role != "LEAD" {
			t.Errorf("partnership %s participants %+v: want at least two, lead first", e.Node.ID, e.Node.Participants)
		}
	}

	// A skill's openings require the skill.
	skill := firstKey(t, relay.TypeSkill, "SELECT skill_id FROM resource_skill GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
	var s struct {
		Node struct {
			JobOpenings struct {
				Edges []struct {
					Node struct {
						RequiredSkills []struct{ Skill struct{ ID string } }
					}
				}
			}
			Courses  struct{ TotalCount int }
			Teachers struct{ TotalCount int }
			Talents  struct{ TotalCount int }
		}
	}
	ts.data(t, `query($id: ID!) { node(id: $id) { ... on Skill {
		jobOpenings(first: 20) { edges { node { requiredSkills { skill { id } } } } }
		courses { totalCount } teachers { totalCount } talents { totalCount } } } }`, map[string]any{"id": skill}, &s)
	for _, e := range s.Node.JobOpenings.Edges {
		if !slices.ContainsFunc(e.Node.RequiredSkills, func(r struct{ Skill struct{ ID string } }) bool { return r.Skill.ID == skill }) {
			t.Errorf("an opening listed under skill %s does not require it", skill)
		}
	}
	_, sk, _ := relay.ParseID(skill)
	if want := sqlInt(t, "SELECT count(*) FROM talent_skill WHERE skill_id = $1", sk); s.Node.Talents.TotalCount != want {
		t.Errorf("skill talents totalCount = %d, want %d", s.Node.Talents.TotalCount, want)
	}
}

func TestErrorsAreClearCodedAndPlacedAtTheirPath(t *testing.T) {
	ts := newServer(t)
	missing := relay.ID(relay.TypeOrganization, 999999999)
	otherOrder := ""
	{
		var got struct{ Organizations pageResult }
		ts.data(t, `{ organizations(first: 1) { edges { cursor node { id } } } }`, nil, &got)
		otherOrder = got.Organizations.Edges[0].Cursor
	}
	tests := []struct {
		name     string
		query    string
		vars     map[string]any
		code     string
		argument string
		path     string
		contains string
	}{
		{"unknown id", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": missing}, "NOT_FOUND", "", "node", "nothing has the ID"},
		{"malformed id", `{ node(id: "not-an-id") { id } }`, nil, "BAD_USER_INPUT", "id", "node", "not an ID issued by this API"},
		{"malformed id in nodes", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{"zzz"}}, "BAD_USER_INPUT", "ids[0]", "nodes.0", "not an ID"},
		{"page too large", `{ organizations(first: 101) { totalCount } }`, nil, "BAD_USER_INPUT", "first", "organizations", "at most 100"},
		{"negative last", `{ organizations(last: -1) { totalCount } }`, nil, "BAD_USER_INPUT", "last", "organizations", "negative"},
		{"first with last", `{ organizations(first: 1, last: 1) { totalCount } }`, nil, "BAD_USER_INPUT", "last", "organizations", "cannot be combined"},
		{"garbage cursor", `{ organizations(after: "xyz") { totalCount } }`, nil, "BAD_USER_INPUT", "after", "organizations", "not a cursor"},
		{"cursor of another order", `query($c: String) { organizations(after: $c, orderBy: {field: CREATED_AT}) { totalCount } }`, map[string]any{"c": otherOrder}, "BAD_USER_INPUT", "after", "organizations", "sorted by NAME:ASC"},
		{"nested page too large", `{ alliance { members(first: 500) { totalCount } } }`, nil, "BAD_USER_INPUT", "first", "alliance.members", "at most 100"},
		{"id of the wrong type in a filter", `query($p: ID!) { organizations(filter: {parks: [$p]}) { totalCount } }`, map[string]any{"p": relay.ID(relay.TypeSkill, 1)}, "BAD_USER_INPUT", "filter.parks[0]", "organizations", "Skill, not of a Organization"},
		{"reversed date range", `{ partnerships(filter: {signed: {from: "2025-01-01", to: "2024-01-01"}}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.signed", "partnerships", "ends"},
		{"search too long", `query($s: String) { organizations(filter: {search: $s}) { totalCount } }`, map[string]any{"s": strings.Repeat("长", 101)}, "BAD_USER_INPUT", "filter.search", "organizations", "at most 100 characters"},
		{"skill level out of range", `{ talents(filter: {minSkillLevel: 9}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.minSkillLevel", "talents", "between 1 and 5"},
		{"slug and id together", `{ alliance(id: "x", slug: "y") { id } }`, nil, "BAD_USER_INPUT", "slug", "alliance", "cannot be combined"},
		{"unknown slug", `{ alliance(slug: "nowhere") { id } }`, nil, "NOT_FOUND", "", "alliance", "no alliance has the slug"},
		{"bad date literal", `{ partnerships(filter: {signed: {from: "17/08/2024"}}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.signed.from", "", "YYYY-MM-DD"},
		{"bad date-time literal", `{ events(filter: {occurred: {from: "yesterday"}}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.occurred.from", "events.filter.occurred.from", "RFC 3339"},
		{"bad date-time variable", `query($f: DateTime) { events(filter: {occurred: {from: $f}}) { totalCount } }`, map[string]any{"f": "3 Dec"}, "BAD_USER_INPUT", "", "", "RFC 3339"},
		{"date-time of the wrong type", `query($f: DateTime) { events(filter: {occurred: {from: $f}}) { totalCount } }`, map[string]any{"f": 1764748800}, "BAD_USER_INPUT", "", "", "must be a string"},
		{"unknown field", `{ organizations { nope } }`, nil, "GRAPHQL_VALIDATION_FAILED", "", "", "nope"},
		{"syntax error", `{ organizations { `, nil, "GRAPHQL_PARSE_FAILED", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.query(t, tt.query, tt.vars)
			if len(r.Errors) != 1 {
				t.Fatalf("got %d errors %+v, want 1", len(r.Errors), r.Errors)
			}
			e := r.Errors[0]
			if e.Extensions["code"] != tt.code {
				t.Errorf("code = %v, want %s (error %+v)", e.Extensions["code"], tt.code, e)
			}
			if tt.argument != "" && e.Extensions["argument"] != tt.argument {
				t.Errorf("argument = %v, want %s", e.Extensions["argument"], tt.argument)
			}
			if tt.path != "" {
				var parts []string
				for _, p := range e.Path {
					parts = append(parts, fmt.Sprint(p))
				}
				if got := strings.Join(parts, "."); got != tt.path {
					t.Errorf("path = %s, want %s", got, tt.path)
				}
			}
			if !strings.Contains(e.Message, tt.contains) {
				t.Errorf("message %q does not contain %q", e.Message, tt.contains)
			}
			for _, leak := range []string{"SELECT", "pq:", "sql:", "goroutine", ".go:"} {
				if strings.Contains(e.Message, leak) {
					t.Errorf("message %q leaks %q", e.Message, leak)
				}
			}
		})
	}
}

func TestNodesReportsEachMissingIDAtItsIndex(t *testing.T) {
	ts := newServer(t)
	good := firstKey(t, relay.TypeSkill, "SELECT id FROM skill LIMIT 1")
	r := ts.query(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{good, relay.ID(relay.TypeSkill, 99999999), good}})
	if len(r.Errors) != 1 || fmt.Sprint(r.Errors[0].Path) != "[nodes 1]" || r.Errors[0].Extensions["code"] != "NOT_FOUND" {
		t.Fatalf("errors = %+v, want one NOT_FOUND at [nodes 1]", r.Errors)
	}
	want := fmt.Sprintf(`{"nodes":[{"id":%q},null,{"id":%q}]}`, good, good)
	if string(r.Data) != want {
		t.Errorf("data = %s, want %s", r.Data, want)
	}
}

func TestGETServesQueriesAndPlaygroundServesHTML(t *testing.T) {
	ts := newServer(t)
	res, err := http.Get(ts.URL + "/query?query=" + strings.ReplaceAll(`{skills(first:1){totalCount}}`, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /query status = %d, want 200", res.StatusCode)
	}
	res, err = http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET / = %d %s, want an HTML playground", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res.Header.Get("X-Request-Id") == "" {
		t.Error("responses carry no X-Request-Id")
	}
}

func TestMembersFilterAndSortWithinTheAlliance(t *testing.T) {
	ts := newServer(t)
	tests := []struct {
		name   string
		filter map[string]any
		sql    string
	}{
		{"founding members", map[string]any{"roles": []string{"FOUNDING_MEMBER"}}, "SELECT count(*) FROM membership WHERE role = 'FOUNDING_MEMBER'"},
		{"companies", map[string]any{"kinds": []string{"COMPANY"}}, "SELECT count(*) FROM membership m JOIN organization o ON o.id = m.organization_id WHERE o.kind = 'COMPANY'"},
		{"former members", map[string]any{"active": false}, "SELECT count(*) FROM membership WHERE left_on IS NOT NULL"},
		{"current members", map[string]any{"active": true}, "SELECT count(*) FROM membership WHERE left_on IS NULL"},
		{"joined in 2025", map[string]any{"joined": map[string]any{"from": "2025-01-01", "to": "2025-12-31"}}, "SELECT count(*) FROM membership WHERE joined_on BETWEEN '2025-01-01' AND '2025-12-31'"},
		{"by name", map[string]any{"search": "Shenyang"}, "SELECT count(*) FROM membership m JOIN organization o ON o.id = m.organization_id WHERE o.name_en ILIKE '%Shenyang%' OR o.name_zh ILIKE '%Shenyang%'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				Alliance struct {
					Members struct{ TotalCount int }
				}
			}
			ts.data(t, `query($f: MembershipFilter) { alliance { members(filter: $f) { totalCount } } }`, map[string]any{"f": tt.filter}, &got)
			if want := sqlInt(t, tt.sql); got.Alliance.Members.TotalCount != want {
				t.Errorf("totalCount = %d, want %d", got.Alliance.Members.TotalCount, want)
			}
		})
	}
	var sorted struct {
		Alliance struct {
			Members struct {
				Edges []struct {
					Node struct {
						Organization struct{ Name struct{ En string } }
					}
				}
			}
		}
	}
	ts.data(t, `{ alliance { members(last: 30, orderBy: {field: ORGANIZATION_NAME, direction: DESC}) { edges { node { organization { name { en } } } } } } }`, nil, &sorted)
	var names []string
	for _, e := range sorted.Alliance.Members.Edges {
		names = append(names, e.Node.Organization.Name.En)
	}
	var want []string
	if err := testDB.DB.Select(&want, `SELECT name_en FROM (SELECT o.name_en, m.id FROM membership m JOIN organization o ON o.id = m.organization_id
		ORDER BY o.name_en, m.id LIMIT 30) x ORDER BY name_en DESC, id DESC`); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("last 30 members by name, descending (-want +got):\n%s", diff)
	}
}

func TestOpeningPlacementsFilterByStatusAndDate(t *testing.T) {
	ts := newServer(t)
	opening := firstKey(t, relay.TypeResource, `SELECT p.opening_id FROM placement p JOIN resource r ON r.id = p.opening_id
		WHERE r.shared_with_all GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)
	_, key, _ := relay.ParseID(opening)
	tests := []struct {
		filter map[string]any
		sql    string
	}{
		{map[string]any{"statuses": []string{"HIRED"}}, "SELECT count(*) FROM placement WHERE opening_id = $1 AND status = 'HIRED'"},
		{map[string]any{"applied": map[string]any{"from": "2025-06-01"}}, "SELECT count(*) FROM placement WHERE opening_id = $1 AND applied_on >= '2025-06-01'"},
		{nil, "SELECT count(*) FROM placement WHERE opening_id = $1"},
	}
	for _, tt := range tests {
		var got struct {
			Node struct {
				Placements struct{ TotalCount int }
				Filled     int
			}
		}
		ts.data(t, `query($id: ID!, $f: PlacementFilter) { node(id: $id) { ... on JobOpening { filled placements(filter: $f) { totalCount } } } }`,
			map[string]any{"id": opening, "f": tt.filter}, &got)
		if want := sqlInt(t, tt.sql, key); got.Node.Placements.TotalCount != want {
			t.Errorf("placements(%v).totalCount = %d, want %d", tt.filter, got.Node.Placements.TotalCount, want)
		}
	}
}

func TestEveryTypeFieldArgumentAndEnumValueIsDescribed(t *testing.T) {
	ts := newServer(t)
	var got struct {
		Schema struct {
			Types []struct {
				Name, Kind  string
				Description *string
				Fields      []struct {
					Name        string
					Description *string
					Args        []struct {
						Name        string
						Description *string
					}
				}
				InputFields []struct {
					Name        string
					Description *string
				}
				EnumValues []struct {
					Name        string
					Description *string
				}
			}
		} `json:"__schema"`
	}
	ts.data(t, `{ __schema { types { name kind description
		fields { name description args { name description } }
		inputFields { name description }
		enumValues { name description } } } }`, nil, &got)
	empty := func(s *string) bool { return s == nil || strings.TrimSpace(*s) == "" }
	var missing []string
	for _, typ := range got.Schema.Types {
		if strings.HasPrefix(typ.Name, "__") || slices.Contains([]string{"String", "Int", "Float", "Boolean", "ID"}, typ.Name) {
			continue
		}
		if empty(typ.Description) {
			missing = append(missing, typ.Name)
		}
		for _, f := range typ.Fields {
			if empty(f.Description) {
				missing = append(missing, typ.Name+"."+f.Name)
			}
			for _, a := range f.Args {
				if empty(a.Description) {
					missing = append(missing, typ.Name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
		for _, f := range typ.InputFields {
			if empty(f.Description) {
				missing = append(missing, typ.Name+"."+f.Name)
			}
		}
		for _, v := range typ.EnumValues {
			if empty(v.Description) {
				missing = append(missing, typ.Name+"."+v.Name)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d schema elements have no description: %v", len(missing), missing)
	}
}

// Every custom scalar says where its format is specified, so that code generators and
// client libraries can map it (DateTime to a date type, JSON to an object).
func TestEveryCustomScalarHasASpecifiedByURL(t *testing.T) {
	ts := newServer(t)
	var got struct {
		Schema struct {
			Types []struct {
				Name, Kind     string
				SpecifiedByURL *string
			}
		} `json:"__schema"`
	}
	ts.data(t, `{ __schema { types { name kind specifiedByURL } } }`, nil, &got)
	custom := 0
	for _, typ := range got.Schema.Types {
		if typ.Kind != "SCALAR" || slices.Contains([]string{"String", "Int", "Float", "Boolean", "ID"}, typ.Name) {
			continue
		}
		custom++
		if typ.SpecifiedByURL == nil || !strings.HasPrefix(*typ.SpecifiedByURL, "https://") {
			t.Errorf("scalar %s: specifiedByURL %v, want an https URL", typ.Name, typ.SpecifiedByURL)
		}
	}
	if custom < 3 {
		t.Errorf("%d custom scalars; Date, DateTime and JSON at least", custom)
	}
}

func TestPartnersAreOrganizationsSharingPartnershipsWithTheirCount(t *testing.T) {
	ts := newServer(t)
	org := firstKey(t, relay.TypeOrganization, "SELECT organization_id FROM partnership_participant GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
	_, key, _ := relay.ParseID(org)
	var got struct {
		Node struct {
			Partners struct {
				TotalCount int
				Edges      []struct {
					SharedCount        int
					Node               struct{ ID string }
					SharedPartnerships []struct {
						Participants []struct{ Organization struct{ ID string } }
					}
				}
			}
		}
	}
	ts.data(t, `query($id: ID!) { node(id: $id) { ... on Organization { partners(first: 100) { totalCount edges { sharedCount node { id }
		sharedPartnerships { participants { organization { id } } } } } } } }`, map[string]any{"id": org}, &got)
	want := sqlInt(t, `SELECT count(DISTINCT b.organization_id) FROM partnership_participant a JOIN partnership_participant b
		ON b.partnership_id = a.partnership_id AND b.organization_id <> a.organization_id WHERE a.organization_id = $1`, key)
	p := got.Node.Partners
	if p.TotalCount != want || len(p.Edges) != min(want, 100) {
		t.Fatalf("partners: totalCount %d, %d edges; want %d", p.TotalCount, len(p.Edges), want)
	}
	for i, e := range p.Edges {
		if i > 0 && e.SharedCount > p.Edges[i-1].SharedCount {
			t.Errorf("edge %d shares %d, more than edge %d (%d): not most shared first", i, e.SharedCount, i-1, p.Edges[i-1].SharedCount)
		}
		if len(e.SharedPartnerships) != e.SharedCount {
			t.Errorf("edge %d: sharedCount %d but %d shared partnerships", i, e.SharedCount, len(e.SharedPartnerships))
		}
		for _, sp := range e.SharedPartnerships {
			both := 0
			for _, pt := range sp.Participants {
				if pt.Organization.ID == org || pt.Organization.ID == e.Node.ID {
					both++
				}
			}
			if both != 2 {
				t.Errorf("a partnership shared with %s does not list both organizations", e.Node.ID)
			}
		}
	}
}

// An empty cursor is no cursor, on every paged field and through both the one statement
// and the resolvers: what clients that cannot leave a variable out (genqlient) send.
func TestAnEmptyCursorMeansNoCursor(t *testing.T) {
	ts := newServer(t)
	tests := []struct{ name, query string }{
		{"a root connection (one statement)", `query($c: String) { organizations(first: 3, after: $c) { edges { cursor node { id } } } }`},
		{"a root connection paged backwards", `query($c: String) { partnerships(last: 3, before: $c) { pageInfo { hasPreviousPage } edges { node { id } } } }`},
		{"a nested connection (resolvers)", `query($c: String) { organizations(first: 2) { edges { node { partners(first: 2, after: $c) { edges { node { id } } } } } } }`},
		{"search", `query($c: String) { search(query: "CNC", first: 3, after: $c) { edges { kind node { id } } } }`},
		{"rankings", `query($c: String) { rankings(first: 3, after: $c) { edges { node { id } } } }`},
		{"skill gap", `query($c: String) { skillGap(first: 3, after: $c) { edges { node { skill { code } } } } }`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			none := ts.query(t, tc.query, nil)
			empty := ts.query(t, tc.query, map[string]any{"c": ""})
			if len(none.Errors) > 0 || len(empty.Errors) > 0 {
				t.Fatalf("errors: without a cursor %+v, with an empty one %+v", none.Errors, empty.Errors)
			}
			if string(none.Data) != string(empty.Data) {
				t.Errorf("with an empty cursor\n%s\nwithout one\n%s", empty.Data, none.Data)
			}
		})
	}
}
