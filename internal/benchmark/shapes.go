package benchmark

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// Shape says which values of an answer must agree between the targets: Rows is the path
// of the rows (a list, or one object), Fields the paths, relative to a row, of the values
// compared, and Total the path of the count ("" for none). A path is dot-separated keys;
// a key ending in "[]" steps into every element of a list. A field prefixed "key:" is an
// id, compared as its row key (alliance-graph's global IDs are decoded); one prefixed
// "sorted:" is compared as a set, for lists whose order the servers leave to different
// tie-breaks (a partnership's participants).
type Shape struct {
	Rows   string
	Fields []string
	Total  string
}

// sharedOp is one operation of the shared mix in all three forms, with the shapes of
// their answers (the floor's documents have alliance-graph's shape).
type sharedOp struct {
	name                 string
	ours, peer, floor    string     // floor: the statement of an operation that is not paged
	floorPage            pagedFloor // the floor of a paged one
	oursField, peerField string     // the paged connection's root field; "" when not paged
	backward             bool
	// keys are the keys a sample draws from, when not paged; vars and args make a
	// request for key k.
	keys      func(Fixtures) []int64
	oursVars  func(k int64) map[string]any
	peerVars  func(k int64) map[string]any
	floorArgs func(k int64) []any
	oursShape Shape
	peerShape Shape
}

var (
	connShape = func(root string) Shape {
		return Shape{Rows: root + ".edges[].node", Total: root + ".totalCount"}
	}
	companyFields = []string{"key:id", "name.en", "name.zh", "industry", "memberships[].role", "memberships[].joinedOn", "memberships[].leftOn",
		"partnerships.totalCount", "partnerships.edges[].node.title.en", "partnerships.edges[].node.status"}
	peerCompanyFields = []string{"id", "nameEn", "nameZh", "industry", "membershipsByOrganizationId.edges[].node.role",
		"membershipsByOrganizationId.edges[].node.joinedOn", "membershipsByOrganizationId.edges[].node.leftOn",
		"partnershipParticipantsByOrganizationId.totalCount", "partnershipParticipantsByOrganizationId.edges[].node.partnershipByPartnershipId.titleEn",
		"partnershipParticipantsByOrganizationId.edges[].node.partnershipByPartnershipId.status"}
)

func withFields(s Shape, fields ...string) Shape { s.Fields = fields; return s }

