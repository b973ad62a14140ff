package model

import "github.com/alliance-graph/alliance-graph/internal/store"

// AllianceAnalytics is an alliance's grouped figures over a period; each group is read
// when asked for.
type AllianceAnalytics struct {
	AllianceID int64
	Range      store.DateRange
}

// Period is the period counted.
func (a *AllianceAnalytics) Period() *Period { return &Period{From: a.Range.From, To: a.Range.To} }
