package graph

import (
	"slices"
	"strings"
	"unicode"

	"github.com/alliance-graph/alliance-graph/graph/model"
)

// searchTerms lists what highlights mark, folded to lower case: the query, its words of
// two characters or more, and the words standing in for misspelt ones.
func searchTerms(query string, alternates []string) [][]rune {
	q := foldRunes([]rune(strings.TrimSpace(query)))
	terms := [][]rune{q}
	for _, w := range strings.Fields(string(q)) {
		if r := []rune(w); len(r) >= 2 && len(r) < len(q) {
			terms = append(terms, r)
		}
	}
	for _, a := range alternates {
		terms = append(terms, foldRunes([]rune(a)))
	}
	return terms
}

// highlight cuts value into pieces matched and not matched by the terms, and reports
// whether any matched. It compares case-insensitively rune by rune, so Chinese text is
// cut between characters, never inside one, and the pieces join back into value.
func highlight(value string, terms [][]rune) ([]*model.HighlightSegment, bool) {
	text := []rune(value)
	folded := foldRunes(text)
	var spans [][2]int
	for _, t := range terms {
		spans = append(spans, occurrences(folded, t)...)
	}
	if len(spans) == 0 {
		return nil, false
	}
	return segments(text, mergeSpans(spans)), true
}

// foldRunes lower-cases rune by rune, so that positions in the result are positions in s.
func foldRunes(s []rune) []rune {
	out := make([]rune, len(s))
	for i, r := range s {
		out[i] = unicode.ToLower(r)
	}
	return out
}

// occurrences lists the [start, end) rune spans where term occurs in text.
func occurrences(text, term []rune) [][2]int {
	if len(term) == 0 {
		return nil
	}
	var out [][2]int
	for i := 0; i+len(term) <= len(text); i++ {
		if slices.Equal(text[i:i+len(term)], term) {
			out = append(out, [2]int{i, i + len(term)})
		}
	}
	return out
}

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(spans [][2]int) [][2]int {
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var out [][2]int
	for _, s := range spans {
		if n := len(out); n > 0 && s[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}

// segments cuts text at the spans, which are sorted and disjoint.
func segments(text []rune, spans [][2]int) []*model.HighlightSegment {
	var out []*model.HighlightSegment
	at := 0
	for _, s := range spans {
		if s[0] > at {
			out = append(out, &model.HighlightSegment{Text: string(text[at:s[0]])})
		}
		out = append(out, &model.HighlightSegment{Text: string(text[s[0]:s[1]]), Matched: true})
		at = s[1]
	}
	if at < len(text) {
		out = append(out, &model.HighlightSegment{Text: string(text[at:])})
	}
	return out
}
