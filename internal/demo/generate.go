package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Sizes of one scale unit besides the fixed tables.
const (
	facilitiesPerCenter  = 3
	standaloneFacilities = 10
	teachersPerUnit      = 120
	coursesPerUnit       = 150
	openingsPerUnit      = 300
	talentsPerUnit       = 2000
	laterPartnerships    = 90
	leavingMembers       = 3
	observerCompanies    = 3
)

// ids holds the last id used in each table with a bigserial key.
type ids struct {
	alliance, org, membership, partnership, center, skill, resource, talent, placement int64
}

// gen builds the whole demo in memory; Load then streams it to the database.
type gen struct {
	r     *rand.Rand
	scale int
	base  ids // last ids in the database before the load
	last  ids

	allianceID int64
	skills     []skill
	skillIdx   map[string]int

	orgs         []*org
	partnerships []*partnership
	participants []participant
	invitations  []invitation
	centers      []*center
	centerLinks  []pair
	resources    []*resource
	shares       []pair
	courseTeach  []pair
	talents      []*talent
	enrollments  []enrollment
	placements   []placement

	copies []*copyState
}

type copyState struct {
	n                              int
	byKey                          map[string]*org
	orgs                           []*org
	schools, companies             []*org
	agencies, parks                []*org
	activeSchools, activeCompanies []*org
	foreignCompanies               []*org
	schoolPick                     picker // for talents
	employerPick                   picker // for openings
	centers                        []*center
	teachersBySkill                map[int][]*resource
	teachers                       []*resource
	talents                        []*talent
	matchingSchools                map[string][]*org // industry -> schools teaching its skills
}

func newGen(scale int, base ids, existingSkills map[string]int64) (*gen, error) {
	g := &gen{
		r:        rand.New(rand.NewPCG(0x5eed_2024_0817, 0xa11a_4ce5_4e47)),
		scale:    scale,
		base:     base,
		last:     base,
		skillIdx: make(map[string]int, len(skillSpecs)),
	}
	g.last.alliance++
	g.allianceID = g.last.alliance
	for i := range skillSpecs {
		s := skill{spec: &skillSpecs[i], parent: -1}
		if id, ok := existingSkills[s.spec.code]; ok {
			s.id = id
		} else {
			g.last.skill++
			s.id = g.last.skill
			s.isNew = true
		}
		if s.spec.parent != "" {
			p, ok := g.skillIdx[s.spec.parent]
			if !ok {
				return nil, fmt.Errorf("demo: skill %s: parent %s is not defined before it", s.spec.code, s.spec.parent)
			}
			s.parent = p
		}
		g.skillIdx[s.spec.code] = len(g.skills)
		g.skills = append(g.skills, s)
	}
	return g, nil
}

func (g *gen) skillsOf(codes []string) ([]int, error) {
	out := make([]int, 0, len(codes))
	for _, c := range codes {
		i, ok := g.skillIdx[c]
		if !ok {
			return nil, fmt.Errorf("demo: unknown skill code %q", c)
		}
		out = append(out, i)
	}
	return out, nil
}

func (g *gen) run() error {
	for c := 0; c < g.scale; c++ {
		cs, err := g.organizations(c)
		if err != nil {
			return err
		}
		g.copies = append(g.copies, cs)
	}
	for _, cs := range g.copies {
		g.memberships(cs)
	}
	for _, cs := range g.copies {
		steps := []func(*copyState) error{
			g.kickoff, g.trainingCenters, g.facilities, g.teachers, g.talentPool,
			g.courses, g.openings, g.competitionResults, g.laterPartnerships,
		}
		for _, step := range steps {
			if err := step(cs); err != nil {
				return err
			}
		}
	}
	g.resourceShares()
	return nil
}

func copySuffix(c int, en, zh string) (string, string) {
	if c == 0 {
		return "", ""
	}
	return fmt.Sprintf(" (%s %d)", en, c+1), fmt.Sprintf("（第%d%s）", c+1, zh)
}

func districtByName(name string) *districtSpec {
	for i := range districts {
		if districts[i].en == name {
			return &districts[i]
		}
	}
	return &districts[0]
}

func districtLabel(name string) string {
	switch name {
	case "Xinmin":
		return "Xinmin City"
	case "Faku", "Kangping":
		return name + " County"
	}
	return name + " District"
}

func (g *gen) address(district string) string {
	d := districtByName(district)
	return fmt.Sprintf("No. %d %s, %s, Shenyang", 1+g.r.IntN(288), pick(g.r, d.streets), districtLabel(district))
}

func shortCompany(en, zh string) (string, string) {
	for _, s := range []string{" Co., Ltd.", " Ltd.", " Corporation", " Company"} {
		en = strings.TrimSuffix(en, s)
	}
	for _, s := range []string{"股份有限公司", "有限责任公司", "有限公司"} {
		zh = strings.TrimSuffix(zh, s)
	}
	return en, zh
}

func sizeOf(employees int) string {
	switch {
	case employees < 20:
		return "MICRO"
	case employees < 300:
		return "SMALL"
	case employees < 1000:
		return "MEDIUM"
	case employees < 5000:
		return "LARGE"
	}
	return "ENTERPRISE"
}

func article(s string) string {
	if s != "" && strings.ContainsRune("AEIOUaeiou", rune(s[0])) {
		return "An " + s
	}
	return "A " + s
}

// vary scales a count by a factor in [0.75, 1.25] for copies beyond the first.
func (g *gen) vary(c, n, step int) int {
	if c == 0 {
		return n
	}
	v := roundTo(float64(n)*(0.75+0.5*g.r.Float64()), step)
	if v < step {
		v = step
	}
	return v
}

func (g *gen) newOrg(cs *copyState, o *org) {
	g.last.org++
	o.id = g.last.org
	o.copy = cs.n
	g.orgs = append(g.orgs, o)
	cs.orgs = append(cs.orgs, o)
	if o.key != "" {
		cs.byKey[o.key] = o
	}
}

