package demo

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
)

// courseState is where a course is on day d, by the alliance's calendar.
func courseState(starts, ends, d day) calendar.CourseState {
	opt := func(x day) *time.Time {
		if x == 0 {
			return nil
		}
		t := x.time()
		return &t
	}
	return calendar.StateOf(opt(starts), opt(ends), d.time())
}

// courseWeight is how likely a course teaches a skill: the curriculum follows what
// schools have always taught more than what industry now asks for, and some shortages
// have no course at all.
func courseWeight(code string) float64 {
	if untaught[code] {
		return 0
	}
	switch skillMarket[code] {
	case short:
		return 0.6
	case crowded:
		return 4
	}
	return 2
}

func seasonOf(d day) (string, string) {
	switch m := d.time().Month(); {
	case m >= 3 && m <= 5:
		return "Spring", "春季"
	case m >= 6 && m <= 8:
		return "Summer", "夏季"
	case m >= 9 && m <= 11:
		return "Autumn", "秋季"
	}
	return "Winter", "冬季"
}

// courses schedules the training courses: those run since the founding and those
// announced for the coming year, each in a facility built for its trade when it has one,
// with enrolment opening eight weeks before the start. Completing a course raises the
// trainee's skill to the level it teaches.
func (g *gen) courses(cs *copyState) error {
	past := coursesPerUnit * 62 / 100
	// Each shortage that is taught at all has at least one course ahead, if only a basic one.
	var shortTaught []int
	for i := range g.skills {
		if code := g.skills[i].spec.code; skillMarket[code] == short && !untaught[code] {
			shortTaught = append(shortTaught, i)
		}
	}
	for i := 0; i < coursesPerUnit; i++ {
		future := i >= past
		var provider *org
		var c *center
		var options []int
		if k := i - past; k >= 0 && k < len(shortTaught) {
			f := shortTaught[k]
			var centres []*center
			for _, x := range cs.centers {
				if contains(x.skills, f) {
					centres = append(centres, x)
				}
			}
			var schools []*org
			for _, o := range cs.activeSchools {
				if contains(o.skills, f) {
					schools = append(schools, o)
				}
			}
			switch {
			case len(centres) > 0:
				c = pick(g.r, centres)
				provider = c.operator
			case len(schools) > 0:
				provider = pick(g.r, schools)
			default:
				return fmt.Errorf("demo: no centre or school teaches %s", g.skills[f].spec.code)
			}
			options = []int{f}
		} else if chance(g.r, 0.7) {
			c = pick(g.r, cs.centers)
			members := teachingMembers(c)
			provider = c.operator
			if chance(g.r, 0.5) && len(members) > 1 {
				provider = members[1+g.r.IntN(len(members)-1)]
			}
			options = c.skills
		} else {
			if chance(g.r, 0.85) {
				provider = pick(g.r, cs.activeSchools)
			} else {
				provider = cs.employerPick.pick(g.r)
			}
			options = g.specific(provider.skills)
		}
		weights := make([]int, len(options))
		sum := 0
		for k, s := range options {
			weights[k] = int(10 * courseWeight(g.skills[s].spec.code))
			sum += weights[k]
		}
		if sum == 0 {
			i--
			continue
		}
		s := options[weighted(g.r, weights...)]
		sp := g.skills[s].spec
		level := 1 + weighted(g.r, 15, 35, 30, 15, 5)
		if skillMarket[sp.code] == short {
			level = 1 + weighted(g.r, 50, 40, 10) // what is taught stops below what is asked
		}
		var fac *resource
		var rooms []*resource
		if c != nil {
			for _, f := range c.facilities {
				if f.skills[0].skill == s {
					rooms = append(rooms, f)
				}
			}
		} else {
			rooms = provider.facilitiesBySkill[s]
		}
		if len(rooms) > 0 {
			fac = pick(g.r, rooms)
		}
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
		if skillMarket[sp.code] == short {
			seats = 10 + g.r.IntN(11) // few workstations of the scarce equipment
		}
		if fac != nil {
			seats = min(seats, fac.capacity)
		}
		earliest := maxDay(provider.joined, dayFounded+7)
		if c != nil {
			earliest = maxDay(earliest, c.established)
		}
		if fac != nil {
			earliest = maxDay(earliest, fac.sharedOn)
		}
		var shared, starts day
		if future {
			// Announced for the coming year, more of them soon than late.
			starts = g.asOf + 1 + day(365*math.Pow(g.r.Float64(), 1.5))
			shared = between(g.r, maxDay(earliest, minDay(starts-120, g.asOf-30)), minDay(starts-14, g.asOf))
			if shared < earliest || shared > g.asOf {
				i--
				continue
			}
		} else {
			shared = growing(g.r, earliest, maxDay(earliest, g.asOf-21))
			starts = shared + day(14+g.r.IntN(47))
		}
		ends := starts + day(hours/6*7/5)
		ln := levelNames[level-1]
		seasonEn, seasonZh := seasonOf(starts)
		titleEn := fmt.Sprintf("%s %s Course, %s %d – %s", sp.en, ln[0], seasonEn, starts.year(), provider.shortEn)
		titleZh := fmt.Sprintf("%s%d年%s%s%s培训班", provider.shortZh, starts.year(), seasonZh, sp.zh, ln[1])
		if g.titles[titleEn] {
			i--
			continue
		}
		g.titles[titleEn] = true
		res := &resource{provider: provider, category: "TRAINING_COURSE", center: c, facility: fac,
			titleEn: titleEn, titleZh: titleZh,
			sharedWithAll: chance(g.r, 0.88), sharedOn: shared,
			hours: hours, seats: seats, startsOn: starts, endsOn: ends,
			skills: []rskill{{s, level}}}
		where := provider.shortEn
		if fac != nil {
			where = fmt.Sprintf("%s, in the %s", provider.shortEn, strings.TrimSuffix(fac.titleEn, ", "+provider.shortEn))
		}
		res.desc = fmt.Sprintf("%d-hour course in %s at %s level (national vocational skill level %d) for up to %d trainees, run by %s.",
			hours, sp.en, strings.ToLower(ln[0]), 6-level, seats, where)
		// Never a shortage as a side subject: what is taught of them is in their own courses.
		g.addRelated(res, provider, level, weighted(g.r, 45, 40, 15), 0.2, func(o int) bool { return skillMarket[g.skills[o].spec.code] == short })
		g.newResource(res)
		g.assignTeachers(cs, res, s, provider, starts)
		g.enrol(cs, res, s, level)
	}
	return nil
}

