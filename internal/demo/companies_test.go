package demo

import (
	"strings"
	"testing"
	"unicode"
)

func TestInventedCompanies(t *testing.T) {
	want := map[string]int{}
	total := 0
	for _, p := range generatedCompanyPlan {
		want[p.industry] = p.count
		total += p.count
	}
	if total != 63 || len(inventedCompanies) != total {
		t.Fatalf("%d invented companies, plan wants %d; both must be 63", len(inventedCompanies), total)
	}
	got := map[string]int{}
	for _, c := range inventedCompanies {
		got[c.industry]++
	}
	for ind, n := range want {
		if got[ind] != n {
			t.Errorf("industry %s: %d companies, want %d", ind, got[ind], n)
		}
	}
	for ind := range got {
		if _, ok := want[ind]; !ok {
			t.Errorf("industry %s is not in generatedCompanyPlan", ind)
		}
	}

	names := map[string]string{} // name -> who has it
	for _, s := range companySpecs {
		names[s.en] = "companySpecs " + s.key
		names[s.zh] = "companySpecs " + s.key
	}
	brands := map[string]string{}
	parks := map[string]parkSpec{}
	for _, p := range parkSpecs {
		parks[p.key] = p
	}
	districtOK := map[string]bool{}
	for _, d := range districts {
		districtOK[d.en] = true
	}
	huge := 0
	for _, c := range inventedCompanies {
		for _, n := range []string{c.en, c.zh} {
			if other, dup := names[n]; dup {
				t.Errorf("%s: name %q already used by %s", c.en, n, other)
			}
			names[n] = c.en
			if strings.IndexFunc(n, unicode.IsDigit) >= 0 {
				t.Errorf("%s: name %q has a digit", c.en, n)
			}
		}
		if strings.Contains(c.en, "Branch") || strings.Contains(c.zh, "分公司") {
			t.Errorf("%s: a branch, not a company", c.en)
		}

		// The English and Chinese names must say the same place and brand.
		var restEn, restZh string
		switch {
		case strings.HasPrefix(c.en, "Shenyang ") && strings.HasPrefix(c.zh, "沈阳"):
			restEn, restZh = strings.TrimPrefix(c.en, "Shenyang "), strings.TrimPrefix(c.zh, "沈阳")
		case strings.HasPrefix(c.en, "Liaoning ") && strings.HasPrefix(c.zh, "辽宁"):
			restEn, restZh = strings.TrimPrefix(c.en, "Liaoning "), strings.TrimPrefix(c.zh, "辽宁")
		default:
			t.Errorf("%s / %s: want both names to start with Shenyang/沈阳 or Liaoning/辽宁", c.en, c.zh)
			continue
		}
		if !strings.HasSuffix(c.en, " Co., Ltd.") || !strings.HasSuffix(c.zh, "有限公司") {
			t.Errorf("%s / %s: want a limited company's legal name", c.en, c.zh)
		}
		brandEn := strings.Fields(restEn)[0]
		brandZh := string([]rune(restZh)[:2])
		for _, b := range []string{brandEn, brandZh} {
			if other, dup := brands[b]; dup {
				t.Errorf("%s: brand %q already used by %s", c.en, b, other)
			}
			brands[b] = c.en
		}

		if !districtOK[c.district] {
			t.Errorf("%s: unknown district %q", c.en, c.district)
		}
		if c.park != "" {
			p, ok := parks[c.park]
			if !ok {
				t.Errorf("%s: unknown park %q", c.en, c.park)
			} else if p.district != c.district {
				t.Errorf("%s: in district %s but park %s is in %s", c.en, c.district, c.park, p.district)
			}
		}
		placed := false
		for _, pl := range industryParks[c.industry] {
			placed = placed || pl.park == c.park
		}
		if !placed {
			t.Errorf("%s: park %q is not a place industryParks allows for %s", c.en, c.park, c.industry)
		}

		if c.employees <= 0 {
			t.Errorf("%s: %d employees", c.en, c.employees)
		}
		if c.employees > 5000 {
			huge++
		}
		if c.founded < 1985 || c.founded > 2023 {
			t.Errorf("%s: founded %d, want 1985-2023", c.en, c.founded)
		}
		if c.business[0] == "" || c.business[1] == "" {
			t.Errorf("%s: business %q lacks a language", c.en, c.business)
		}
	}
	if huge > 2 {
		t.Errorf("%d invented companies above 5000 employees, want at most 2", huge)
	}
}

// The remaining companies are invented (companies.go); the plan fixes how many of each
// industry there are (63, so that 23 + 63 = 86).
var generatedCompanyPlan = []struct {
	industry string
	count    int
}{
	{"EQUIPMENT_MANUFACTURING", 10}, {"AUTOMOTIVE", 10}, {"AEROSPACE", 5}, {"ROBOTICS", 6},
	{"SOFTWARE", 7}, {"ELECTRONICS", 6}, {"NEW_MATERIALS", 4}, {"BIOMEDICINE", 3},
	{"ENERGY", 3}, {"LOGISTICS", 3}, {"CONSTRUCTION", 3}, {"SERVICES", 3},
}

// Where invented companies of an industry are located: park keys with weights; "" is
// outside any park, with the district then drawn from districts.
var industryParks = map[string][]struct {
	park   string
	weight int
}{
	"EQUIPMENT_MANUFACTURING": {{"tiexi", 6}, {"sinogerman", 2}, {"shenbei", 1}, {"", 1}},
	"AUTOMOTIVE":              {{"shenbei", 5}, {"sinogerman", 3}, {"tiexi", 1}, {"", 1}},
	"AEROSPACE":               {{"aviation", 7}, {"", 3}},
	"ROBOTICS":                {{"hunnan", 7}, {"sinogerman", 2}, {"", 1}},
	"SOFTWARE":                {{"software", 6}, {"hunnan", 3}, {"", 1}},
	"ELECTRONICS":             {{"hunnan", 7}, {"", 3}},
	"NEW_MATERIALS":           {{"tiexi", 6}, {"aviation", 2}, {"", 2}},
	"BIOMEDICINE":             {{"hunnan", 8}, {"", 2}},
	"ENERGY":                  {{"tiexi", 5}, {"", 5}},
	"LOGISTICS":               {{"shenbei", 4}, {"aviation", 3}, {"", 3}},
	"CONSTRUCTION":            {{"", 1}},
	"SERVICES":                {{"", 1}},
}