func (g *gen) organizations(c int) (*copyState, error) {
	cs := &copyState{n: c, byKey: map[string]*org{}, teachersBySkill: map[int][]*resource{}, matchingSchools: map[string][]*org{}}

	sfxEn, sfxZh := copySuffix(c, "Zone", "园区")
	for i := range parkSpecs {
		p := &parkSpecs[i]
		var skills []int
		for _, ind := range p.focus[:2] {
			s, err := g.skillsOf(industrySkills[ind])
			if err != nil {
				return nil, err
			}
			for _, x := range s {
				if !contains(skills, x) {
					skills = append(skills, x)
				}
			}
		}
		o := &org{kind: kindPark, key: p.key, nameEn: p.en + sfxEn, nameZh: p.zh + sfxZh, district: p.district,
			founded: p.founded, area: p.area, focusIndustries: p.focus, skills: skills,
			desc: fmt.Sprintf("%s Area %s km², %s.", p.desc, p.area, districtLabel(p.district))}
		o.shortEn, o.shortZh = o.nameEn, o.nameZh
		g.newOrg(cs, o)
		cs.parks = append(cs.parks, o)
	}

	sfxEn, sfxZh = copySuffix(c, "Branch Office", "分支机构")
	for i := range agencySpecs {
		a := &agencySpecs[i]
		skills, err := g.skillsOf([]string{"GEN.SAFE", "GEN.LEAN", "MFG.CNC", "AUT.ELEC", "SRV.CARE"})
		if err != nil {
			return nil, err
		}
		o := &org{kind: kindAgency, key: a.key, nameEn: a.en + sfxEn, nameZh: a.zh + sfxZh, district: a.district,
			jurisdiction: a.jurisdiction, desc: a.desc, skills: skills}
		o.shortEn, o.shortZh = o.nameEn, o.nameZh
		g.newOrg(cs, o)
		cs.agencies = append(cs.agencies, o)
	}

	sfxEn, sfxZh = copySuffix(c, "Campus", "校区")
	for i := range schoolSpecs {
		s := &schoolSpecs[i]
		skills, err := g.skillsOf(focusSkills[s.focus])
		if err != nil {
			return nil, err
		}
		all := focusMajors[s.focus]
		k := 3 + g.r.IntN(3)
		if s.level == "UNIVERSITY" {
			k += 2
		}
		k = min(k, len(all))
		off := g.r.IntN(len(all))
		majors := make([]string, 0, k)
		for j := 0; j < k; j++ {
			majors = append(majors, all[(off+j)%len(all)])
		}
		students := g.vary(c, s.students, 100)
		o := &org{kind: kindSchool, key: s.key, nameEn: s.en + sfxEn, nameZh: s.zh + sfxZh, district: s.district,
			founded: s.founded, level: s.level, focus: s.focus, majors: majors, students: students, skills: skills}
		if c == 0 {
			o.website = s.website
		}
		o.shortEn, o.shortZh = o.nameEn, o.nameZh
		o.desc = fmt.Sprintf("%s in %s, Shenyang, with about %d students. Main majors: %s.",
			schoolLevelPhrase[s.level], districtLabel(s.district), students, strings.Join(majors[:min(3, len(majors))], ", "))
		g.newOrg(cs, o)
		cs.schools = append(cs.schools, o)
	}

	parkByKey := func(k string) *org { return cs.byKey[k] }
	sfxEn, sfxZh = copySuffix(c, "Branch", "分公司")
	addCompany := func(o *org) error {
		skills, err := g.skillsOf(industrySkills[o.industry])
		if err != nil {
			return err
		}
		o.skills = skills
		o.size = sizeOf(o.employees)
		se, sz := shortCompany(o.nameEn, o.nameZh)
		o.shortEn, o.shortZh = se+sfxEn, sz+sfxZh
		o.nameEn += sfxEn
		o.nameZh += sfxZh
		lead := industryPhrase[o.industry]
		switch o.origin {
		case "DE":
			lead = "German-invested " + lead
		case "FR":
			lead = "French-invested " + lead
		}
		o.desc = fmt.Sprintf("%s in %s, Shenyang, with about %d employees.", article(lead), districtLabel(o.district), o.employees)
		if o.park != nil {
			o.desc += " Located in the " + strings.TrimSuffix(o.park.nameEn, sfxEnPark(c)) + "."
		}
		g.newOrg(cs, o)
		cs.companies = append(cs.companies, o)
		if o.origin != "" {
			cs.foreignCompanies = append(cs.foreignCompanies, o)
		}
		return nil
	}
	for i := range companySpecs {
		s := &companySpecs[i]
		o := &org{kind: kindCompany, key: s.key, nameEn: s.en, nameZh: s.zh, industry: s.industry,
			employees: g.vary(c, s.employees, 5), district: s.district, founded: s.founded, origin: s.origin}
		if s.park != "" {
			o.park = parkByKey(s.park)
			if o.park == nil {
				return nil, fmt.Errorf("demo: company %s: unknown park %q", s.key, s.park)
			}
		}
		if c == 0 {
			o.website = s.website
		}
		if err := addCompany(o); err != nil {
			return nil, err
		}
	}
	gi := 0
	for _, plan := range generatedCompanyPlan {
		for j := 0; j < plan.count; j++ {
			brand := companyBrands[gi%len(companyBrands)]
			gi++
			biz := pick(g.r, industryBusinesses[plan.industry])
			o := &org{kind: kindCompany, industry: plan.industry,
				nameEn: fmt.Sprintf("Shenyang %s %s Co., Ltd.", brand[0], biz[0]),
				nameZh: fmt.Sprintf("沈阳%s%s有限公司", brand[1], biz[1])}
			switch weighted(g.r, 5, 45, 30, 17, 3) {
			case 0:
				o.employees = 5 + g.r.IntN(15)
			case 1:
				o.employees = 20 + g.r.IntN(280)
			case 2:
				o.employees = 300 + g.r.IntN(700)
			case 3:
				o.employees = 1000 + g.r.IntN(4000)
			default:
				o.employees = 5000 + g.r.IntN(7000)
			}
			o.founded = 1985 + int(math.Sqrt(g.r.Float64())*38)
			places := industryParks[plan.industry]
			w := make([]int, len(places))
			for k, p := range places {
				w[k] = p.weight
			}
			if pk := places[weighted(g.r, w...)].park; pk != "" {
				o.park = parkByKey(pk)
				o.district = o.park.district
			} else {
				o.district = pick(g.r, districts[:9]).en
			}
			if err := addCompany(o); err != nil {
				return nil, err
			}
		}
	}
	if len(cs.schools) != 45 || len(cs.companies) != 86 {
		return nil, fmt.Errorf("demo: tables give %d schools and %d companies, want 45 and 86", len(cs.schools), len(cs.companies))
	}

	// Matching schools per industry: those teaching at least one skill the industry needs.
	for _, plan := range generatedCompanyPlan {
		need, _ := g.skillsOf(industrySkills[plan.industry])
		for _, s := range cs.schools {
			if overlap(g.specific(s.skills), need) > 0 {
				cs.matchingSchools[plan.industry] = append(cs.matchingSchools[plan.industry], s)
			}
		}
	}
	return cs, nil
}

func sfxEnPark(c int) string {
	s, _ := copySuffix(c, "Zone", "园区")
	return s
}

