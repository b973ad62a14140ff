package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// graduationDay is the day a cohort graduates: 30 June of its year.
func graduationDay(year int) day { return mkDay(year, 6, 30) }

// lastGraduation is the year of the latest graduation on or before d.
func lastGraduation(d day) int {
	y := d.year()
	if d < graduationDay(y) {
		y--
	}
	return y
}

// majorWeight is how popular a major is: schools fill crowded trades more readily than
// the shortage trades industry asks for, which is how curricula lag industry.
func (g *gen) majorWeight(major string) float64 {
	w := 0.0
	for _, c := range majorSkills[major] {
		switch skillMarket[c] {
		case short:
			w += 0.35
		case crowded:
			w += 2
		default:
			w++
		}
	}
	return w / float64(len(majorSkills[major]))
}

func (g *gen) pickMajor(school *org) string {
	w := make([]float64, len(school.majors))
	total := 0.0
	for i, m := range school.majors {
		w[i] = g.majorWeight(m)
		total += w[i]
	}
	x := g.r.Float64() * total
	for i, m := range school.majors {
		if x < w[i] {
			return m
		}
		x -= w[i]
	}
	return school.majors[len(school.majors)-1]
}

// learn gives t skill s at level lvl, or raises it to lvl, certified on the day given.
func (t *talent) learn(s, lvl int, certified day) {
	for i := range t.skills {
		if t.skills[i].skill == s {
			if lvl > t.skills[i].level {
				t.skills[i].level = lvl
				if certified != 0 {
					t.skills[i].certified = certified
				}
			}
			return
		}
	}
	t.skills = append(t.skills, tskill{skill: s, level: lvl, certified: certified})
}

func (g *gen) majorSkillsOf(major string) []int {
	out, err := g.skillsOf(majorSkills[major])
	if err != nil {
		panic(err) // the tables are checked by TestMajorsTeachKnownSkills
	}
	return out
}

