package graph

import (
	"slices"
	"strings"
	"unicode"

	"github.com/alliance-graph/alliance-graph/graph/model"
)

// highlight cuts value into pieces matched and not matched by query. It marks, case-
// insensitively and rune by rune (so Chinese text is cut between characters, never inside
// one), every occurrence of the whole query and of each of its words of two characters or
// more. A field found only through typo tolerance contains none of them; then the word of
// the field most similar to each query word (by trigrams, as pg_trgm compares them) is
// marked, so "weldng" marks "Welding".
func highlight(value, query string) []*model.HighlightSegment {
	text := []rune(value)
	folded := foldRunes(text)
	terms := searchTerms(query)
	var spans [][2]int
	for _, t := range terms {
		spans = append(spans, occurrences(folded, t)...)
	}
	if len(spans) == 0 {
		spans = similarWords(folded, terms)
	}
	return segments(text, mergeSpans(spans))
}

// foldRunes lower-cases rune by rune, so that positions in the result are positions in s.
func foldRunes(s []rune) []rune {
	out := make([]rune, len(s))
	for i, r := range s {
		out[i] = unicode.ToLower(r)
	}
	return out
}

// searchTerms is the folded query and its words of at least two characters.
func searchTerms(query string) [][]rune {
	q := foldRunes([]rune(strings.TrimSpace(query)))
	terms := [][]rune{q}
	for _, w := range strings.Fields(string(q)) {
		if r := []rune(w); len(r) >= 2 && len(r) < len(q) {
			terms = append(terms, r)
		}
	}
	return terms
}

// occurrences lists the [start, end) rune spans where term occurs in text.
func occurrences(text, term []rune) [][2]int {
	var out [][2]int
	if len(term) == 0 {
		return nil
	}
	for i := 0; i+len(term) <= len(text); i++ {
		if slices.Equal(text[i:i+len(term)], term) {
			out = append(out, [2]int{i, i + len(term)})
		}
	}
	return out
}

// wordSpans lists the [start, end) rune spans of the words of text: runs of letters and
// digits, as pg_trgm splits words.
func wordSpans(text []rune) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range text {
		alnum := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case alnum && start < 0:
			start = i
		case !alnum && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(text)})
	}
	return out
}

// minWordSimilarity is how similar a field's word must be to a query word to be marked
// when nothing matches literally; lower than the search's threshold because that one
// compares the query with a stretch of the field, not word with word.
const minWordSimilarity = 0.3

// similarWords marks, for each query word, the most similar word of text.
func similarWords(text []rune, terms [][]rune) [][2]int {
	words := wordSpans(text)
	var out [][2]int
	for _, term := range terms {
		for _, tw := range wordSpans(term) {
			tg := trigrams(term[tw[0]:tw[1]])
			best, bestSim := -1, minWordSimilarity
			for i, w := range words {
				if sim := similarity(tg, trigrams(text[w[0]:w[1]])); sim >= bestSim {
					best, bestSim = i, sim
				}
			}
			if best >= 0 {
				out = append(out, words[best])
			}
		}
	}
	return out
}

// trigrams is the set of trigrams of a word padded as pg_trgm pads it: two blanks before,
// one after.
func trigrams(word []rune) map[string]bool {
	padded := append(append([]rune{' ', ' '}, word...), ' ')
	set := make(map[string]bool, len(padded))
	for i := 0; i+3 <= len(padded); i++ {
		set[string(padded[i:i+3])] = true
	}
	return set
}

// similarity is the share of trigrams two sets have in common.
func similarity(a, b map[string]bool) float64 {
	common := 0
	for t := range a {
		if b[t] {
			common++
		}
	}
	all := len(a) + len(b) - common
	if all == 0 {
		return 0
	}
	return float64(common) / float64(all)
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
	if at < len(text) || len(out) == 0 {
		out = append(out, &model.HighlightSegment{Text: string(text[at:])})
	}
	return out
}
