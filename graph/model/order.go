package model

import "github.com/alliance-graph/alliance-graph/internal/store"

// OrderField is a value a connection can be sorted by; every *OrderField enum of the
// schema binds to it, so one conversion serves every connection.
type OrderField string

// Order is a sort order as given in a connection's orderBy; every *Order input of the
// schema binds to it.
type Order struct {
	Field     OrderField
	Direction *OrderDirection
}

// Store converts o to the store's order, using def when o is nil.
func (o *Order) Store(def OrderField) store.Order {
	if o == nil {
		return store.Order{Field: string(def)}
	}
	return store.Order{Field: string(o.Field), Desc: o.Direction != nil && *o.Direction == OrderDirectionDesc}
}