func overlap(a, b []int) int {
	n := 0
	for _, x := range a {
		for _, y := range b {
			if x == y {
				n++
				break
			}
		}
	}
	return n
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// signatoryKeys are the organisations taking part in the kick-off projects.
func signatoryKeys() []string {
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, k := range kickoffSpecs {
		add(k.lead)
		for _, p := range k.partners {
			add(p)
		}
		for _, s := range k.sponsors {
			add(s)
		}
	}
	return keys
}

func (g *gen) memberships(cs *copyState) {
	roles := map[*org]string{}
	for _, k := range signatoryKeys() {
		roles[cs.byKey[k]] = "FOUNDING_MEMBER"
	}
	roles[cs.byKey["hrss"]] = "FOUNDING_MEMBER"
	for _, k := range councilKeys {
		roles[cs.byKey[k]] = "COUNCIL_MEMBER"
	}
	for _, k := range observerKeys {
		roles[cs.byKey[k]] = "OBSERVER"
	}
	var generated []*org
	for _, o := range cs.companies {
		if o.key == "" {
			generated = append(generated, o)
		}
	}
	perm := g.r.Perm(len(generated))
	for i := 0; i < observerCompanies; i++ {
		roles[generated[perm[i]]] = "OBSERVER"
	}
	leaving := map[*org]bool{}
	for i := observerCompanies; i < observerCompanies+leavingMembers; i++ {
		leaving[generated[perm[i]]] = true
	}
	late := mkDay(2024, 12, 31)
	for _, o := range cs.orgs {
		role := roles[o]
		if role == "" {
			role = "MEMBER"
		}
		g.last.membership++
		o.membershipID = g.last.membership
		o.role = role
		switch {
		case role == "FOUNDING_MEMBER":
			o.joined = dayFounded
		case role == "COUNCIL_MEMBER":
			o.joined = between(g.r, dayFounded+2, mkDay(2024, 11, 30))
		case role == "OBSERVER":
			o.joined = between(g.r, mkDay(2024, 9, 1), mkDay(2026, 6, 30))
		case leaving[o]:
			o.joined = between(g.r, dayFounded+1, mkDay(2025, 6, 30))
			o.left = between(g.r, o.joined+120, dayAsOf)
		case o.key != "" || chance(g.r, 0.75): // the well-known members all joined in 2024
			o.joined = between(g.r, dayFounded+1, late)
		default:
			o.joined = growing(g.r, late+1, mkDay(2026, 9, 30))
		}
		if o.left == 0 {
			switch o.kind {
			case kindSchool:
				cs.activeSchools = append(cs.activeSchools, o)
			case kindCompany:
				cs.activeCompanies = append(cs.activeCompanies, o)
			}
		}
	}
	levelFactor := map[string]float64{"UNIVERSITY": 0.2, "HIGHER_VOCATIONAL_COLLEGE": 1, "TECHNICIAN_COLLEGE": 1.6, "SECONDARY_VOCATIONAL_SCHOOL": 1.6}
	cs.schoolPick = newPicker(cs.schools, func(o *org) float64 { return float64(o.students) * levelFactor[o.level] })
	cs.employerPick = newPicker(cs.activeCompanies, func(o *org) float64 { return math.Sqrt(float64(o.employees)) })
}

func (g *gen) addPartnership(p *partnership, members []*org, roles []string) {
	g.last.partnership++
	p.id = g.last.partnership
	var joined day
	if p.status != "PROPOSED" {
		joined = p.signed
	}
	for i, o := range members {
		// Dates derived, not drawn, so that the random stream, and with it the rest of
		// the demo, stays as it was before consent existed. The lead proposed; the others
		// accepted before the signing or, while the partnership is only proposed, have
		// yet to answer, and take no part until they do.
		switch {
		case roles[i] == "LEAD":
		case p.status == "PROPOSED":
			g.invitations = append(g.invitations, invitation{partnership: p.id, org: o.id, role: roles[i], invited: p.proposed})
			continue
		default:
			g.invitations = append(g.invitations, invitation{partnership: p.id, org: o.id, role: roles[i], invited: p.signed - 14, answered: p.signed - 7})
		}
		g.participants = append(g.participants, participant{partnership: p.id, org: o.id, role: roles[i], joined: joined})
	}
	g.partnerships = append(g.partnerships, p)
}

func (g *gen) kickoff(cs *copyState) error {
	for i := range kickoffSpecs {
		k := &kickoffSpecs[i]
		var members []*org
		var roles []string
		add := func(key, role string) error {
			o := cs.byKey[key]
			if o == nil {
				return fmt.Errorf("demo: kick-off project %q: unknown organisation %q", k.en, key)
			}
			members = append(members, o)
			roles = append(roles, role)
			return nil
		}
		if err := add(k.lead, "LEAD"); err != nil {
			return err
		}
		for _, p := range k.partners {
			if err := add(p, "PARTNER"); err != nil {
				return err
			}
		}
		for _, s := range k.sponsors {
			if err := add(s, "SPONSOR"); err != nil {
				return err
			}
		}
		p := &partnership{kind: k.kind, status: k.status, titleEn: k.en, titleZh: k.zh, desc: k.desc + " Signed at the alliance's kick-off meeting.",
			signed: dayFounded, starts: between(g.r, mkDay(2024, 9, 1), mkDay(2024, 10, 15))}
		if k.status == "COMPLETED" {
			p.ends = mkDay(2025, 12, 31)
		}
		g.addPartnership(p, members, roles)
	}
	return nil
}

func (g *gen) trainingCenters(cs *copyState) error {
	sfxEn, sfxZh := copySuffix(cs.n, "Site", "分中心")
	for i := range centerSpecs {
		s := &centerSpecs[i]
		op := cs.byKey[s.operator]
		if op == nil {
			return fmt.Errorf("demo: centre %s: unknown operator %q", s.key, s.operator)
		}
		skills, err := g.skillsOf(s.skills)
		if err != nil {
			return err
		}
		g.last.center++
		c := &center{id: g.last.center, operator: op, nameEn: s.en + sfxEn, nameZh: s.zh + sfxZh,
			address: g.address(op.district), desc: s.desc,
			established: maxDay(mkDay(s.established[0], timeMonth(s.established[1]), s.established[2]), op.joined),
			skills:      skills}
		if op.operatesCenter == nil {
			op.operatesCenter = c
		}
		for _, k := range s.links {
			o := cs.byKey[k]
			if o == nil {
				return fmt.Errorf("demo: centre %s: unknown member %q", s.key, k)
			}
			c.links = append(c.links, o)
			g.centerLinks = append(g.centerLinks, pair{c.id, o.id})
		}
		g.centers = append(g.centers, c)
		cs.centers = append(cs.centers, c)
	}
	return nil
}

func (g *gen) newResource(res *resource) {
	g.last.resource++
	res.id = g.last.resource
	g.resources = append(g.resources, res)
}

func (g *gen) equipment(sp *skillSpec) []string {
	all := sp.equipment
	k := min(len(all), 3+g.r.IntN(3))
	off := g.r.IntN(len(all))
	out := make([]string, 0, k)
	for j := 0; j < k; j++ {
		out = append(out, all[(off+j)%len(all)])
	}
	return out
}

func (g *gen) facility(provider *org, c *center, s int, earliest day) *resource {
	sp := g.skills[s].spec
	noun := facilityNoun[sp.category]
	ownerEn, ownerZh := provider.shortEn, provider.shortZh
	if c != nil {
		ownerEn, ownerZh = c.nameEn, c.nameZh
	}
	capacity := 20 + 5*g.r.IntN(21)
	eq := g.equipment(sp)
	res := &resource{provider: provider, category: "TRAINING_FACILITY", center: c,
		titleEn:       fmt.Sprintf("%s %s, %s", sp.en, noun[0], ownerEn),
		titleZh:       fmt.Sprintf("%s%s%s", ownerZh, sp.zh, noun[1]),
		desc:          fmt.Sprintf("%d-place %s for %s training, equipped with %s.", capacity, strings.ToLower(noun[0]), sp.en, strings.Join(eq, ", ")),
		sharedWithAll: chance(g.r, 0.9),
		sharedOn:      between(g.r, maxDay(earliest, provider.joined), minDay(maxDay(earliest, provider.joined)+75, dayAsOf)),
		capacity:      capacity, address: g.address(provider.district), equipment: eq,
		skills: []rskill{{s, 3}}}
	g.newResource(res)
	if provider.facilitiesBySkill == nil {
		provider.facilitiesBySkill = map[int][]*resource{}
	}
	provider.facilitiesBySkill[s] = append(provider.facilitiesBySkill[s], res)
	provider.facilitiesProvided = append(provider.facilitiesProvided, res)
	if c != nil {
		c.facilities = append(c.facilities, res)
	}
	return res
}

// teachingMembers are a centre's operator and linked schools and companies.
func teachingMembers(c *center) []*org {
	out := []*org{c.operator}
	for _, o := range c.links {
		if o.kind == kindSchool || o.kind == kindCompany {
			out = append(out, o)
		}
	}
	return out
}

func (g *gen) facilities(cs *copyState) error {
	for _, c := range cs.centers {
		members := teachingMembers(c)
		for f := 0; f < facilitiesPerCenter; f++ {
			provider := c.operator
			if f > 0 && len(members) > 1 {
				provider = members[1+g.r.IntN(len(members)-1)]
			}
			g.facility(provider, c, c.skills[f%len(c.skills)], c.established)
		}
	}
	for i := 0; i < standaloneFacilities; i++ {
		school := pick(g.r, cs.activeSchools)
		g.facility(school, nil, pick(g.r, school.skills), dayFounded)
	}
	return nil
}

func (g *gen) person() (en, zh, sur, given string) {
	s := surnames[int(float64(len(surnames))*math.Pow(g.r.Float64(), 2))]
	n := pick(g.r, givenNames)
	return s[0] + " " + n[0], s[1] + n[1], s[0], n[0]
}

func (g *gen) teachers(cs *copyState) error {
	bigCompanies := make([]*org, 0)
	for _, o := range cs.activeCompanies {
		if o.employees >= 300 {
			bigCompanies = append(bigCompanies, o)
		}
	}
	for i := 0; i < teachersPerUnit; i++ {
		var provider *org
		var titles [][2]string
		dualP := 0.55
		if chance(g.r, 0.85) || len(bigCompanies) == 0 {
			provider = pick(g.r, cs.activeSchools)
			titles = teacherTitles[provider.level]
		} else {
			provider = pick(g.r, bigCompanies)
			titles = teacherTitles["COMPANY"]
			dualP = 0.8
		}
		ti := g.r.IntN(len(titles))
		title := titles[ti]
		years := 2 + g.r.IntN(20)
		if ti == 0 {
			years = 15 + g.r.IntN(20)
		} else if ti == 1 {
			years = 8 + g.r.IntN(20)
		}
		en, zh, _, _ := g.person()
		n := 1 + weighted(g.r, 40, 40, 20)
		perm := g.r.Perm(len(provider.skills))
		var skills []rskill
		for j := 0; len(skills) < n && j < len(perm); j++ {
			if hasSkill(skills, provider.skills[perm[j]]) {
				continue
			}
			lvl := 3 + g.r.IntN(2)
			if len(skills) == 0 {
				lvl = 4 + g.r.IntN(2)
			}
			skills = append(skills, rskill{provider.skills[perm[j]], lvl})
		}
		main := g.skills[skills[0].skill].spec
		dual := chance(g.r, dualP)
		desc := fmt.Sprintf("%d years of experience teaching %s.", years, main.en)
		if dual {
			desc = fmt.Sprintf("Dual-qualified teacher holding both a teaching and an industry qualification; %d years of experience in %s.", years, main.en)
		}
		res := &resource{provider: provider, category: "TEACHER",
			titleEn: fmt.Sprintf("%s – %s, %s", en, title[0], main.en),
			titleZh: fmt.Sprintf("%s（%s，%s）", zh, main.zh, title[1]),
			desc:    desc, sharedWithAll: chance(g.r, 0.9),
			sharedOn:    growing(g.r, maxDay(provider.joined, dayFounded), dayAsOf-10),
			teacherName: en, teacherTitle: title[0], dualQualified: dual, years: years, skills: skills}
		if provider.operatesCenter != nil && chance(g.r, 0.6) {
			res.center = provider.operatesCenter
			res.sharedOn = maxDay(res.sharedOn, res.center.established)
		}
		g.newResource(res)
		cs.teachers = append(cs.teachers, res)
		for _, s := range skills {
			cs.teachersBySkill[s.skill] = append(cs.teachersBySkill[s.skill], res)
		}
	}
	return nil
}

func (g *gen) talentPool(cs *copyState) error {
	safety := g.skillIdx["GEN.SAFE"]
	for i := 0; i < talentsPerUnit; i++ {
		g.last.talent++
		t := &talent{id: g.last.talent}
		en, zh, sur, given := g.person()
		t.fullName, t.nameZh = en, zh
		t.email = fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(sur), strings.ToLower(given), t.id)
		t.phone = fmt.Sprintf("+86 1%d%d %04d %04d", pick(g.r, []int{3, 5, 8, 9}), g.r.IntN(10), g.r.IntN(10000), g.r.IntN(10000))
		if chance(g.r, 0.3) {
			t.registered = between(g.r, dayFounded, mkDay(2024, 12, 31))
		} else {
			t.registered = growing(g.r, mkDay(2025, 1, 1), dayAsOf)
		}
		minLvl, maxLvl := 1, 3
		switch weighted(g.r, 42, 15, 18, 25) {
		case 0:
			t.status = "STUDENT"
			t.birth = between(g.r, mkDay(2004, 9, 1), mkDay(2009, 8, 31))
			t.graduation = 2027 + g.r.IntN(3)
			t.school = cs.schoolPick.pick(g.r)
		case 1:
			t.status = "TRAINEE"
			t.birth = between(g.r, mkDay(1990, 1, 1), mkDay(2006, 8, 31))
			minLvl, maxLvl = 1, 4
		case 2:
			t.status = "JOB_SEEKING"
			t.birth = between(g.r, mkDay(1988, 1, 1), mkDay(2005, 8, 31))
			minLvl, maxLvl = 2, 4
		default:
			t.status = "EMPLOYED"
			t.birth = between(g.r, mkDay(1980, 1, 1), mkDay(2004, 8, 31))
			t.employer = cs.employerPick.pick(g.r)
			minLvl, maxLvl = 2, 5
		}
		if t.status != "STUDENT" {
			t.graduation = min(2026, t.birth.year()+18+g.r.IntN(6))
			if chance(g.r, 0.65) {
				t.school = cs.schoolPick.pick(g.r)
			}
		}
		var pool []int
		if t.school != nil {
			pool = append(pool, t.school.skills...)
		}
		if t.employer != nil {
			pool = append(pool, t.employer.skills...)
		}
		if len(pool) == 0 {
			pool = cs.schoolPick.pick(g.r).skills
		}
		n := 2 + g.r.IntN(4)
		for _, j := range g.r.Perm(len(pool)) {
			if len(t.skills) == n {
				break
			}
			s := pool[j]
			if t.skillLevel(s) > 0 {
				continue
			}
			ts := tskill{skill: s, level: minLvl + g.r.IntN(maxLvl-minLvl+1)}
			if chance(g.r, 0.4) {
				ts.certified = between(g.r, t.registered, dayAsOf)
			}
			t.skills = append(t.skills, ts)
		}
		if len(t.skills) < 2 && t.skillLevel(safety) == 0 {
			t.skills = append(t.skills, tskill{skill: safety, level: 1 + g.r.IntN(3)})
		}
		g.talents = append(g.talents, t)
		cs.talents = append(cs.talents, t)
	}
	return nil
}