func sharedOps() []sharedOp {
	one := func(k int64) []any { return []any{k} }
	return []sharedOp{
		{name: "jobs", ours: oursJobs, peer: postgraphileJobs, floorPage: floorJobs, oursField: "jobOpenings", peerField: "allResources",
			oursShape: withFields(connShape("jobOpenings"), "key:id", "title.en", "title.zh", "sharedOn", "positions", "employmentType", "salary.min", "salary.max",
				"provider.name.en", "requiredSkills[].level", "requiredSkills[].skill.code"),
			peerShape: withFields(connShape("allResources"), "id", "titleEn", "titleZh", "sharedOn", "positions", "employmentType", "salaryMin", "salaryMax",
				"organizationByProviderId.nameEn", "resourceSkillsByResourceId.edges[].node.level", "resourceSkillsByResourceId.edges[].node.skillBySkillId.code")},
		{name: "companies", ours: oursCompanies, peer: postgraphileCompanies, floorPage: floorCompanies, oursField: "organizations", peerField: "allOrganizations",
			oursShape: withFields(connShape("organizations"), companyFields...), peerShape: withFields(connShape("allOrganizations"), peerCompanyFields...)},
		{name: "companies-industry", ours: oursCompaniesIndustry, peer: postgraphileCompaniesIndustry, floorPage: floorCompaniesIndustry, oursField: "organizations", peerField: "allOrganizations",
			oursShape: withFields(connShape("organizations"), companyFields...), peerShape: withFields(connShape("allOrganizations"), peerCompanyFields...)},
		{name: "directory", ours: oursDirectory, peer: postgraphileDirectory, floorPage: floorDirectory, oursField: "organizations", peerField: "allOrganizations",
			oursShape: withFields(connShape("organizations"), "key:id", "name.en", "name.zh", "level", "studentCount", "majors", "partnerships.totalCount",
				"partnerships.edges[].node.title.en", "partnerships.edges[].node.kind"),
			peerShape: withFields(connShape("allOrganizations"), "id", "nameEn", "nameZh", "schoolLevel", "studentCount", "majors",
				"partnershipParticipantsByOrganizationId.totalCount", "partnershipParticipantsByOrganizationId.edges[].node.partnershipByPartnershipId.titleEn",
				"partnershipParticipantsByOrganizationId.edges[].node.partnershipByPartnershipId.kind")},
		{name: "partnerships", ours: oursPartnerships, peer: postgraphilePartnerships, floorPage: floorPartnerships, oursField: "partnerships", peerField: "allPartnerships", backward: true,
			oursShape: withFields(connShape("partnerships"), "key:id", "title.en", "kind", "status", "signedOn"),
			peerShape: withFields(connShape("allPartnerships"), "id", "titleEn", "kind", "status", "signedOn")},
		{name: "resources", ours: oursResources, peer: postgraphileResources, floorPage: floorResources, oursField: "resources", peerField: "allResources",
			oursShape: withFields(connShape("resources"), "key:id", "category", "title.en", "sharedOn", "positions", "employmentType", "status", "salary.min", "salary.max",
				"hours", "seats", "startsOn", "endsOn"),
			peerShape: withFields(connShape("allResources"), "id", "category", "titleEn", "sharedOn", "positions", "employmentType", "openingStatus", "salaryMin", "salaryMax",
				"hours", "seats", "startsOn", "endsOn")},
		{name: "nested", ours: oursNested, peer: postgraphileNested, floor: floorNested,
			keys: func(f Fixtures) []int64 { return []int64{f.Alliance} },
			oursVars: func(k int64) map[string]any {
				return map[string]any{"alliance": relay.ID(relay.TypeAlliance, k), "n": NestedPage}
			},
			peerVars:  func(k int64) map[string]any { return map[string]any{"alliance": fmt.Sprint(k), "n": NestedPage} },
			floorArgs: func(k int64) []any { return []any{k, NestedPage} },
			oursShape: Shape{Rows: "alliance.members.edges[].node", Fields: []string{"role", "organization.name.en", "organization.partnerships.edges[].node.title.en",
				"sorted:organization.partnerships.edges[].node.participants[].organization.name.zh",
				"sorted:organization.partnerships.edges[].node.participants[].organization.resources.edges[].node.title.en"}},
			peerShape: Shape{Rows: "allianceById.membershipsByAllianceId.edges[].node", Fields: []string{"role", "organizationByOrganizationId.nameEn",
				"organizationByOrganizationId.partnershipParticipantsByOrganizationId.edges[].node.partnershipByPartnershipId.titleEn",
				"sorted:organizationByOrganizationId.partnershipParticipantsByOrganizationId.edges[].node.partnershipByPartnershipId.partnershipParticipantsByPartnershipId.edges[].node.organizationByOrganizationId.nameZh",
				"sorted:organizationByOrganizationId.partnershipParticipantsByOrganizationId.edges[].node.partnershipByPartnershipId.partnershipParticipantsByPartnershipId.edges[].node.organizationByOrganizationId.resourcesByProviderId.edges[].node.titleEn"}}},
		{name: "node", ours: oursNode, peer: postgraphileNode, floor: floorNode,
			keys:      func(f Fixtures) []int64 { return f.Organizations },
			oursVars:  func(k int64) map[string]any { return map[string]any{"id": relay.ID(relay.TypeOrganization, k)} },
			peerVars:  func(k int64) map[string]any { return map[string]any{"id": fmt.Sprint(k)} },
			floorArgs: one,
			oursShape: Shape{Rows: "node", Fields: []string{"key:id", "name.en", "name.zh", "district", "foundedYear"}},
			peerShape: Shape{Rows: "organizationById", Fields: []string{"id", "nameEn", "nameZh", "district", "foundedYear"}}},
		{name: "node-opening", ours: oursNodeOpening, peer: postgraphileNodeOpening, floor: floorNodeOpening,
			keys:      func(f Fixtures) []int64 { return f.Openings },
			oursVars:  func(k int64) map[string]any { return map[string]any{"id": relay.ID(relay.TypeResource, k)} },
			peerVars:  func(k int64) map[string]any { return map[string]any{"id": fmt.Sprint(k)} },
			floorArgs: one,
			oursShape: Shape{Rows: "node", Fields: []string{"key:id", "title.en", "title.zh", "positions", "status", "closesOn", "provider.name.en"}},
			peerShape: Shape{Rows: "resourceById", Fields: []string{"id", "titleEn", "titleZh", "positions", "openingStatus", "closesOn", "organizationByProviderId.nameEn"}}},
	}
}

