package benchmark

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// The operations of the mixes. Each PostGraphile query fetches what alliance-graph's
// fetches: the same rows (same filters, orders and page sizes) and the same fields, under
// PostGraphile's names. The one difference is the order of a partnership's participants,
// which ours sorts by role and PostGraphile, with no such order, by primary key: the same
// rows in another order.
const (
	// NestedPage is how many members the nested query starts from; under each, ten
	// partnerships, their participants and five resources of each participant (about
	// 750 objects at the demo's scale).
	NestedPage = 10

	oursDirectory = `query Directory($after: String) {
  organizations(first: 20, after: $after, filter: {kinds: [SCHOOL], schoolLevels: [TECHNICIAN_COLLEGE, HIGHER_VOCATIONAL_COLLEGE]}, orderBy: {field: NAME}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name { en zh }
      ... on School { level studentCount majors }
      partnerships(first: 5) { totalCount edges { node { title { en } kind status } } }
    } }
  }
}`
	postgraphileDirectory = `query Directory($after: Cursor) {
  allOrganizations(first: 20, after: $after, condition: {kind: "SCHOOL"}, filter: {schoolLevel: {in: ["TECHNICIAN_COLLEGE", "HIGHER_VOCATIONAL_COLLEGE"]}}, orderBy: [NAME_EN_ASC, ID_ASC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id nodeId nameEn nameZh
      schoolLevel studentCount majors
      partnershipParticipantsByOrganizationId(first: 5, orderBy: [PARTNERSHIP_BY_PARTNERSHIP_ID__SIGNED_ON_ASC, PARTNERSHIP_ID_ASC]) {
        totalCount edges { node { partnershipByPartnershipId { titleEn kind status } } }
      }
    } }
  }
}`

	// The plain directory page: the paging alone, without the counts whose cost grows with
	// the matching rows, for the scale curve.
	oursPage = `query Page($after: String) {
  organizations(first: 20, after: $after, orderBy: {field: NAME}) {
    pageInfo { hasNextPage endCursor }
    edges { node { id kind name { en zh } } }
  }
}`
	postgraphilePage = `query Page($after: Cursor) {
  allOrganizations(first: 20, after: $after, orderBy: [NAME_EN_ASC, ID_ASC]) {
    pageInfo { hasNextPage endCursor }
    edges { node { nodeId kind nameEn nameZh } }
  }
}`

	oursNested = `query Nested($alliance: ID!, $n: Int!) {
  alliance(id: $alliance) {
    members(first: $n) {
      edges { node {
        role
        organization {
          name { en }
          partnerships(first: 10) {
            edges { node {
              title { en }
              participants {
                role
                organization {
                  name { zh }
                  resources(first: 5) { edges { node { category title { en } provider { id } } } }
                }
              }
            } }
          }
        }
      } }
    }
  }
}`
	postgraphileNested = `query Nested($alliance: BigInt!, $n: Int!) {
  allianceById(id: $alliance) {
    membershipsByAllianceId(first: $n, orderBy: [JOINED_ON_ASC, ID_ASC]) {
      edges { node {
        role
        organizationByOrganizationId {
          nameEn
          partnershipParticipantsByOrganizationId(first: 10, orderBy: [PARTNERSHIP_BY_PARTNERSHIP_ID__SIGNED_ON_ASC, PARTNERSHIP_ID_ASC]) {
            edges { node { partnershipByPartnershipId {
              titleEn
              partnershipParticipantsByPartnershipId {
                edges { node {
                  role
                  organizationByOrganizationId {
                    nameZh
                    resourcesByProviderId(first: 5, orderBy: [SHARED_ON_ASC, ID_ASC], condition: {sharedWithAll: true, withdrawnOn: null}) {
                      edges { node { category titleEn organizationByProviderId { nodeId } } }
                    }
                  }
                } }
              }
            } } }
          }
        }
      } }
    }
  }
}`

	oursNode = `query Node($id: ID!) {
  node(id: $id) { id ... on Organization { name { en zh } district foundedYear } }
}`
	postgraphileNode = `query Node($id: BigInt!) {
  organizationById(id: $id) { id nodeId nameEn nameZh district foundedYear }
}`

	oursSearch = `query Search($q: String!) {
  search(query: $q, first: 10) { edges { kind score node { id } highlights { field segments { text matched } } } }
}`
	oursPath = `query Path($from: ID!, $to: ID!) {
  path(from: $from, to: $to, maxDepth: 4) { length organizations { id name { en } } }
}`
	oursSkillGap = `query SkillGap($after: String) {
  skillGap(first: 10, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { skill { code name { en } } demand supply gap openPositions freeSeats } }
  }
}`
	oursPostOpening = `mutation PostOpening($alliance: ID!, $company: ID!) {
  postJobOpening(input: {allianceId: $alliance, providerId: $company, title: {en: "CNC machinist (benchmark)", zh: "数控机床操作工"}, positions: 2, salaryMin: 6000, salaryMax: 9000, employmentType: FULL_TIME}) {
    jobOpening { id version status }
    userErrors { field code message }
  }
}`
)