func (g *gen) courses(cs *copyState) error {
	safety := g.skillIdx["GEN.SAFE"]
	for i := 0; i < coursesPerUnit; i++ {
		var provider *org
		var c *center
		var s int
		var fac *resource
		if chance(g.r, 0.7) {
			c = pick(g.r, cs.centers)
			s = pick(g.r, c.skills)
			members := teachingMembers(c)
			provider = c.operator
			if chance(g.r, 0.5) && len(members) > 1 {
				provider = members[1+g.r.IntN(len(members)-1)]
			}
			var same []*resource
			for _, f := range c.facilities {
				if f.skills[0].skill == s {
					same = append(same, f)
				}
			}
			if len(same) > 0 {
				fac = pick(g.r, same)
			} else {
				fac = pick(g.r, c.facilities)
			}
		} else {
			if chance(g.r, 0.85) {
				provider = pick(g.r, cs.activeSchools)
			} else {
				provider = cs.employerPick.pick(g.r)
			}
			s = pick(g.r, provider.skills)
			if fs := provider.facilitiesBySkill[s]; len(fs) > 0 {
				fac = pick(g.r, fs)
			} else if len(provider.facilitiesProvided) > 0 {
				fac = pick(g.r, provider.facilitiesProvided)
			}
		}
		sp := g.skills[s].spec
		level := 1 + weighted(g.r, 15, 35, 30, 15, 5)
		var hours, seats int
		switch level {
		case 1:
			hours = 40 + 8*g.r.IntN(11)
		case 2:
			hours = 80 + 8*g.r.IntN(21)
		case 3:
			hours = 120 + 8*g.r.IntN(31)
		default:
			hours = 160 + 8*g.r.IntN(41)
		}
		if level >= 4 {
			seats = 12 + g.r.IntN(19)
		} else {
			seats = 20 + g.r.IntN(41)
		}
		earliest := maxDay(provider.joined, dayFounded+7)
		if c != nil {
			earliest = maxDay(earliest, c.established)
		}
		if fac != nil {
			earliest = maxDay(earliest, fac.sharedOn)
		}
		shared := growing(g.r, earliest, maxDay(earliest, mkDay(2026, 9, 15)))
		starts := shared + day(14+g.r.IntN(47))
		ends := starts + day(hours/6*7/5)
		if ends > daySchedule {
			ends = daySchedule
			starts = minDay(starts, ends)
		}
		ln := levelNames[level-1]
		res := &resource{provider: provider, category: "TRAINING_COURSE", center: c, facility: fac,
			titleEn:       fmt.Sprintf("%s %s Training Course", sp.en, ln[0]),
			titleZh:       fmt.Sprintf("%s%s培训班", sp.zh, ln[1]),
			sharedWithAll: chance(g.r, 0.88), sharedOn: shared,
			hours: hours, seats: seats, startsOn: starts, endsOn: ends,
			skills: []rskill{{s, level}}}
		res.desc = fmt.Sprintf("%d-hour course in %s at %s level (national vocational skill level %d) for up to %d trainees, run by %s.",
			hours, sp.en, strings.ToLower(ln[0]), 6-level, seats, provider.shortEn)
		extra := weighted(g.r, 45, 40, 15)
		for _, j := range g.r.Perm(len(provider.skills)) {
			if extra == 0 {
				break
			}
			o := provider.skills[j]
			if hasSkill(res.skills, o) {
				continue
			}
			res.skills = append(res.skills, rskill{o, max(1, level-1-g.r.IntN(2))})
			extra--
		}
		if chance(g.r, 0.2) && !hasSkill(res.skills, safety) {
			res.skills = append(res.skills, rskill{safety, 2})
		}
		g.newResource(res)

		// Teachers: experts in the skill, the provider's own first.
		cands := cs.teachersBySkill[s]
		var own, other []*resource
		for _, t := range cands {
			if t.sharedOn > starts {
				continue
			}
			if t.provider == provider {
				own = append(own, t)
			} else {
				other = append(other, t)
			}
		}
		nt := 1 + weighted(g.r, 50, 35, 15)
		chosen := map[*resource]bool{}
		for _, list := range [][]*resource{own, other} {
			for _, j := range g.r.Perm(len(list)) {
				if len(chosen) == nt {
					break
				}
				t := list[j]
				chosen[t] = true
				g.courseTeach = append(g.courseTeach, pair{res.id, t.id})
			}
		}
		if len(chosen) == 0 { // no expert listed yet: any teacher listed before the start
			var early []*resource
			first := cs.teachers[0]
			for _, t := range cs.teachers {
				if t.sharedOn <= starts {
					early = append(early, t)
				}
				if t.sharedOn < first.sharedOn {
					first = t
				}
			}
			if len(early) > 0 {
				first = pick(g.r, early)
			}
			g.courseTeach = append(g.courseTeach, pair{res.id, first.id})
		}

		// Enrolments.
		frac := 0.6 + 0.4*g.r.Float64()
		if starts > dayAsOf {
			frac = 0.2 + 0.5*g.r.Float64()
		}
		target := int(float64(seats) * frac)
		taken := map[*talent]bool{}
		for tries := 0; len(taken) < target && tries < target*8; tries++ {
			t := pick(g.r, cs.talents)
			if taken[t] || t.registered > starts {
				continue
			}
			relevant := t.skillLevel(s) > 0 || t.school == provider || t.employer == provider
			if !relevant && !chance(g.r, 0.25) {
				continue
			}
			taken[t] = true
			on := between(g.r, maxDay(shared, t.registered), minDay(starts, dayAsOf))
			done := ends < dayAsOf && chance(g.r, 0.88)
			g.enrollments = append(g.enrollments, enrollment{talent: t.id, course: res.id, on: on, completed: done})
			if done && t.skillLevel(s) == 0 && chance(g.r, 0.5) {
				t.skills = append(t.skills, tskill{skill: s, level: max(1, level-1), certified: minDay(ends+day(g.r.IntN(30)), dayAsOf)})
			}
		}
		res.enrolled = len(taken)
	}
	return nil
}

