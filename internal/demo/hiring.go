package demo

import (
	"fmt"
)

var employmentTypes = []string{"FULL_TIME", "INTERNSHIP", "APPRENTICESHIP", "CONTRACT", "PART_TIME"}

var employmentLabel = map[string]string{"FULL_TIME": "full-time", "INTERNSHIP": "internship", "APPRENTICESHIP": "apprenticeship",
	"CONTRACT": "fixed-term contract", "PART_TIME": "part-time"}

// openingWeight is how often employers post for a skill: the key trades most.
func openingWeight(code string) int {
	switch skillMarket[code] {
	case short:
		return 12
	case crowded:
		return 1
	}
	return 2
}

// requiredLevel is the level an opening asks for: advanced in the short trades.
func (g *gen) requiredLevel(code string) int {
	switch skillMarket[code] {
	case short:
		return 3 + weighted(g.r, 25, 50, 25)
	case crowded:
		return 1 + weighted(g.r, 30, 45, 25)
	}
	return 2 + weighted(g.r, 40, 40, 20)
}

func matchScore(t *talent, req []rskill) int {
	score := 0
	for _, rq := range req {
		score += min(rq.level, t.skillLevel(rq.skill))
	}
	return score
}

// qualified is the hiring bar: the talent holds at least half of the required skills,
// and the opening's main skill at no more than one level below the one required.
func qualified(t *talent, req []rskill) bool {
	held := 0
	for _, rq := range req {
		if t.skillLevel(rq.skill) > 0 {
			held++
		}
	}
	return 2*held >= len(req) && t.skillLevel(req[0].skill) >= req[0].level-1
}

// pipeline is an order class or apprenticeship: the company hires from the school.
type pipeline struct {
	school *org
	p      *partnership
}

// pipelines lists, per company, the schools it trains with in order classes and
// apprenticeships that have been signed.
func (g *gen) pipelines(cs *copyState) map[*org][]pipeline {
	out := map[*org][]pipeline{}
	mine := map[*org]bool{}
	for _, o := range cs.orgs {
		mine[o] = true
	}
	for _, p := range g.partnerships {
		if p.signed == 0 || (p.kind != "ORDER_CLASS" && p.kind != "APPRENTICESHIP") || !mine[p.members[0]] {
			continue
		}
		for _, co := range p.members {
			if co.kind != kindCompany {
				continue
			}
			for _, sc := range p.members {
				if sc.kind == kindSchool {
					out[co] = append(out[co], pipeline{sc, p})
				}
			}
		}
	}
	return out
}

// orderClasses trains the cohorts of the order classes and apprenticeships signed so
// far: students and graduates of the school learn the partnership's trade to the level
// the company asked for, and the company then hires them first (openings).
func (g *gen) orderClasses(cs *copyState) error {
	last := lastGraduation(g.asOf)
	for _, pipes := range g.pipelinesSorted(cs) {
		for _, pp := range pipes {
			p := pp.p
			if p.skill < 0 {
				continue
			}
			level := 3
			if p.kind == "APPRENTICESHIP" {
				level = 2 + g.r.IntN(2)
			}
			size := 6 + g.r.IntN(7)
			for _, j := range g.r.Perm(len(cs.talents)) {
				if size == 0 {
					break
				}
				t := cs.talents[j]
				if t.school != pp.school || t.cohort != nil {
					continue
				}
				var on day
				switch {
				case t.background == asGraduate && graduationDay(t.graduation) >= p.signed:
					on = graduationDay(t.graduation)
				case t.background == asStudent && t.graduation == last+1:
				default:
					continue
				}
				t.cohort = p
				t.learn(p.skill, level, on)
				size--
			}
		}
	}
	return nil
}

// pipelinesSorted is pipelines in a fixed order of companies, so that the demo does not
// depend on map iteration.
func (g *gen) pipelinesSorted(cs *copyState) [][]pipeline {
	byCo := g.pipelines(cs)
	var out [][]pipeline
	for _, co := range cs.companies {
		if len(byCo[co]) > 0 {
			out = append(out, byCo[co])
		}
	}
	return out
}

// through is the partnership a hire on day d of t by co came through, if any.
func through(pipes []pipeline, t *talent, d day) *partnership {
	for _, pp := range pipes {
		if t.school == pp.school && pp.p.signed <= d && (pp.p.ends == 0 || pp.p.ends >= d) {
			return pp.p
		}
	}
	return nil
}

