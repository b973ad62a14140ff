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
      nodeId nameEn nameZh
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
  organizationById(id: $id) { nodeId nameEn nameZh district foundedYear }
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

// Mixes are the scenarios every target that has all of a mix's operations runs, in this
// order: the mix with writes last, so that the others read the data as seeded.
var Mixes = []Mix{
	{Name: "shared", Description: "the operations both servers answer alike: directory pages, the deep nested query, node lookups",
		Weights: []OpWeight{{"directory", 40}, {"nested", 30}, {"node", 30}}},
	{Name: "nested", Description: "the deep nested query alone: alliance-graph, PostGraphile and the hand-written SQL floor",
		Weights: []OpWeight{{"nested", 1}}},
	{Name: "full", Description: "the whole documented mix, alliance-graph only (PostGraphile has no search ranking, network path or skill gap)",
		Weights: []OpWeight{{"directory", 25}, {"nested", 15}, {"node", 25}, {"search", 15}, {"path", 5}, {"skill-gap", 5}, {"post-opening", 10}}},
}

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

// maxCursorPages bounds the directory pages the benchmark walks: requests draw one of the
// first pages, so that the same pages exist at every scale.
const maxCursorPages = 5

// cursors walks up to maxCursorPages pages of the connection at data.<field>, returning
// the after arguments of each page (nil for the first).
func cursors(ctx context.Context, g GraphQL, query, field string) ([]any, error) {
	after := []any{nil}
	for len(after) < maxCursorPages {
		var data map[string]struct {
			PageInfo struct {
				HasNextPage bool   `json:"hasNextPage"`
				EndCursor   string `json:"endCursor"`
			} `json:"pageInfo"`
		}
		if err := g.Fetch(ctx, query, map[string]any{"after": after[len(after)-1]}, &data); err != nil {
			return nil, fmt.Errorf("walk the pages of %s: %w", field, err)
		}
		pi := data[field].PageInfo
		if !pi.HasNextPage {
			break
		}
		after = append(after, pi.EndCursor)
	}
	return after, nil
}

// OursOps are alliance-graph's operations; writes are sent as the token's holder.
func OursOps(ctx context.Context, g GraphQL, writer GraphQL, f Fixtures) (map[string]Op, error) {
	dirPages, err := cursors(ctx, g, oursDirectory, "organizations")
	if err != nil {
		return nil, err
	}
	plainPages, err := cursors(ctx, g, oursPage, "organizations")
	if err != nil {
		return nil, err
	}
	gapPages, err := cursors(ctx, g, oursSkillGap, "skillGap")
	if err != nil {
		return nil, err
	}
	alliance := relay.ID(relay.TypeAlliance, f.Alliance)
	org := func(id int64) string { return relay.ID(relay.TypeOrganization, id) }
	return map[string]Op{
		"page":      g.Op("page", oursPage, func(r *rand.Rand) map[string]any { return map[string]any{"after": oneOf(r, plainPages)} }, nil),
		"directory": g.Op("directory", oursDirectory, func(r *rand.Rand) map[string]any { return map[string]any{"after": oneOf(r, dirPages)} }, nil),
		"nested": g.Op("nested", oursNested, func(*rand.Rand) map[string]any {
			return map[string]any{"alliance": alliance, "n": NestedPage}
		}, nil),
		"node":   g.Op("node", oursNode, func(r *rand.Rand) map[string]any { return map[string]any{"id": org(oneOf(r, f.Organizations))} }, nil),
		"search": g.Op("search", oursSearch, func(r *rand.Rand) map[string]any { return map[string]any{"q": oneOf(r, SearchTerms)} }, nil),
		"path": g.Op("path", oursPath, func(r *rand.Rand) map[string]any {
			return map[string]any{"from": org(oneOf(r, f.Linked)), "to": org(oneOf(r, f.Linked))}
		}, nil),
		"skill-gap": g.Op("skill-gap", oursSkillGap, func(r *rand.Rand) map[string]any { return map[string]any{"after": oneOf(r, gapPages)} }, nil),
		"post-opening": writer.Op("post-opening", oursPostOpening, func(r *rand.Rand) map[string]any {
			return map[string]any{"alliance": alliance, "company": org(oneOf(r, f.Companies))}
		}, noUserErrors),
	}, nil
}

// PostGraphileOps are PostGraphile's equivalents of the operations it can answer alike.
func PostGraphileOps(ctx context.Context, g GraphQL, f Fixtures) (map[string]Op, error) {
	dirPages, err := cursors(ctx, g, postgraphileDirectory, "allOrganizations")
	if err != nil {
		return nil, err
	}
	plainPages, err := cursors(ctx, g, postgraphilePage, "allOrganizations")
	if err != nil {
		return nil, err
	}
	// PostGraphile takes BigInt as a string.
	alliance := fmt.Sprint(f.Alliance)
	return map[string]Op{
		"page":      g.Op("page", postgraphilePage, func(r *rand.Rand) map[string]any { return map[string]any{"after": oneOf(r, plainPages)} }, nil),
		"directory": g.Op("directory", postgraphileDirectory, func(r *rand.Rand) map[string]any { return map[string]any{"after": oneOf(r, dirPages)} }, nil),
		"nested": g.Op("nested", postgraphileNested, func(*rand.Rand) map[string]any {
			return map[string]any{"alliance": alliance, "n": NestedPage}
		}, nil),
		"node": g.Op("node", postgraphileNode, func(r *rand.Rand) map[string]any { return map[string]any{"id": fmt.Sprint(oneOf(r, f.Organizations))} }, nil),
	}, nil
}

var errUserErrors = errors.New("user errors")

// noUserErrors fails a mutation whose payload reports user errors.
func noUserErrors(raw []byte) error {
	if bytes.Contains(raw, []byte(`"userErrors":[]`)) {
		return nil
	}
	return fmt.Errorf("%w: %.200s", errUserErrors, raw)
}