func hasSkill(rs []rskill, s int) bool {
	for _, x := range rs {
		if x.skill == s {
			return true
		}
	}
	return false
}

func matchScore(t *talent, req []rskill) int {
	score := 0
	for _, rq := range req {
		score += min(rq.level, t.skillLevel(rq.skill))
	}
	return score
}

func (g *gen) openings(cs *copyState) error {
	safety := g.skillIdx["GEN.SAFE"]
	types := []string{"FULL_TIME", "INTERNSHIP", "APPRENTICESHIP", "CONTRACT", "PART_TIME"}
	typeLabel := map[string]string{"FULL_TIME": "full-time", "INTERNSHIP": "internship", "APPRENTICESHIP": "apprenticeship", "CONTRACT": "fixed-term contract", "PART_TIME": "part-time"}
	for i := 0; i < openingsPerUnit; i++ {
		var provider *org
		if chance(g.r, 0.9) {
			provider = cs.employerPick.pick(g.r)
		} else {
			provider = pick(g.r, cs.activeSchools)
		}
		s := pick(g.r, provider.skills)
		sp := g.skills[s].spec
		level := 1 + weighted(g.r, 10, 30, 35, 20, 5)
		et := types[weighted(g.r, 58, 15, 12, 10, 5)]
		titleEn, titleZh := sp.jobEn, sp.jobZh
		if provider.kind == kindSchool {
			// Schools hire practical instructors for what they teach.
			et = types[weighted(g.r, 75, 0, 0, 25, 0)]
			level = 3 + g.r.IntN(3)
			titleEn, titleZh = "Practical Instructor, "+sp.en, sp.zh+"实习指导教师"
		}
		switch {
		case provider.kind == kindSchool:
		case et == "INTERNSHIP":
			titleEn, titleZh = titleEn+" Intern", titleZh+"（实习）"
			level = min(level, 2)
		case et == "APPRENTICESHIP":
			titleEn, titleZh = titleEn+" Apprentice", titleZh+"（学徒）"
			level = min(level, 3)
		case level >= 4:
			titleEn, titleZh = "Senior "+titleEn, "高级"+titleZh
		}
		var positions int
		switch weighted(g.r, 45, 35, 20) {
		case 0:
			positions = 1 + g.r.IntN(2)
		case 1:
			positions = 3 + g.r.IntN(3)
		default:
			positions = 6 + g.r.IntN(7)
		}
		base := float64(categorySalary[sp.category])
		var smin, smax int
		switch et {
		case "INTERNSHIP":
			smin = roundTo(2200+1300*g.r.Float64(), 100)
			smax = smin + roundTo(500+1000*g.r.Float64(), 100)
		case "APPRENTICESHIP":
			smin = roundTo(3200+1300*g.r.Float64(), 100)
			smax = smin + roundTo(800+1200*g.r.Float64(), 100)
		default:
			m := base * (0.75 + 0.12*float64(level-1)) * (0.9 + 0.2*g.r.Float64())
			if et == "PART_TIME" {
				m *= 0.5
			}
			smin = roundTo(m, 100)
			smax = roundTo(float64(smin)*(1.2+0.4*g.r.Float64()), 100)
		}
		shared := growing(g.r, maxDay(provider.joined+1, dayFounded+3), dayAsOf-3)
		closes := shared + day(30+g.r.IntN(91))
		if closes > dayEnd {
			closes = 0 // open until filled
		}
		open := closes == 0 || closes > dayAsOf
		target := g.r.IntN(positions)
		if !open && chance(g.r, 0.45) {
			target = positions
		}
		appEnd := dayAsOf
		if closes != 0 {
			appEnd = minDay(closes, dayAsOf)
		}
		res := &resource{provider: provider, category: "JOB_OPENING", titleEn: titleEn, titleZh: titleZh,
			sharedWithAll: chance(g.r, 0.85), sharedOn: shared,
			positions: positions, salaryMin: smin, salaryMax: smax, employmentType: et, closesOn: closes,
			skills: []rskill{{s, level}}}
		extra := weighted(g.r, 40, 40, 20)
		for _, j := range g.r.Perm(len(provider.skills)) {
			if extra == 0 {
				break
			}
			o := provider.skills[j]
			if hasSkill(res.skills, o) {
				continue
			}
			res.skills = append(res.skills, rskill{o, 1 + g.r.IntN(level)})
			extra--
		}
		if chance(g.r, 0.25) && !hasSkill(res.skills, safety) {
			res.skills = append(res.skills, rskill{safety, 2})
		}
		g.newResource(res)

		eligible := func(t *talent) bool {
			switch et {
			case "INTERNSHIP":
				return t.status == "STUDENT" || t.status == "TRAINEE"
			case "APPRENTICESHIP":
				return t.status == "TRAINEE" || t.status == "JOB_SEEKING"
			}
			return t.status != "STUDENT" && t.employer != provider
		}
		applied := map[*talent]bool{}
		best := func(n int, ok func(*talent) bool) *talent {
			var b *talent
			bs := -1
			for tries := 0; tries < n*8 && (b == nil || tries < n); tries++ {
				t := pick(g.r, cs.talents)
				if applied[t] || t.registered > appEnd || !ok(t) {
					continue
				}
				if sc := matchScore(t, res.skills); sc > bs {
					b, bs = t, sc
				}
			}
			return b
		}
		for k := 0; k < target; k++ {
			t := best(6, func(t *talent) bool { return !t.hired && eligible(t) })
			if t == nil {
				break
			}
			applied[t] = true
			on := between(g.r, maxDay(shared, t.registered), appEnd)
			hired := minDay(on+day(5+g.r.IntN(36)), dayAsOf)
			g.last.placement++
			g.placements = append(g.placements, placement{id: g.last.placement, opening: res.id, talent: t.id, status: "HIRED", applied: on, hired: hired})
			t.hired = true
			res.filled++
			if et != "INTERNSHIP" {
				t.status = "EMPLOYED"
				t.employer = provider
			}
		}
		others := g.r.IntN(positions + 4)
		for k := 0; k < others; k++ {
			t := best(3, func(*talent) bool { return true })
			if t == nil {
				break
			}
			applied[t] = true
			var st string
			if open {
				st = []string{"APPLIED", "SHORTLISTED", "REJECTED", "WITHDRAWN"}[weighted(g.r, 45, 25, 20, 10)]
			} else {
				st = []string{"REJECTED", "WITHDRAWN"}[weighted(g.r, 75, 25)]
			}
			on := between(g.r, maxDay(shared, t.registered), appEnd)
			g.last.placement++
			g.placements = append(g.placements, placement{id: g.last.placement, opening: res.id, talent: t.id, status: st, applied: on})
		}
		switch {
		case res.filled == positions:
			res.openingStatus = "FILLED"
		case open:
			res.openingStatus = "OPEN"
		default:
			res.openingStatus = "CLOSED"
		}
		res.desc = fmt.Sprintf("%s is hiring %d × %s (%s) in %s. Monthly salary CNY %d–%d.",
			provider.shortEn, positions, titleEn, typeLabel[et], districtLabel(provider.district), smin, smax)
	}
	return nil
}