// pluck follows path through v, stepping into every element of a list at "[]" keys.
func pluck(v any, path string) []any {
	vals := []any{v}
	if path == "" {
		return vals
	}
	for key := range strings.SplitSeq(path, ".") {
		key, each := strings.CutSuffix(key, "[]")
		var next []any
		for _, x := range vals {
			m, _ := x.(map[string]any)
			y := m[key]
			if list, ok := y.([]any); ok && each {
				next = append(next, list...)
			} else if !each {
				next = append(next, y)
			}
		}
		vals = next
	}
	return vals
}

// text is a value as compared: ids as row keys, numbers without exponent, lists joined.
func text(v any, key bool) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if key {
			if _, k, err := relay.ParseID(x); err == nil {
				return strconv.FormatInt(k, 10)
			}
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = text(y, key)
		}
		return "[" + strings.Join(parts, ",") + "]"
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// rows reads an answer's data by shape: its count ("" without one) and one line of
// compared values per row.
func (s Shape) rows(data any) (total string, rows []string) {
	if s.Total != "" {
		total = text(pluck(data, s.Total)[0], false)
	}
	for _, row := range pluck(data, s.Rows) {
		if row == nil {
			rows = append(rows, "null")
			continue
		}
		var line []string
		for _, f := range s.Fields {
			path, key := strings.CutPrefix(f, "key:")
			path, sorted := strings.CutPrefix(path, "sorted:")
			vals := pluck(row, path)
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = text(v, key)
			}
			if sorted {
				slices.Sort(parts)
			}
			line = append(line, strings.Join(parts, ","))
		}
		rows = append(rows, strings.Join(line, " | "))
	}
	return total, rows
}

// Equivalence is the outcome of comparing one operation's answers: alliance-graph's
// against another target's, over Samples requests (the first pages, or keys).
type Equivalence struct {
	Op      string `json:"operation"`
	Against string `json:"against"`
	Samples int    `json:"samples"`
	Rows    int    `json:"rows"`
	Same    bool   `json:"same"`
	Detail  string `json:"detail,omitempty"`
	// Example is the first row compared, as its values read.
	Example string `json:"example,omitempty"`
}

// answer is one sample's compared values.
type answer struct {
	total string
	rows  []string
}

// sampleKeys picks up to n keys spread over keys.
func sampleKeys(keys []int64, n int) []int64 {
	if len(keys) <= n {
		return keys
	}
	out := make([]int64, n)
	for i := range n {
		out[i] = keys[i*(len(keys)-1)/(n-1)]
	}
	return out
}

const equivalenceSamples = 5

// graphqlAnswers asks g for op's samples: its first pages, or the sample keys.
func graphqlAnswers(ctx context.Context, g GraphQL, query, field string, backward bool, keys []int64, vars func(int64) map[string]any, shape Shape) ([]answer, error) {
	var requests []map[string]any
	if field != "" {
		variable := "after"
		if backward {
			variable = "before"
		}
		cursors, err := walkPages(ctx, backward, g.pager(query, field, variable))
		if err != nil {
			return nil, err
		}
		for _, c := range cursors {
			requests = append(requests, map[string]any{variable: c})
		}
	} else {
		for _, k := range keys {
			requests = append(requests, vars(k))
		}
	}
	var out []answer
	for _, v := range requests {
		var data any
		if err := g.Fetch(ctx, query, v, &data); err != nil {
			return nil, err
		}
		total, rows := shape.rows(data)
		out = append(out, answer{total, rows})
	}
	return out, nil
}