// openings posts the job openings: those of the past, now filled or closed, and those
// open on the demo's day, closing in the coming weeks. Employers hire only talents who
// clear the bar (qualified), the order classes' and apprenticeships' own graduates
// first, so positions in the short trades stay open: the shortage the alliance exists
// to close.
func (g *gen) openings(cs *copyState) error {
	pipes := g.pipelines(cs)
	holders := map[int][]*talent{}
	for _, t := range cs.talents {
		for _, ts := range t.skills {
			holders[ts.skill] = append(holders[ts.skill], t)
		}
	}
	past := openingsPerUnit * 55 / 100
	// Every shortage is asked for now, at an advanced level and in public, by at least
	// three employers of its trade: the shortage does not come and go with the draw.
	var asked []int
	for i := range g.skills {
		if skillMarket[g.skills[i].spec.code] == short {
			asked = append(asked, i, i, i)
		}
	}
	for i := 0; i < openingsPerUnit; i++ {
		current := i >= past
		var provider *org
		var s, level int
		if k := i - past; k >= 0 && k < len(asked) {
			s = asked[k]
			var employers []*org
			for _, co := range cs.activeCompanies {
				if contains(co.skills, s) {
					employers = append(employers, co)
				}
			}
			if len(employers) == 0 {
				return fmt.Errorf("demo: no company needs %s", g.skills[s].spec.code)
			}
			provider = pick(g.r, employers)
			level = 4 + weighted(g.r, 70, 30)
		} else {
			if chance(g.r, 0.9) {
				provider = cs.employerPick.pick(g.r)
			} else {
				provider = pick(g.r, cs.activeSchools)
			}
			options := g.specific(provider.skills)
			weights := make([]int, len(options))
			for k, s := range options {
				weights[k] = openingWeight(g.skills[s].spec.code)
			}
			s = options[weighted(g.r, weights...)]
			if ps := pipes[provider]; len(ps) > 0 && chance(g.r, 0.5) {
				// A company with an order class hires for the trade it trains.
				if pp := pick(g.r, ps); pp.p.skill >= 0 {
					s = pp.p.skill
				}
			}
			level = g.requiredLevel(g.skills[s].spec.code)
		}
		sp := g.skills[s].spec
		et := employmentTypes[weighted(g.r, 60, 13, 12, 10, 5)]
		if level >= 4 {
			et = employmentTypes[weighted(g.r, 85, 0, 0, 15, 0)]
		}
		titleEn, titleZh := sp.jobEn, sp.jobZh
		switch {
		case provider.kind == kindSchool:
			// Schools hire practical instructors for what they teach.
			et = employmentTypes[weighted(g.r, 75, 0, 0, 25, 0)]
			level = max(level, 4)
			titleEn, titleZh = "Practical Instructor, "+sp.en, sp.zh+"实习指导教师"
		case et == "INTERNSHIP":
			titleEn, titleZh = titleEn+" Intern", titleZh+"（实习）"
			level = min(level, 2)
		case et == "APPRENTICESHIP":
			titleEn, titleZh = titleEn+" Apprentice", titleZh+"（学徒）"
			level = min(level, 3)
		case level >= 4:
			titleEn, titleZh = "Senior "+titleEn, "高级"+titleZh
		}
		positions := 1 + weighted(g.r, 45, 30, 15, 10)
		if skillMarket[sp.code] == short && et != "INTERNSHIP" && provider.kind == kindCompany {
			positions = 5 + g.r.IntN(10)
		}
		smin, smax := g.salary(sp, et, level)
		var shared, closes day
		earliest := maxDay(provider.joined+1, dayFounded+3)
		if current {
			shared = between(g.r, maxDay(earliest, g.asOf-56), g.asOf)
			if !chance(g.r, 0.15) { // else open until filled
				closes = g.asOf + day(7+g.r.IntN(43))
			}
		} else {
			shared = growing(g.r, earliest, maxDay(earliest, g.asOf-75))
			closes = shared + day(30+g.r.IntN(61))
		}
		open := closes == 0 || closes >= g.asOf
		forced := i-past >= 0 && i-past < len(asked)
		res := &resource{provider: provider, category: "JOB_OPENING", titleEn: titleEn, titleZh: titleZh,
			sharedWithAll: forced || chance(g.r, 0.85), sharedOn: shared,
			positions: positions, salaryMin: smin, salaryMax: smax, employmentType: et, closesOn: closes,
			skills: []rskill{{s, level}}}
		g.addRelated(res, provider, level, weighted(g.r, 35, 45, 20), 0.3, func(o int) bool { return g.skills[o].spec.category == "GENERAL" })
		g.newResource(res)
		g.hire(cs, res, holders, pipes[provider], open)
		switch {
		case res.filled == positions:
			res.openingStatus = "FILLED"
		case open:
			res.openingStatus = "OPEN"
		default:
			res.openingStatus = "CLOSED"
		}
		res.desc = fmt.Sprintf("%s is hiring %d × %s (%s) in %s. Monthly salary CNY %d–%d.",
			provider.shortEn, positions, titleEn, employmentLabel[et], districtLabel(provider.district), smin, smax)
	}
	return nil
}