// talentPool registers the talents: students at member schools, recent graduates looking
// for a first job, older job seekers retraining, and employees registered by their
// employers. Their skills follow what they studied and where they work; courses and
// jobs add to them later.
func (g *gen) talentPool(cs *copyState) error {
	safety := g.skillIdx["GEN.SAFE"]
	last := lastGraduation(g.asOf)
	for i := 0; i < talentsPerUnit; i++ {
		g.last.talent++
		t := &talent{id: g.last.talent}
		en, zh, sur, given := g.person()
		t.fullName, t.nameZh = en, zh
		t.email = fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(sur), strings.ToLower(given), t.id)
		t.phone = fmt.Sprintf("+86 1%d%d %04d %04d", pick(g.r, []int{3, 5, 8, 9}), g.r.IntN(10), g.r.IntN(10000), g.r.IntN(10000))
		t.registered = growing(g.r, dayFounded, g.asOf)
		if chance(g.r, 0.25) {
			t.registered = between(g.r, dayFounded, minDay(mkDay(2024, 12, 31), g.asOf))
		}
		// A major teaches its first skill to everyone, the others to some.
		study := func(level func() int, certified day) {
			t.major = g.pickMajor(t.school)
			for k, s := range g.majorSkillsOf(t.major) {
				if k == 0 || chance(g.r, 0.5) {
					t.learn(s, level(), certified)
				}
			}
		}
		switch weighted(g.r, 40, 22, 13, 25) {
		case 0:
			t.background, t.status = asStudent, "STUDENT"
			t.school = cs.schoolPick.pick(g.r)
			t.graduation = last + 1 + g.r.IntN(3)
			t.birth = between(g.r, mkDay(t.graduation-22, 1, 1), mkDay(t.graduation-19, 8, 31))
			final := t.graduation == last+1
			study(func() int {
				if final && chance(g.r, 0.5) {
					return 2
				}
				return 1
			}, 0)
		case 1:
			t.background, t.status = asGraduate, "JOB_SEEKING"
			t.school = cs.schoolPick.pick(g.r)
			t.graduation = last - weighted(g.r, 55, 35, 10)
			gd := graduationDay(t.graduation)
			t.registered = between(g.r, maxDay(dayFounded, gd-270), minDay(maxDay(dayFounded, gd+90), g.asOf))
			t.birth = between(g.r, mkDay(t.graduation-22, 1, 1), mkDay(t.graduation-19, 8, 31))
			study(func() int { return 2 + weighted(g.r, 60, 40) }, gd)
		case 2:
			t.background, t.status = asAdult, "JOB_SEEKING"
			t.birth = between(g.r, mkDay(1980, 1, 1), mkDay(2000, 12, 31))
			if chance(g.r, 0.6) {
				t.school = cs.schoolPick.pick(g.r)
				t.graduation = min(last, t.birth.year()+20+g.r.IntN(3))
				study(func() int { return 2 + weighted(g.r, 50, 50) }, 0)
			}
			// An earlier job in a trade other than the short ones, which is why the
			// talent needs retraining.
			co := cs.employerPick.pick(g.r)
			for _, s := range g.r.Perm(len(co.skills)) {
				if skillMarket[g.skills[co.skills[s]].spec.code] != short {
					t.learn(co.skills[s], 2+g.r.IntN(2), 0)
					break
				}
			}
		default:
			t.background, t.status = asEmployee, "EMPLOYED"
			t.employer = cs.employerPick.pick(g.r)
			t.birth = between(g.r, mkDay(1978, 1, 1), mkDay(2003, 8, 31))
			if chance(g.r, 0.6) {
				t.school = cs.schoolPick.pick(g.r)
				t.graduation = min(last, t.birth.year()+20+g.r.IntN(3))
				study(func() int { return 2 + g.r.IntN(2) }, 0)
			}
			// What the job taught: one trade of the employer's industry to a high level,
			// one or two more to a working level.
			job := g.specific(t.employer.skills)
			perm := g.r.Perm(len(job))
			for k, j := range perm[:min(len(perm), 1+weighted(g.r, 30, 50, 20))] {
				lvl := 2 + g.r.IntN(3)
				if k == 0 {
					lvl = 3 + weighted(g.r, 40, 40, 20)
				}
				var cert day
				if chance(g.r, 0.5) {
					cert = between(g.r, t.registered, g.asOf)
				}
				t.learn(job[j], lvl, cert)
			}
		}
		if t.skillLevel(safety) == 0 && (len(t.skills) < 2 || chance(g.r, 0.4)) {
			t.learn(safety, 1+g.r.IntN(2), 0)
		}
		for len(t.skills) < 2 { // everyone registers with at least two skills
			sc := cs.schoolPick.pick(g.r)
			s := pick(g.r, sc.skills)
			if skillMarket[g.skills[s].spec.code] != short {
				t.learn(s, 1+g.r.IntN(2), 0)
			}
		}
		g.talents = append(g.talents, t)
		cs.talents = append(cs.talents, t)
	}
	return nil
}

func timeMonth(m int) time.Month { return time.Month(m) }

// strongest is t's highest-level skill outside the general competencies.
func (g *gen) strongest(t *talent) *tskill {
	var best *tskill
	for i := range t.skills {
		ts := &t.skills[i]
		if g.skills[ts.skill].spec.category == "GENERAL" {
			continue
		}
		if best == nil || ts.level > best.level {
			best = ts
		}
	}
	return best
}