// SearchTerms are what the search operation looks for: English and Chinese, whole words,
// prefixes, and a typo.
var SearchTerms = []string{"CNC", "welding", "weldng", "robot", "Shenyang", "PLC", "数控", "机器人", "汽车", "maintenance"}

// Mix is a named set of operations with their shares.
type Mix struct {
	Name        string
	Description string
	Weights     []OpWeight
}

// OpWeight names an operation and its share of a mix.
type OpWeight struct {
	Op     string
	Weight int
}

// SharedMix is the shared mix: the page queries frontends send and the reads both
// servers answer alike. Each of its operations also runs alone, against PostGraphile and
// the hand-written SQL floor, for the per-operation targets.
var SharedMix = Mix{Name: "shared",
	Description: "the page queries both servers answer alike: job board, company directory (two filters), school directory, partnerships paged backwards, resources by category, the deep nested read, node lookups",
	Weights: []OpWeight{{"jobs", 15}, {"companies", 10}, {"companies-industry", 5}, {"directory", 10}, {"partnerships", 10},
		{"resources", 10}, {"nested", 10}, {"node", 15}, {"node-opening", 15}}}

// Mixes are the scenarios every target that has all of a mix's operations runs, in this
// order: the mix with writes last, so that the others read the data as seeded.
var Mixes = []Mix{
	SharedMix,
	{Name: "full", Description: "the whole documented mix, alliance-graph only (PostGraphile has no search ranking, network path or skill gap)",
		Weights: []OpWeight{{"jobs", 10}, {"companies", 10}, {"directory", 10}, {"partnerships", 5}, {"resources", 5}, {"nested", 10}, {"node", 10}, {"node-opening", 5},
			{"search", 15}, {"path", 5}, {"skill-gap", 5}, {"post-opening", 10}}},
}

// SharedOps are the shared mix's operations, in the order of the report.
func SharedOps() []string {
	out := make([]string, len(SharedMix.Weights))
	for i, w := range SharedMix.Weights {
		out[i] = w.Op
	}
	return out
}

// OpScenario names the run of op alone.
func OpScenario(op string) string { return "op " + op }

// PagedOps are the operations of the scale curve: the ones that page through a list, and
// page, the plain directory page (not in the mixes).
var PagedOps = []string{"page", "directory", "nested", "search", "skill-gap"}

// Resolve picks mix's operations out of ops; ok is false when ops lacks one.
func (m Mix) Resolve(ops map[string]Op) (mix []Weighted, ok bool) {
	for _, w := range m.Weights {
		op, found := ops[w.Op]
		if !found {
			return nil, false
		}
		mix = append(mix, Weighted{Op: op, Weight: w.Weight})
	}
	return mix, true
}

// maxCursorPages bounds the pages the benchmark walks: requests draw one of the first
// pages, so that the same pages exist at every scale.
const maxCursorPages = 5

// pageInfo is the part of a connection the page walk reads.
type pageInfo struct {
	HasNextPage     bool   `json:"hasNextPage"`
	HasPreviousPage bool   `json:"hasPreviousPage"`
	EndCursor       string `json:"endCursor"`
	StartCursor     string `json:"startCursor"`
}

// pager fetches the pageInfo of the page at cursor (nil: the first page).
type pager func(ctx context.Context, cursor any) (pageInfo, error)

// walkPages follows up to maxCursorPages pages, forwards by endCursor or backwards by
// startCursor, and returns the cursor of each page (nil for the first).
func walkPages(ctx context.Context, backward bool, fetch pager) ([]any, error) {
	cursors := []any{nil}
	for len(cursors) < maxCursorPages {
		pi, err := fetch(ctx, cursors[len(cursors)-1])
		if err != nil {
			return nil, err
		}
		more, next := pi.HasNextPage, pi.EndCursor
		if backward {
			more, next = pi.HasPreviousPage, pi.StartCursor
		}
		if !more {
			break
		}
		cursors = append(cursors, next)
	}
	return cursors, nil
}

// pager fetches the pageInfo of the connection at data.<field>, with the cursor in
// variable.
func (g GraphQL) pager(query, field, variable string) pager {
	return func(ctx context.Context, cursor any) (pageInfo, error) {
		var data map[string]struct {
			PageInfo pageInfo `json:"pageInfo"`
		}
		if err := g.Fetch(ctx, query, map[string]any{variable: cursor}, &data); err != nil {
			return pageInfo{}, fmt.Errorf("walk the pages of %s: %w", field, err)
		}
		return data[field].PageInfo, nil
	}
}

// pagedQuery is a query whose requests draw one of its first pages.
type pagedQuery struct {
	name, query, field string
	backward           bool
}