func floorAnswers(ctx context.Context, f *FloorDB, op sharedOp, keys []int64) ([]answer, error) {
	type request struct {
		query string
		args  []any
	}
	var requests []request
	if op.oursField != "" {
		cursors, err := walkPages(ctx, op.backward, f.pager(op.floorPage, op.oursField))
		if err != nil {
			return nil, err
		}
		for _, c := range cursors {
			q, args := op.floorPage.page(c)
			requests = append(requests, request{q, args})
		}
	} else {
		for _, k := range keys {
			requests = append(requests, request{op.floor, op.floorArgs(k)})
		}
	}
	var out []answer
	for _, req := range requests {
		doc, err := f.Document(ctx, req.query, req.args...)
		if err != nil {
			return nil, err
		}
		var data any
		if err := json.Unmarshal(doc, &data); err != nil {
			return nil, fmt.Errorf("decode floor document: %w", err)
		}
		total, rows := op.oursShape.rows(data)
		out = append(out, answer{total, rows})
	}
	return out, nil
}

// compare says whether two targets' answers to the same samples agree, and where not.
func compare(op, against string, ours, theirs []answer) Equivalence {
	e := Equivalence{Op: op, Against: against, Samples: len(ours), Same: true}
	if len(ours) != len(theirs) {
		e.Same, e.Detail = false, fmt.Sprintf("%d pages against %d", len(ours), len(theirs))
		return e
	}
	for i := range ours {
		a, b := ours[i], theirs[i]
		e.Rows += len(a.rows)
		if e.Example == "" && len(a.rows) > 0 {
			e.Example = a.rows[0]
		}
		if a.total != b.total {
			e.Same, e.Detail = false, fmt.Sprintf("sample %d: totalCount %s against %s", i+1, a.total, b.total)
			return e
		}
		if len(a.rows) != len(b.rows) {
			e.Same, e.Detail = false, fmt.Sprintf("sample %d: %d rows against %d", i+1, len(a.rows), len(b.rows))
			return e
		}
		for j := range a.rows {
			if a.rows[j] != b.rows[j] {
				e.Same, e.Detail = false, fmt.Sprintf("sample %d, row %d: %.300s against %.300s", i+1, j+1, a.rows[j], b.rows[j])
				return e
			}
		}
	}
	if e.Rows == 0 {
		e.Same, e.Detail = false, "no rows to compare: is the database seeded?"
	}
	return e
}

// CompareAnswers asks alliance-graph, and PostGraphile (peer, if not nil) and the floor
// (if not nil), the same sample requests of every operation of the shared mix and checks
// that they answer the same rows: the ids, names and fields of each row, in order, and the
// counts.
func CompareAnswers(ctx context.Context, ours GraphQL, peer *GraphQL, floor *FloorDB, f Fixtures) ([]Equivalence, error) {
	var out []Equivalence
	for _, op := range sharedOps() {
		var keys []int64
		if op.keys != nil {
			keys = sampleKeys(op.keys(f), equivalenceSamples)
		}
		mine, err := graphqlAnswers(ctx, ours, op.ours, op.oursField, op.backward, keys, op.oursVars, op.oursShape)
		if err != nil {
			return nil, fmt.Errorf("compare %s: alliance-graph: %w", op.name, err)
		}
		if peer != nil {
			theirs, err := graphqlAnswers(ctx, *peer, op.peer, op.peerField, op.backward, keys, op.peerVars, op.peerShape)
			if err != nil {
				return nil, fmt.Errorf("compare %s: PostGraphile: %w", op.name, err)
			}
			out = append(out, compare(op.name, PostGraphile, mine, theirs))
		}
		if floor != nil {
			theirs, err := floorAnswers(ctx, floor, op, keys)
			if err != nil {
				return nil, fmt.Errorf("compare %s: floor: %w", op.name, err)
			}
			out = append(out, compare(op.name, Floor, mine, theirs))
		}
	}
	return out, nil
}