func timeMonth(m int) time.Month { return time.Month(m) }

func statusNoun(status string) string {
	switch status {
	case "STUDENT":
		return "student"
	case "TRAINEE":
		return "trainee"
	case "EMPLOYED":
		return "employee"
	}
	return "job seeker"
}

func (g *gen) competitionResults(cs *copyState) error {
	for i := range competitionSpecs {
		cp := &competitionSpecs[i]
		date := mkDay(cp.date[0], timeMonth(cp.date[1]), cp.date[2])
		for k := 0; k < cp.count; k++ {
			var t *talent
			for tries := 0; tries < 400; tries++ {
				c := pick(g.r, cs.talents)
				if c.school == nil || c.registered > date || c.school.left != 0 {
					continue
				}
				if c.status != "STUDENT" && c.status != "TRAINEE" && !chance(g.r, 0.3) {
					continue
				}
				t = c
				break
			}
			if t == nil {
				return fmt.Errorf("demo: no talent registered before %s for %s", date, cp.en)
			}
			var award string
			if cp.level == "WORLD" {
				award = []string{"GOLD", "EXCELLENCE"}[k%2]
			} else {
				award = []string{"GOLD", "SILVER", "BRONZE", "EXCELLENCE", "PARTICIPATION"}[weighted(g.r, 12, 18, 25, 30, 15)]
			}
			ti := g.r.IntN(len(t.skills))
			ts := &t.skills[ti]
			switch award {
			case "GOLD", "SILVER":
				ts.level = max(ts.level, 4)
				if cp.level == "WORLD" || cp.level == "NATIONAL" {
					ts.level = 5
				}
			case "BRONZE", "EXCELLENCE":
				ts.level = max(ts.level, 3)
			}
			if ts.certified == 0 || ts.certified > date {
				ts.certified = date
			}
			sp := g.skills[ts.skill].spec
			an := awardNames[award]
			res := &resource{provider: t.school, category: "COMPETITION_RESULT",
				titleEn: fmt.Sprintf("%s, %s – %s %d", an[0], sp.en, cp.en, cp.year),
				titleZh: fmt.Sprintf("%d年%s %s %s", cp.year, cp.zh, sp.zh, an[1]),
				desc: fmt.Sprintf("%s of %s won the %s in %s at the %d %s (%s level).",
					article(statusNoun(t.status)), t.school.shortEn, strings.ToLower(an[0]), sp.en, cp.year, cp.en, strings.ToLower(cp.level)),
				sharedWithAll: true, sharedOn: minDay(maxDay(date, t.school.joined)+day(g.r.IntN(11)), dayAsOf),
				competition: cp.en, competitionLevel: cp.level, award: award, awardedOn: date, talent: t, skill: g.skills[ts.skill].id}
			g.newResource(res)
		}
	}
	return nil
}

