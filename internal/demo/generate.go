package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
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
	alliance, org, membership, partnership, center, skill, resource, talent, placement, event, competition, registration int64
	enrollment, certificate                                                                                              int64
}

// gen builds the whole demo in memory; Load then streams it to the database.
type gen struct {
	r     *rand.Rand
	scale int
	base  ids // last ids in the database before the load
	last  ids
	// asOf is the day the demo describes: its history runs from the founding to it, and
	// its schedule (courses, closing dates) up to horizon.
	asOf, horizon day

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
	bookings     []classBooking
	seconded     []secondment
	shares       []pair
	courseTeach  []pair
	talents      []*talent
	enrollments  []enrollment
	certificates []certificate
	placements   []placement
	events       []event
	competitions []competitionEdition
	entries      []*entry
	titles       map[string]bool // course and partnership titles in use

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

func newGen(scale int, asOf day, base ids, existingSkills map[string]int64) (*gen, error) {
	if asOf < earliestAsOf {
		return nil, fmt.Errorf("demo: the demo describes a day from %s on (the alliance was founded on %s), not %s", earliestAsOf, dayFounded, asOf)
	}
	g := &gen{
		r:        rand.New(rand.NewPCG(0x5eed_2024_0817, 0xa11a_4ce5_4e47)),
		scale:    scale,
		asOf:     asOf,
		horizon:  asOf + 365,
		base:     base,
		last:     base,
		skillIdx: make(map[string]int, len(skillSpecs)),
		titles:   map[string]bool{},
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
		// The order is causal: partnerships before the hires they lead to, talents'
		// schooling before the competitions they win and the courses they take, and
		// both before the openings that hire them for what they can do.
		steps := []func(*copyState) error{
			g.kickoff, g.laterPartnerships, g.trainingCenters, g.facilities, g.teachers, g.talentPool, g.orderClasses,
			g.competitionResults, g.courses, g.openings, g.settle,
		}
		for _, step := range steps {
			if err := step(cs); err != nil {
				return err
			}
		}
	}
	g.resourceShares()
	g.enrolmentLifecycle()
	g.classBookings()
	g.secondments()
	g.history()
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
		for _, m := range majors {
			ms, err := g.skillsOf(majorSkills[m])
			if err != nil {
				return nil, fmt.Errorf("demo: major %q: %w", m, err)
			}
			for _, x := range ms {
				if !contains(skills, x) {
					skills = append(skills, x)
				}
			}
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
	for i := range inventedCompanies {
		ic := &inventedCompanies[i]
		o := &org{kind: kindCompany, industry: ic.industry, nameEn: ic.en, nameZh: ic.zh, district: ic.district,
			employees: g.vary(c, ic.employees, 5), founded: ic.founded}
		if ic.park != "" {
			o.park = parkByKey(ic.park)
			if o.park == nil {
				return nil, fmt.Errorf("demo: company %s: unknown park %q", ic.en, ic.park)
			}
		}
		if err := addCompany(o); err != nil {
			return nil, err
		}
		o.desc = fmt.Sprintf("%s of %s in %s, Shenyang, with about %d employees.", article(industryPhrase[ic.industry]), ic.business[0], districtLabel(o.district), o.employees)
		if o.park != nil {
			o.desc += " Located in the " + strings.TrimSuffix(o.park.nameEn, sfxEnPark(c)) + "."
		}
	}
	if len(cs.schools) != 45 || len(cs.companies) != 86 {
		return nil, fmt.Errorf("demo: tables give %d schools and %d companies, want 45 and 86", len(cs.schools), len(cs.companies))
	}

	// Matching schools per industry: those teaching at least one skill the industry needs.
	industries := make([]string, 0, len(industrySkills))
	for ind := range industrySkills {
		industries = append(industries, ind)
	}
	sort.Strings(industries)
	for _, ind := range industries {
		need, _ := g.skillsOf(industrySkills[ind])
		for _, s := range cs.schools {
			if overlap(g.specific(s.skills), need) > 0 {
				cs.matchingSchools[ind] = append(cs.matchingSchools[ind], s)
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
			o.joined = between(g.r, mkDay(2024, 9, 1), g.asOf-90)
		case leaving[o]:
			o.joined = between(g.r, dayFounded+1, mkDay(2025, 6, 30))
			o.left = between(g.r, o.joined+120, g.asOf-1)
		case o.key != "" || chance(g.r, 0.75): // the well-known members all joined in 2024
			o.joined = between(g.r, dayFounded+1, late)
		default:
			o.joined = growing(g.r, late+1, g.asOf-14)
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
	p.members, p.roles = members, roles
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
		sfxEn, sfxZh := copySuffix(cs.n, "Cohort", "期")
		p := &partnership{skill: -1, kind: k.kind, status: k.status, titleEn: k.en + sfxEn, titleZh: k.zh + sfxZh, desc: k.desc + " Signed at the alliance's kick-off meeting.",
			signed: dayFounded, starts: between(g.r, mkDay(2024, 9, 1), mkDay(2024, 10, 15))}
		if k.status == "COMPLETED" {
			if end := mkDay(2025, 12, 31); end < g.asOf {
				p.ends = end
			} else {
				p.status = "ACTIVE"
			}
		}
		g.titles[p.titleEn] = true
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
		sharedOn:      between(g.r, maxDay(earliest, provider.joined), minDay(maxDay(earliest, provider.joined)+75, g.asOf)),
		capacity:      capacity, address: g.address(provider.district), equipment: eq,
		skills: []rskill{{s, 3}}}
	if c != nil {
		res.address = c.address // a centre's facilities are on its site
	}
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
		s := pick(g.r, g.specific(school.skills))
		if len(school.facilitiesBySkill[s]) > 0 {
			i--
			continue
		}
		g.facility(school, nil, s, dayFounded)
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
			sharedOn:    growing(g.r, maxDay(provider.joined, dayFounded), g.asOf-10),
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
		when := growing(g.r, earliest, maxDay(earliest, g.asOf-5))
		status := "ACTIVE"
		if when > g.asOf-60 {
			status = []string{"PROPOSED", "SIGNED"}[weighted(g.r, 35, 65)]
		} else {
			status = []string{"ACTIVE", "COMPLETED", "TERMINATED", "SIGNED", "PROPOSED"}[weighted(g.r, 50, 30, 7, 6, 7)]
			if status == "COMPLETED" && when+150 > g.asOf {
				status = "ACTIVE"
			}
		}
		titleEn, titleZh := fmt.Sprintf("%s (%d)", en, when.year()), fmt.Sprintf("%s（%d）", zh, when.year())
		if g.titles[titleEn] {
			// The same members on the same subject in the same year: a second project
			// is told apart by its partner.
			other := members[len(members)-1]
			titleEn, titleZh = fmt.Sprintf("%s with %s (%d)", en, other.shortEn, when.year()), fmt.Sprintf("%s（%s，%d）", zh, other.shortZh, when.year())
			if g.titles[titleEn] {
				i--
				continue
			}
		}
		g.titles[titleEn] = true
		p := &partnership{kind: kind, status: status, titleEn: titleEn, titleZh: titleZh, desc: desc, skill: s}
		if status != "PROPOSED" {
			p.signed = when
		} else {
			p.proposed = when
		}
		switch status {
		case "PROPOSED":
			if st := when + day(30+g.r.IntN(60)); st > g.asOf {
				p.starts = st
			}
		case "SIGNED":
			if st := when + day(15+g.r.IntN(46)); st > g.asOf {
				p.starts = st
			}
		case "ACTIVE":
			p.starts = minDay(when+day(g.r.IntN(31)), g.asOf)
		case "COMPLETED":
			p.starts = when + day(g.r.IntN(31))
			p.ends = minDay(p.starts+day(90+g.r.IntN(451)), g.asOf-1)
		case "TERMINATED":
			p.starts = minDay(when+day(g.r.IntN(31)), g.asOf)
			p.ends = minDay(p.starts+day(30+g.r.IntN(271)), g.asOf)
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
