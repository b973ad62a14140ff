package store

import "context"

// TrainingCenterFilter selects training centres.
type TrainingCenterFilter struct {
	Alliances []int64
	Operators []int64
	Search    *string
}

var centerOrders = map[string]sortKey{
	"NAME":           {byName("tc.name_en"), "text"},
	"ESTABLISHED_ON": {"tc.established_on", "date"},
}

func centerList(f TrainingCenterFilter, o Order) *list {
	l := &list{cols: "tc.*", from: "training_center tc", id: "tc.id", parent: "tc.alliance_id", orders: centerOrders, order: o}
	inIDs(l, "tc.alliance_id", f.Alliances)
	inIDs(l, "tc.operator_id", f.Operators)
	contains(l, f.Search, "tc.name_en", "tc.name_zh")
	return l
}

func centerID(c *TrainingCenter) int64 { return c.ID }

// TrainingCenters lists training centres.
func (s *Store) TrainingCenters(ctx context.Context, f TrainingCenterFilter, o Order, p Page) (Result[TrainingCenter], error) {
	return page(ctx, s, "training centres", centerList(f, o), p, centerID)
}

// CountTrainingCenters counts the centres f selects.
func (s *Store) CountTrainingCenters(ctx context.Context, f TrainingCenterFilter) (int, error) {
	return count(ctx, s, "training centres", centerList(f, Order{}))
}

// AllianceTrainingCenters lists each alliance's centres.
func (s *Store) AllianceTrainingCenters(ctx context.Context, alliances []int64, f TrainingCenterFilter, o Order, p Page) (map[int64]Result[TrainingCenter], error) {
	return pages(ctx, s, "alliance training centres", centerList(f, o), alliances, p, centerID)
}

// CountAllianceTrainingCenters counts each alliance's centres.
func (s *Store) CountAllianceTrainingCenters(ctx context.Context, alliances []int64, f TrainingCenterFilter) (map[int64]int, error) {
	return counts(ctx, s, "alliance training centres", centerList(f, Order{}), alliances)
}

// TrainingCentersByID loads centres by id.
func (s *Store) TrainingCentersByID(ctx context.Context, ids []int64) (map[int64]*TrainingCenter, error) {
	return byID(ctx, s, "training centres", "SELECT * FROM training_center WHERE id = ANY($1)", ids, centerID)
}

// LinksOfCenters lists, per centre, the organizations it links besides its operator.
func (s *Store) LinksOfCenters(ctx context.Context, centers []int64) (map[int64][]Link, error) {
	return groupList(ctx, s, "centre links", centerLinkList, "o", "ol.training_center_id AS owner_id, o.id AS other_id", Scope{},
		centers, func(l *Link) int64 { return l.OwnerID })
}

// centerLinkList is the organizations linked to a training centre, by kind and name.
var centerLinkList = &ManyDecl{To: "organization",
	Key: func(a string) string { return a + "l.training_center_id" },
	From: func(a string) string {
		return "training_center_link " + a + "l JOIN organization " + a + " ON " + a + ".id = " + a + "l.organization_id"
	},
	Order: func(a string) string { return a + ".kind, " + byName(a+".name_en") + ", " + a + ".id" },
}
