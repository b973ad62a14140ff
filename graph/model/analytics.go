package model

import "github.com/alliance-graph/alliance-graph/internal/store"

// AllianceAnalytics is an alliance's grouped figures over a period. It carries the store
// so that each group, a field resolver of its own, is read only when the query asks for it.
type AllianceAnalytics struct {
	AllianceID int64
	Range      store.DateRange
	Store      *store.Store
}

// Period is the period counted.
func (a *AllianceAnalytics) Period() *Period { return &Period{From: a.Range.From, To: a.Range.To} }
