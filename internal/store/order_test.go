package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/alliance-graph/alliance-graph/internal/pgtest"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Names sort as a reader expects, forwards, backwards and across pages: English names in
// dictionary order (case second, numbers by value), not by bytes, where "SIASUN" came
// before "Shenbei"; Chinese names by their pinyin reading.
func TestNamesSortInDictionaryAndPinyinOrder(t *testing.T) {
	db := pgtest.New(t, "storeorder")
	if _, err := db.DB.Exec(`INSERT INTO organization (id, kind, name_en, name_zh, industry) VALUES
		(1, 'COMPANY', 'SIASUN Robot & Automation', '新松机器人', 'ROBOTICS'),
		(2, 'COMPANY', 'Shenbei Logistics', '辽宁物流', 'LOGISTICS'),
		(3, 'COMPANY', 'shenyang Machine Tool', '沈阳机床', 'EQUIPMENT_MANUFACTURING'),
		(4, 'COMPANY', 'Centre 10', '东北大学', 'SOFTWARE'),
		(5, 'COMPANY', 'Centre 2', '北方重工', 'EQUIPMENT_MANUFACTURING'),
		(6, 'COMPANY', 'Auerbach Hydraulics', '奥尔巴赫液压', 'EQUIPMENT_MANUFACTURING')`); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	s := store.New(db.DB, nil)
	ctx := context.Background()
	tests := []struct {
		name  string
		order store.Order
		want  []int64
	}{
		{"English names in dictionary order", store.Order{Field: "NAME"}, []int64{6, 5, 4, 2, 3, 1}},
		{"English names backwards", store.Order{Field: "NAME", Desc: true}, []int64{1, 3, 2, 4, 5, 6}},
		// ao, bei, dong, liao, shen, xin (by code point: dong, bei, ao, xin, shen, liao)
		{"Chinese names in pinyin order", store.Order{Field: "NAME_ZH"}, []int64{6, 5, 4, 2, 3, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Two rows a page, each page after the last key of the one before.
			var got []int64
			p := store.Page{Limit: 2}
			for range 4 {
				res, err := s.Organizations(ctx, store.OrganizationFilter{}, tc.order, p)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range res.Rows {
					got = append(got, o.ID)
				}
				if !res.HasNext {
					break
				}
				p.After = &res.Keys[len(res.Keys)-1]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}
