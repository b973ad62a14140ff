package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

// An organization's partnerships count the same whether the count reads the participant
// rows alone (no filter) or joins the partnerships (a filter that keeps them all), and a
// filter that keeps some counts only those (the outcomes fixture: S1 takes part in P1
// and P3, S2 in P2 and P4, C1 in P1 and P2, C3 in P3, the bureau in none).
func TestOrganizationPartnershipsCountWithAndWithoutFilters(t *testing.T) {
	s := outcomeStore(t)
	ctx := context.Background()
	orgs := []int64{1, 2, 3, 5, 6}
	tests := []struct {
		name   string
		filter store.PartnershipFilter
		want   map[int64]int
	}{
		{"no filter", store.PartnershipFilter{}, map[int64]int{1: 2, 2: 2, 3: 2, 5: 1, 6: 0}},
		{"every status", store.PartnershipFilter{Statuses: []store.PartnershipStatus{"SIGNED", "ACTIVE", "COMPLETED"}}, map[int64]int{1: 2, 2: 2, 3: 2, 5: 1, 6: 0}},
		{"active only", store.PartnershipFilter{Statuses: []store.PartnershipStatus{"ACTIVE"}}, map[int64]int{1: 2, 2: 0, 3: 1, 5: 1, 6: 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CountOrganizationPartnerships(ctx, orgs, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
		})
	}
}