// competitionResults records every edition of the recurring competitions held by the
// demo's day. Medals go to the strongest candidates of the member schools: at world and
// national level to graduates who went on to work in their trade (settle makes sure
// most medallists are employed), at college competitions to students. Editions still to
// come take entries from member schools while their registration is open.
func (g *gen) competitionResults(cs *copyState) error {
	rank := map[string]int{"GOLD": 5, "SILVER": 4, "BRONZE": 3, "EXCELLENCE": 2, "PARTICIPATION": 1}
	for i := range competitionSeriesSpecs {
		cp := &competitionSeriesSpecs[i]
		college := strings.Contains(cp.en, "College")
		for year := cp.from; ; year += cp.every {
			date := mkDay(year, timeMonth(cp.month), cp.day)
			if date > g.horizon {
				break
			}
			nameEn := fmt.Sprintf("%d %s", year, cp.en)
			if cs.n == 0 { // one calendar for the alliance, whatever its scale
				if err := g.newEdition(cs, cp, nameEn, year, date); err != nil {
					return err
				}
			}
			ed := g.edition(nameEn)
			if date > g.asOf {
				// Still to come: on the calendar, no results yet.
				g.enter(cs, ed, college)
				continue
			}
			// Who could have competed: talents of member schools, at college
			// competitions while still at school, at the others after it.
			var field []*talent
			for _, c := range cs.talents {
				if c.school == nil || c.registered > date || c.school.left != 0 || c.school.joined > date || g.strongest(c) == nil {
					continue
				}
				if student := graduationDay(c.graduation) >= date; student == college {
					field = append(field, c)
				}
			}
			taken := map[*talent]bool{}
			var recorded []*resource
			for k := 0; k < cp.count && len(taken) < len(field); k++ {
				// The strongest of a few entrants from the field.
				var t *talent
				for tries := 0; tries < 30 || t == nil; tries++ {
					c := pick(g.r, field)
					if !taken[c] && (t == nil || g.strongest(c).level > g.strongest(t).level) {
						t = c
					}
				}
				taken[t] = true
				var award string
				if cp.level == "WORLD" {
					award = []string{"GOLD", "EXCELLENCE"}[k%2]
				} else {
					award = []string{"GOLD", "SILVER", "BRONZE", "EXCELLENCE", "PARTICIPATION"}[weighted(g.r, 12, 18, 25, 30, 15)]
				}
				ts := g.strongest(t)
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
				if rank[award] > rank[t.medal] {
					t.medal = award
				}
				sp := g.skills[ts.skill].spec
				an := awardNames[award]
				who := "A student"
				if !college {
					who = "A graduate"
				}
				res := &resource{provider: t.school, category: "COMPETITION_RESULT",
					titleEn: fmt.Sprintf("%s, %s – %s %d", an[0], sp.en, cp.en, year),
					titleZh: fmt.Sprintf("%d年%s %s %s", year, cp.zh, sp.zh, an[1]),
					desc: fmt.Sprintf("%s of %s won the %s in %s at the %d %s (%s level).",
						who, t.school.shortEn, strings.ToLower(an[0]), sp.en, year, cp.en, strings.ToLower(cp.level)),
					sharedWithAll: true, sharedOn: minDay(maxDay(date, t.school.joined)+day(g.r.IntN(11)), g.asOf),
					competition: cp.en, competitionLevel: cp.level, award: award, awardedOn: date, talent: t, skill: g.skills[ts.skill].id,
					edition: ed.id}
				g.newResource(res)
				recorded = append(recorded, res)
				if !slices.Contains(ed.skills, ts.skill) {
					ed.skills = append(ed.skills, ts.skill)
				}
			}
			g.rank(recorded, rank, ed.id+int64(cs.n)<<20)
			slices.SortFunc(ed.skills, func(a, b int) int { return strings.Compare(g.skills[a].spec.code, g.skills[b].spec.code) })
		}
	}
	return nil
}