func (g *gen) salary(sp *skillSpec, et string, level int) (int, int) {
	base := float64(categorySalary[sp.category])
	if skillMarket[sp.code] == short {
		base *= 1.15 // scarce skills are paid more
	}
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
	return smin, smax
}

// eligible is whether t may take a job of this type: internships are for students,
// apprenticeships and jobs for those looking for work.
func eligible(t *talent, et string) bool {
	if et == "INTERNSHIP" {
		return t.status == "STUDENT"
	}
	return t.status == "JOB_SEEKING" || t.status == "TRAINEE"
}

// hire fills an opening from the qualified candidates, best first, and records the
// other applications.
func (g *gen) hire(cs *copyState, res *resource, holders map[int][]*talent, pipes []pipeline, open bool) {
	appEnd := g.asOf
	if !open {
		appEnd = res.closesOn
	}
	want := res.positions
	if open {
		// Open openings are partly filled, by how long they have been posted.
		elapsed := float64(g.asOf-res.sharedOn) / 60
		want = int(float64(res.positions) * min(1, elapsed) * (0.3 + 0.6*g.r.Float64()))
	}
	applied := map[*talent]bool{}
	type cand struct {
		t     *talent
		score int
		via   *partnership
	}
	var pool []cand
	for _, t := range holders[res.skills[0].skill] {
		if t.hired || t.registered > appEnd-5 || !eligible(t, res.employmentType) || !qualified(t, res.skills) {
			continue
		}
		c := cand{t: t, score: 2 * matchScore(t, res.skills)}
		if c.via = through(pipes, t, appEnd); c.via != nil {
			c.score += 6 // the order class trained them for this employer
		}
		c.score += g.r.IntN(3)
		pool = append(pool, c)
	}
	for k := 0; k < want && len(pool) > 0; k++ {
		bi := 0
		for j := range pool {
			if pool[j].score > pool[bi].score {
				bi = j
			}
		}
		c := pool[bi]
		pool[bi] = pool[len(pool)-1]
		pool = pool[:len(pool)-1]
		t := c.t
		if t.hired || !eligible(t, res.employmentType) {
			k--
			continue
		}
		applied[t] = true
		on := between(g.r, maxDay(res.sharedOn, t.registered), appEnd-5)
		hired := minDay(on+day(5+g.r.IntN(31)), minDay(appEnd, g.asOf))
		g.last.placement++
		pl := placement{id: g.last.placement, opening: res.id, talent: t.id, status: "HIRED", applied: on, hired: hired,
			salary: roundTo(float64(res.salaryMin)+float64(res.salaryMax-res.salaryMin)*g.r.Float64(), 100)}
		t.hired = true
		if res.employmentType != "INTERNSHIP" {
			t.status, t.employer = "EMPLOYED", res.provider
			if hired+180 < g.asOf {
				// Half a year on the job brings the talent to the level it asked for.
				t.learn(res.skills[0].skill, res.skills[0].level, 0)
			}
		}
		g.placements = append(g.placements, pl)
		res.filled++
		if res.filled == res.positions {
			res.filledOn = hired
		}
	}
	// Other applicants: some near misses, some who were never a fit.
	others := g.r.IntN(res.positions + 4)
	for k := 0; k < others; k++ {
		var t *talent
		for tries := 0; tries < 6 && t == nil; tries++ {
			c := pick(g.r, cs.talents)
			if !applied[c] && c.registered <= appEnd && (c.status != "EMPLOYED" || chance(g.r, 0.2)) {
				t = c
			}
		}
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
		on := between(g.r, maxDay(res.sharedOn, t.registered), appEnd)
		pl := placement{id: 0, opening: res.id, talent: t.id, status: st, applied: on}
		if st != "APPLIED" {
			pl.decided = minDay(on+day(3+g.r.IntN(20)), g.asOf)
		}
		g.last.placement++
		pl.id = g.last.placement
		g.placements = append(g.placements, pl)
	}
}

// settle brings the talents to their state on the demo's day: job seekers on a course
// are trainees, and medallists out of school have been recruited in their trade.
func (g *gen) settle(cs *copyState) error {
	for _, t := range cs.talents {
		if t.status == "JOB_SEEKING" && t.training {
			t.status = "TRAINEE"
		}
		if (t.medal == "GOLD" || t.medal == "SILVER") && (t.status == "JOB_SEEKING" || t.status == "TRAINEE") {
			st := g.strongest(t)
			var employers []*org
			for _, co := range cs.activeCompanies {
				if contains(co.skills, st.skill) {
					employers = append(employers, co)
				}
			}
			if len(employers) > 0 {
				t.status, t.employer = "EMPLOYED", pick(g.r, employers)
			}
		}
	}
	return nil
}
