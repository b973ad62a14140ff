package server

import "testing"

func TestSameDocumentIgnoresLayoutAndSelectionOrderOnly(t *testing.T) {
	const trusted = `subscription Feed($after: String) { events(after: $after) { edges { cursor node { __typename kind occurredAt payload subjectId } } } }`
	cases := []struct {
		name string
		sent string
		same bool
	}{
		{"the same text", trusted, true},
		{"other whitespace, commas and comments", "subscription Feed($after: String) {\n  # the feed\n  events(after: $after) { edges { cursor, node { __typename, kind, occurredAt, payload, subjectId } } }\n}", true},
		{"selections in another order (Apollo's text against Codegen's sorted manifest)",
			`subscription Feed($after: String) { events(after: $after) { edges { node { __typename kind subjectId occurredAt payload } cursor } } }`, true},
		{"a field more", `subscription Feed($after: String) { events(after: $after) { edges { cursor node { __typename kind occurredAt payload subjectId actor } } } }`, false},
		{"a field less", `subscription Feed($after: String) { events(after: $after) { edges { cursor node { __typename kind occurredAt payload } } } }`, false},
		{"another argument", `subscription Feed($after: String) { events(after: $after, kinds: [SKILL_UPDATED]) { edges { cursor node { __typename kind occurredAt payload subjectId } } } }`, false},
		{"a field moved to another level", `subscription Feed($after: String) { events(after: $after) { edges { cursor kind node { __typename occurredAt payload subjectId } } } }`, false},
		{"an alias", `subscription Feed($after: String) { events(after: $after) { edges { cursor node { __typename k: kind occurredAt payload subjectId } } } }`, false},
		{"another operation name", `subscription Other($after: String) { events(after: $after) { edges { cursor node { __typename kind occurredAt payload subjectId } } } }`, false},
		{"not a document", `subscription {`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := sameDocument(c.sent, trusted); got != c.same {
				t.Errorf("sameDocument = %v, want %v", got, c.same)
			}
		})
	}
}

func TestSameDocumentOrdersFragmentsAndInlineFragments(t *testing.T) {
	a := `query Q { node(id: "1") { ... on School { level } ... on Company { industry } ...F } } fragment F on Node { id } fragment G on Node { id }`
	b := `fragment G on Node { id } query Q { node(id: "1") { ...F ... on Company { industry } ... on School { level } } } fragment F on Node { id }`
	if !sameDocument(a, b) {
		t.Error("the same fragments in another order are another document")
	}
	if c := `query Q { node(id: "1") { ... on School { industry } ... on Company { level } ...F } } fragment F on Node { id } fragment G on Node { id }`; sameDocument(a, c) {
		t.Error("fields swapped between inline fragments are the same document")
	}
}