var partnershipKinds = []string{"ORDER_CLASS", "APPRENTICESHIP", "JOINT_TRAINING_BASE", "LOCAL_PROJECT", "INNOVATION_VENTURE", "INTERNATIONAL_COOPERATION"}

func (g *gen) schoolFor(cs *copyState, company *org) *org {
	src := cs
	if g.scale > 1 && chance(g.r, 0.1) {
		src = g.copies[g.r.IntN(len(g.copies))]
	}
	if m := src.matchingSchools[company.industry]; len(m) > 0 && chance(g.r, 0.85) {
		for tries := 0; tries < 8; tries++ {
			if s := pick(g.r, m); s.left == 0 {
				return s
			}
		}
	}
	return pick(g.r, src.activeSchools)
}

// specific drops the general competencies (safety, lean, German) from a skill list.
func (g *gen) specific(skills []int) []int {
	out := make([]int, 0, len(skills))
	for _, s := range skills {
		if g.skills[s].spec.category != "GENERAL" {
			out = append(out, s)
		}
	}
	return out
}

// commonSkill picks the subject of a partnership between a and b: a specific skill both
// work in if there is one, else one of a's.
func (g *gen) commonSkill(a, b *org) int {
	var both []int
	for _, s := range g.specific(a.skills) {
		if contains(b.skills, s) {
			both = append(both, s)
		}
	}
	if len(both) > 0 {
		return pick(g.r, both)
	}
	if sp := g.specific(a.skills); len(sp) > 0 {
		return pick(g.r, sp)
	}
	return pick(g.r, a.skills)
}

