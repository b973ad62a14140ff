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