// addRelated gives a course or an opening up to extra other skills of its provider's,
// each below its own level, leaving out those skip refuses; from level 3 on, with the
// chance given, occupational safety at level 2 too.
func (g *gen) addRelated(res *resource, provider *org, level, extra int, safetyChance float64, skip func(int) bool) {
	for _, j := range g.r.Perm(len(provider.skills)) {
		if extra == 0 || level == 1 {
			break
		}
		o := provider.skills[j]
		if hasSkill(res.skills, o) || skip(o) {
			continue
		}
		res.skills = append(res.skills, rskill{o, max(1, level-1-g.r.IntN(2))})
		extra--
	}
	safety := g.skillIdx["GEN.SAFE"]
	if level >= 3 && chance(g.r, safetyChance) && !hasSkill(res.skills, safety) {
		res.skills = append(res.skills, rskill{safety, 2})
	}
}

// assignTeachers gives a course experts in its skill, the provider's own first.
func (g *gen) assignTeachers(cs *copyState, res *resource, s int, provider *org, starts day) {
	var own, other []*resource
	for _, t := range cs.teachersBySkill[s] {
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
	chosen := 0
	for _, list := range [][]*resource{own, other} {
		for _, j := range g.r.Perm(len(list)) {
			if chosen == nt {
				break
			}
			chosen++
			g.courseTeach = append(g.courseTeach, pair{res.id, list[j].id})
		}
	}
	if chosen == 0 { // no expert listed yet: any teacher listed before the start
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
}

// enrol fills a course as far as its state on the demo's day allows: courses that have
// started are mostly full, courses open for enrolment fill as their start nears, and
// courses whose enrolment has not opened have no one yet. Those who enrol are those the
// course is for: students of the trade, talents holding the skill below the level
// taught, and the provider's own students and staff.
func (g *gen) enrol(cs *copyState, res *resource, s, level int) {
	starts, ends := res.startsOn, res.endsOn
	var frac float64
	switch courseState(starts, ends, g.asOf) {
	case calendar.Ended, calendar.Running:
		frac = 0.6 + 0.4*g.r.Float64()
	case calendar.Enrolling:
		open := float64(calendar.EnrolmentWindow-(starts-g.asOf)) / calendar.EnrolmentWindow
		frac = (0.4 + 0.5*g.r.Float64()) * math.Max(open, 0.1)
	default:
		return
	}
	opens := starts - calendar.EnrolmentWindow
	last := minDay(starts-1, g.asOf)
	target := int(float64(res.seats) * frac)
	taken := map[*talent]bool{}
	for tries := 0; len(taken) < target && tries < target*10; tries++ {
		t := pick(g.r, cs.talents)
		if taken[t] || t.registered > last {
			continue
		}
		held := t.skillLevel(s)
		relevant := contains(g.majorSkillsOfTalent(t), s) || (held > 0 && held < level) || t.school == res.provider || t.employer == res.provider
		if !relevant && !chance(g.r, 0.15) {
			continue
		}
		if held >= level && !chance(g.r, 0.1) {
			continue // nothing to learn here
		}
		taken[t] = true
		on := between(g.r, maxDay(maxDay(res.sharedOn, opens), t.registered), last)
		done := ends < g.asOf && chance(g.r, 0.88)
		e := enrollment{talent: t.id, course: res.id, on: on, completed: done, skill: s, level: level}
		if done {
			certified := minDay(ends+day(g.r.IntN(30)), g.asOf)
			// A trainee who failed the assessment learned no new level.
			if e.score = assessmentScore(t.id, res.id); e.score >= passMark {
				e.certified = certified
				t.learn(s, level, certified)
			}
		} else if ends >= g.asOf {
			t.training = true
		}
		g.enrollments = append(g.enrollments, e)
	}
	res.enrolled = len(taken)
}

func (g *gen) majorSkillsOfTalent(t *talent) []int {
	if t.major == "" {
		return nil
	}
	return g.majorSkillsOf(t.major)
}

func hasSkill(rs []rskill, s int) bool {
	for _, x := range rs {
		if x.skill == s {
			return true
		}
	}
	return false
}