// pagedOps walks the pages of each query and makes its operation.
func pagedOps(ctx context.Context, g GraphQL, queries []pagedQuery) (map[string]Op, error) {
	ops := map[string]Op{}
	for _, q := range queries {
		variable := "after"
		if q.backward {
			variable = "before"
		}
		pages, err := walkPages(ctx, q.backward, g.pager(q.query, q.field, variable))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.name, err)
		}
		ops[q.name] = g.Op(q.name, q.query, func(r *rand.Rand) map[string]any { return map[string]any{variable: oneOf(r, pages)} }, nil)
	}
	return ops, nil
}

// OursQueries are alliance-graph's paged queries by operation.
var oursPaged = []pagedQuery{
	{"page", oursPage, "organizations", false},
	{"directory", oursDirectory, "organizations", false},
	{"skill-gap", oursSkillGap, "skillGap", false},
	{"jobs", oursJobs, "jobOpenings", false},
	{"companies", oursCompanies, "organizations", false},
	{"companies-industry", oursCompaniesIndustry, "organizations", false},
	{"partnerships", oursPartnerships, "partnerships", true},
	{"resources", oursResources, "resources", false},
}

var postgraphilePaged = []pagedQuery{
	{"page", postgraphilePage, "allOrganizations", false},
	{"directory", postgraphileDirectory, "allOrganizations", false},
	{"jobs", postgraphileJobs, "allResources", false},
	{"companies", postgraphileCompanies, "allOrganizations", false},
	{"companies-industry", postgraphileCompaniesIndustry, "allOrganizations", false},
	{"partnerships", postgraphilePartnerships, "allPartnerships", true},
	{"resources", postgraphileResources, "allResources", false},
}

// OursOps are alliance-graph's operations; writes are sent as the token's holder.
func OursOps(ctx context.Context, g GraphQL, writer GraphQL, f Fixtures) (map[string]Op, error) {
	ops, err := pagedOps(ctx, g, oursPaged)
	if err != nil {
		return nil, err
	}
	alliance := relay.ID(relay.TypeAlliance, f.Alliance)
	org := func(id int64) string { return relay.ID(relay.TypeOrganization, id) }
	for name, op := range map[string]Op{
		"nested": g.Op("nested", oursNested, func(*rand.Rand) map[string]any {
			return map[string]any{"alliance": alliance, "n": NestedPage}
		}, nil),
		"node": g.Op("node", oursNode, func(r *rand.Rand) map[string]any { return map[string]any{"id": org(oneOf(r, f.Organizations))} }, nil),
		"node-opening": g.Op("node-opening", oursNodeOpening, func(r *rand.Rand) map[string]any {
			return map[string]any{"id": relay.ID(relay.TypeResource, oneOf(r, f.Openings))}
		}, nil),
		"search": g.Op("search", oursSearch, func(r *rand.Rand) map[string]any { return map[string]any{"q": oneOf(r, SearchTerms)} }, nil),
		"path": g.Op("path", oursPath, func(r *rand.Rand) map[string]any {
			return map[string]any{"from": org(oneOf(r, f.Linked)), "to": org(oneOf(r, f.Linked))}
		}, nil),
		"post-opening": writer.Op("post-opening", oursPostOpening, func(r *rand.Rand) map[string]any {
			return map[string]any{"alliance": alliance, "company": org(oneOf(r, f.Companies))}
		}, noUserErrors),
	} {
		ops[name] = op
	}
	return ops, nil
}

// PostGraphileOps are PostGraphile's equivalents of the operations it can answer alike.
func PostGraphileOps(ctx context.Context, g GraphQL, f Fixtures) (map[string]Op, error) {
	ops, err := pagedOps(ctx, g, postgraphilePaged)
	if err != nil {
		return nil, err
	}
	// PostGraphile takes BigInt as a string.
	alliance := fmt.Sprint(f.Alliance)
	ops["nested"] = g.Op("nested", postgraphileNested, func(*rand.Rand) map[string]any {
		return map[string]any{"alliance": alliance, "n": NestedPage}
	}, nil)
	ops["node"] = g.Op("node", postgraphileNode, func(r *rand.Rand) map[string]any { return map[string]any{"id": fmt.Sprint(oneOf(r, f.Organizations))} }, nil)
	ops["node-opening"] = g.Op("node-opening", postgraphileNodeOpening, func(r *rand.Rand) map[string]any {
		return map[string]any{"id": fmt.Sprint(oneOf(r, f.Openings))}
	}, nil)
	return ops, nil
}

var errUserErrors = errors.New("user errors")

// noUserErrors fails a mutation whose payload reports user errors.
func noUserErrors(raw []byte) error {
	if bytes.Contains(raw, []byte(`"userErrors":[]`)) {
		return nil
	}
	return fmt.Errorf("%w: %.200s", errUserErrors, raw)
}