func (g *gen) laterPartnerships(cs *copyState) error {
	innovative := map[string]bool{"ROBOTICS": true, "SOFTWARE": true, "ELECTRONICS": true, "NEW_MATERIALS": true, "BIOMEDICINE": true, "AEROSPACE": true}
	var innovators []*org
	for _, o := range cs.activeCompanies {
		if innovative[o.industry] {
			innovators = append(innovators, o)
		}
	}
	hrss, edu, txhrss, lnhrss := cs.byKey["hrss"], cs.byKey["edu"], cs.byKey["txhrss"], cs.byKey["lnhrss"]
	for i := 0; i < laterPartnerships; i++ {
		kind := partnershipKinds[weighted(g.r, 24, 20, 20, 14, 11, 11)]
		var members []*org
		var roles []string
		add := func(o *org, role string) {
			if o == nil || len(members) >= 5 {
				return
			}
			for _, m := range members {
				if m == o {
					return
				}
			}
			members = append(members, o)
			roles = append(roles, role)
		}
		var s int
		var en, zh, desc string
		switch kind {
		case "ORDER_CLASS":
			co := cs.employerPick.pick(g.r)
			sc := g.schoolFor(cs, co)
			s = g.commonSkill(co, sc)
			add(co, "LEAD")
			add(sc, "PARTNER")
			if chance(g.r, 0.3) {
				add(pick(g.r, []*org{hrss, edu}), "SPONSOR")
			}
			sp := g.skills[s].spec
			en = fmt.Sprintf("%s Order Class: %s", co.shortEn, sp.en)
			zh = fmt.Sprintf("%s%s订单班", co.shortZh, sp.zh)
			desc = fmt.Sprintf("%s trains a cohort in %s to %s's requirements; graduates are offered jobs at %s.", sc.shortEn, sp.en, co.shortEn, co.shortEn)
		case "APPRENTICESHIP":
			co := cs.employerPick.pick(g.r)
			sc := g.schoolFor(cs, co)
			s = g.commonSkill(co, sc)
			if chance(g.r, 0.7) {
				add(co, "LEAD")
				add(sc, "PARTNER")
			} else {
				add(sc, "LEAD")
				add(co, "PARTNER")
			}
			if chance(g.r, 0.5) {
				sp := hrss
				if co.district == "Tiexi" {
					sp = txhrss
				}
				add(sp, "SPONSOR")
			}
			sp := g.skills[s].spec
			en = fmt.Sprintf("Modern Apprenticeship in %s: %s and %s", sp.en, co.shortEn, sc.shortEn)
			zh = fmt.Sprintf("%s与%s%s现代学徒制项目", co.shortZh, sc.shortZh, sp.zh)
			desc = fmt.Sprintf("Apprentices alternate between %s and %s's workshops, with enterprise mentors and school teachers sharing the training.", sc.shortEn, co.shortEn)
		case "JOINT_TRAINING_BASE":
			co := cs.employerPick.pick(g.r)
			sc := g.schoolFor(cs, co)
			s = g.commonSkill(co, sc)
			add(sc, "LEAD")
			add(co, "PARTNER")
			if chance(g.r, 0.3) {
				add(cs.employerPick.pick(g.r), "PARTNER")
			}
			if co.park != nil && chance(g.r, 0.3) {
				add(co.park, "SPONSOR")
			}
			sp := g.skills[s].spec
			en = fmt.Sprintf("%s Joint Training Base: %s and %s", sp.en, sc.shortEn, co.shortEn)
			zh = fmt.Sprintf("%s—%s%s联合实训基地", sc.shortZh, co.shortZh, sp.zh)
			desc = fmt.Sprintf("A shared training base on %s's premises where %s students practise %s on production equipment.", co.shortEn, sc.shortEn, sp.en)
		case "LOCAL_PROJECT":
			var lead *org
			switch weighted(g.r, 40, 30, 30) {
			case 0:
				lead = pick(g.r, []*org{hrss, edu, cs.byKey["miit"], txhrss})
			case 1:
				lead = pick(g.r, cs.parks)
			default:
				lead = cs.employerPick.pick(g.r)
			}
			co := cs.employerPick.pick(g.r)
			if lead.kind == kindCompany {
				co = lead
			}
			sc := g.schoolFor(cs, co)
			s = g.commonSkill(co, sc)
			add(lead, "LEAD")
			add(co, "PARTNER")
			add(sc, "PARTNER")
			if chance(g.r, 0.4) {
				add(g.schoolFor(cs, co), "PARTNER")
			}
			if lead.kind != kindAgency && chance(g.r, 0.3) {
				add(hrss, "SPONSOR")
			}
			sp := g.skills[s].spec
			d := districtByName(co.district)
			en = fmt.Sprintf("%s %s Skills Upgrading Project", districtLabel(co.district), sp.en)
			zh = fmt.Sprintf("%s%s技能提升项目", d.zh, sp.zh)
			desc = fmt.Sprintf("Subsidised upskilling in %s for workers and students in %s, led by %s.", sp.en, districtLabel(co.district), lead.shortEn)
		case "INNOVATION_VENTURE":
			co := pick(g.r, innovators)
			sc := g.schoolFor(cs, co)
			s = g.commonSkill(co, sc)
			if chance(g.r, 0.7) {
				add(co, "LEAD")
				add(sc, "PARTNER")
			} else {
				add(sc, "LEAD")
				add(co, "PARTNER")
			}
			if chance(g.r, 0.4) {
				park := co.park
				if park == nil {
					park = cs.byKey["hunnan"]
				}
				add(park, "SPONSOR")
			}
			sp := g.skills[s].spec
			en = fmt.Sprintf("%s Innovation Studio: %s", sp.en, co.shortEn)
			zh = fmt.Sprintf("%s%s创新工作室", co.shortZh, sp.zh)
			desc = fmt.Sprintf("Students and engineers develop new products and start-ups in %s with %s.", sp.en, co.shortEn)
		case "INTERNATIONAL_COOPERATION":
			co := pick(g.r, cs.foreignCompanies)
			sc := g.schoolFor(cs, co)
			s = g.commonSkill(co, sc)
			add(co, "LEAD")
			add(sc, "PARTNER")
			if chance(g.r, 0.35) {
				add(g.schoolFor(cs, co), "PARTNER")
			}
			switch {
			case co.origin == "DE" && chance(g.r, 0.6):
				add(cs.byKey["sinogerman"], "SPONSOR")
			case chance(g.r, 0.25):
				add(lnhrss, "SPONSOR")
			}
			country, countryZh := "German", "德"
			if co.origin == "FR" {
				country, countryZh = "French", "法"
			}
			sp := g.skills[s].spec
			en = fmt.Sprintf("Sino-%s Dual Training Programme in %s with %s", country, sp.en, co.shortEn)
			zh = fmt.Sprintf("中%s%s双元制培训项目（%s）", countryZh, sp.zh, co.shortZh)
			desc = fmt.Sprintf("Training to %s vocational standards in %s, with trainer exchange and internationally recognised certificates.", country, sp.en)
		}
		if len(members) < 2 {
			i--
			continue
		}
		earliest := mkDay(2024, 9, 1)
		for _, m := range members {
			earliest = maxDay(earliest, m.joined+1)
		}
		when := growing(g.r, earliest, maxDay(earliest, dayAsOf-5))
		status := "ACTIVE"
		if when > dayAsOf-60 {
			status = []string{"PROPOSED", "SIGNED"}[weighted(g.r, 35, 65)]
		} else {
			status = []string{"ACTIVE", "COMPLETED", "TERMINATED", "SIGNED", "PROPOSED"}[weighted(g.r, 50, 30, 7, 6, 7)]
			if status == "COMPLETED" && when+150 > dayAsOf {
				status = "ACTIVE"
			}
		}
		p := &partnership{kind: kind, status: status, titleEn: fmt.Sprintf("%s (%d)", en, when.year()), titleZh: fmt.Sprintf("%s（%d）", zh, when.year()), desc: desc}
		if status != "PROPOSED" {
			p.signed = when
		} else {
			p.proposed = when
		}
		switch status {
		case "PROPOSED":
			if st := when + day(30+g.r.IntN(60)); st > dayAsOf && st <= dayEnd {
				p.starts = st
			}
		case "SIGNED":
			if st := when + day(15+g.r.IntN(46)); st > dayAsOf && st <= dayEnd {
				p.starts = st
			}
		case "ACTIVE":
			p.starts = minDay(when+day(g.r.IntN(31)), dayAsOf)
		case "COMPLETED":
			p.starts = when + day(g.r.IntN(31))
			p.ends = minDay(p.starts+day(90+g.r.IntN(451)), dayAsOf-1)
		case "TERMINATED":
			p.starts = minDay(when+day(g.r.IntN(31)), dayAsOf)
			p.ends = minDay(p.starts+day(30+g.r.IntN(271)), dayAsOf)
		}
		g.addPartnership(p, members, roles)
	}
	return nil
}

// resourceShares lists, for resources not shared with the whole alliance, the members
// that may see them.
func (g *gen) resourceShares() {
	byCopy := make(map[*org]*copyState)
	for _, cs := range g.copies {
		for _, o := range cs.orgs {
			byCopy[o] = cs
		}
	}
	for _, res := range g.resources {
		if res.sharedWithAll {
			continue
		}
		cs := byCopy[res.provider]
		n := 1 + g.r.IntN(4)
		seen := map[*org]bool{res.provider: true}
		for tries := 0; len(seen) <= n && tries < 20; tries++ {
			o := pick(g.r, cs.orgs)
			if seen[o] || o.left != 0 {
				continue
			}
			seen[o] = true
			g.shares = append(g.shares, pair{res.id, o.id})
		}
	}
}