// newEdition puts one edition of a series on the alliance's calendar: its days end on
// the day results are announced, and registration closes the series' deadline before
// the first.
func (g *gen) newEdition(cs *copyState, cp *competitionSeries, nameEn string, year int, last day) error {
	g.last.competition++
	skills, err := g.skillsOf(cp.skills)
	if err != nil {
		return err
	}
	ed := competitionEdition{id: g.last.competition, nameEn: nameEn, nameZh: fmt.Sprintf("%d年%s", year, cp.zh), level: cp.level,
		startsOn: last - day(cp.days-1), heldOn: last, venueEn: cp.venueEn, venueZh: cp.venueZh, skills: skills}
	if cp.deadline > 0 {
		ed.deadline = ed.startsOn - day(cp.deadline)
	}
	for _, a := range cs.agencies {
		if cp.organizer != "" && a.key == cp.organizer {
			ed.organizer = a
		}
	}
	slices.SortFunc(ed.skills, func(a, b int) int { return strings.Compare(g.skills[a].spec.code, g.skills[b].spec.code) })
	g.competitions = append(g.competitions, ed)
	return nil
}

// edition is the calendar's edition of that name.
func (g *gen) edition(nameEn string) *competitionEdition {
	for i := range g.competitions {
		if g.competitions[i].nameEn == nameEn {
			return &g.competitions[i]
		}
	}
	panic("demo: no competition edition " + nameEn)
}

// rank places an edition's results in each skill by award, and scores them: a gold
// scores in the nineties, each place below a little less. Its draws come from a source of
// their own (seeded by seed), so that the rest of the demo stays as it was before results
// were ranked.
func (g *gen) rank(results []*resource, strength map[string]int, seed int64) {
	r := sideRand(seed)
	bySkill := map[int64][]*resource{}
	var skills []int64
	for _, r := range results {
		if bySkill[r.skill] == nil {
			skills = append(skills, r.skill)
		}
		bySkill[r.skill] = append(bySkill[r.skill], r)
	}
	for _, s := range skills {
		rs := bySkill[s]
		slices.SortStableFunc(rs, func(a, b *resource) int { return strength[b.award] - strength[a.award] })
		score := 100.0
		for i, res := range rs {
			score -= 1 + float64(r.IntN(400))/100 + float64(5-strength[res.award])*2
			res.rank, res.score = i+1, math.Round(score*100)/100
		}
	}
}

// enter registers, while an edition's registration is open on the demo's day, the
// member schools' talents holding one of its skills well: students for college
// competitions, graduates for the others. Skills no course teaches find few entrants,
// which is the gap the alliance's curricula have to close.
func (g *gen) enter(cs *copyState, ed *competitionEdition, college bool) {
	if ed.deadline == 0 || g.asOf > ed.deadline || g.asOf >= ed.startsOn {
		return
	}
	// Students are entered from level 2 in college competitions; graduates from level 3.
	least := 3
	if college {
		least = 2
	}
	limit := 3 * len(ed.skills)
	// Entries draw from a source of their own, as ranks do.
	r := sideRand(ed.id + int64(cs.n)<<20 + 1<<40)
	for _, t := range cs.talents {
		if limit == 0 {
			break
		}
		if t.school == nil || t.school.left != 0 || t.registered > g.asOf {
			continue
		}
		if student := graduationDay(t.graduation) >= ed.startsOn; student != college {
			continue
		}
		best := -1
		for _, ts := range t.skills {
			if ts.level >= least && slices.Contains(ed.skills, ts.skill) && (best < 0 || ts.level > t.skillLevel(best)) {
				best = ts.skill
			}
		}
		if best < 0 || r.IntN(3) > 0 {
			continue
		}
		limit--
		g.last.registration++
		// Entered over the last weeks, in office hours in Shenyang (UTC+8).
		at := (g.asOf - day(1+r.IntN(40))).time().Add(time.Duration(1+r.IntN(8)) * time.Hour)
		e := &entry{id: g.last.registration, competition: ed.id, talent: t, skill: best, registered: at}
		if r.IntN(12) == 0 {
			w := at.Add(time.Duration(24+r.IntN(96)) * time.Hour)
			if w.Before(g.asOf.time()) {
				e.withdrawn = &w
			}
		}
		g.entries = append(g.entries, e)
	}
}

// sideRand is a source of draws apart from the demo's own sequence, for details added
// after the demo's shape was settled.
func sideRand(seed int64) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 0xc0de_2026_1203)) }
