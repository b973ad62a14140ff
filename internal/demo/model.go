package demo

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// day is a calendar date as days since 1970-01-01; 0 means "no date" (NULL).
type day int32

func mkDay(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d day) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }
func (d day) String() string  { return d.time().Format(time.DateOnly) }
func (d day) year() int       { return d.time().Year() }

// dayFounded is the alliance's founding day. The demo's history runs from it to the day
// it describes (gen.asOf), and its schedule (courses, closing dates) a year beyond.
var dayFounded = mkDay(2024, 8, 17)

func maxDay(a, b day) day {
	if a > b {
		return a
	}
	return b
}

func minDay(a, b day) day {
	if a < b {
		return a
	}
	return b
}

type org struct {
	id, membershipID   int64
	copy               int
	kind, key          string
	nameEn, nameZh     string
	shortEn, shortZh   string
	desc, website      string
	district           string
	founded            int
	level, focus       string
	majors             []string
	students           int
	industry, size     string
	employees          int
	park               *org
	origin             string
	jurisdiction       string
	area               string
	focusIndustries    []string
	skills             []int // indices into gen.skills
	role               string
	joined, left       day
	operatesCenter     *center
	facilitiesBySkill  map[int][]*resource
	facilitiesProvided []*resource
}

type skill struct {
	id     int64
	spec   *skillSpec
	parent int // index, -1 for a top-level area
	isNew  bool
}

type partnership struct {
	id                     int64
	kind, status           string
	titleEn, titleZh, desc string
	signed, starts, ends   day
	// proposed is when a partnership still PROPOSED was proposed: its partners and
	// sponsors have been invited since and not yet answered.
	proposed day
	members  []*org
	roles    []string
	// skill is the subject of a partnership between a company and a school (-1 if none).
	skill int
}

type participant struct {
	partnership, org int64
	role             string
	joined           day
}

// invitation is the invitation of a partner or sponsor: accepted before the signing of
// a signed partnership, still pending (answered zero) for one only proposed.
type invitation struct {
	partnership, org  int64
	role              string
	invited, answered day
}

type center struct {
	id                      int64
	operator                *org
	nameEn, nameZh, address string
	desc                    string
	established             day
	links                   []*org
	skills                  []int
	facilities              []*resource
}

type resource struct {
	id                     int64
	provider               *org
	category               string
	titleEn, titleZh, desc string
	sharedWithAll          bool
	sharedOn               day
	center                 *center
	// TRAINING_FACILITY
	capacity  int
	address   string
	equipment []string
	// JOB_OPENING
	positions, filled, salaryMin, salaryMax int
	employmentType, openingStatus           string
	closesOn, filledOn                      day
	// TEACHER
	teacherName, teacherTitle string
	dualQualified             bool
	years                     int
	// TRAINING_COURSE
	hours, seats, enrolled int
	startsOn, endsOn       day
	facility               *resource
	// COMPETITION_RESULT
	competition, competitionLevel, award string
	awardedOn                            day
	talent                               *talent
	skill                                int64
	edition                              int64 // the competition edition's id
	rank                                 int
	score                                float64
	// links
	skills []rskill
}

type rskill struct {
	skill int // index
	level int
}

type pair struct{ a, b int64 }

type talent struct {
	id               int64
	fullName, nameZh string
	email, phone     string
	birth            day
	status           string
	school, employer *org
	graduation       int
	major            string
	registered       day
	skills           []tskill
	hired            bool
	// medal is the best competition award the talent won ("" for none).
	medal string
	// background is how the talent came to the pool; training that the talent is on a
	// course not yet ended.
	background background
	training   bool
	// cohort is the order class or apprenticeship that trained the talent, if any.
	cohort *partnership
}

type background int

const (
	asStudent  background = iota // at school now
	asGraduate                   // graduated since the alliance began, looking for a first job
	asAdult                      // older job seeker or trainee, retraining
	asEmployee                   // registered by the employer, already in work
)

type tskill struct {
	skill     int
	level     int
	certified day
}

func (t *talent) skillLevel(s int) int {
	for _, ts := range t.skills {
		if ts.skill == s {
			return ts.level
		}
	}
	return 0
}

type enrollment struct {
	id, talent, course int64
	on                 day
	completed          bool
	// skill (index) and level are what the course teaches; certified is the day a
	// passed trainee was certified (0 for none).
	skill, level int
	certified    day
	// The life cycle (enrolments.go): state, the day the seat was taken (0 while
	// waitlisted), and for completions their result and score.
	state               string
	seated, completedOn day
	dropped             day
	result              string
	score               int
	// waitlisted: the talent asked when the class was full.
	waitlisted bool
	// order breaks ties among those who asked on one day.
	order int
}

type placement struct {
	id, opening, talent int64
	status              string
	applied, hired      day
	// decided is when an application that was not a hire was shortlisted, rejected or
	// withdrawn (zero while it is APPLIED).
	decided day
	salary  int
}

// competitionEdition is a skills competition on the alliance's calendar.
type competitionEdition struct {
	id               int64
	nameEn, nameZh   string
	level            string
	startsOn, heldOn day
	venueEn, venueZh string
	organizer        *org
	deadline         day   // 0: no registrations through the alliance
	skills           []int // indices into gen.skills, in code order
}

// entry is a member school's registration of a talent in an edition still to come.
type entry struct {
	id          int64
	competition int64
	talent      *talent
	skill       int
	registered  time.Time
	withdrawn   *time.Time
}

// event is one entry of the demo's history, written to the event log in date order.
type event struct {
	id       int64
	on       day
	at       time.Time
	kind     string
	subject  string
	resource *resource
	payload  string
}

// picker draws orgs with probability proportional to a weight.
type picker struct {
	items []*org
	cum   []float64
}

func newPicker(items []*org, weight func(*org) float64) picker {
	p := picker{items: items, cum: make([]float64, len(items))}
	total := 0.0
	for i, o := range items {
		total += weight(o)
		p.cum[i] = total
	}
	return p
}

func (p picker) pick(r *rand.Rand) *org {
	if len(p.items) == 0 {
		return nil
	}
	x := r.Float64() * p.cum[len(p.cum)-1]
	i := sort.SearchFloat64s(p.cum, x)
	if i >= len(p.items) {
		i = len(p.items) - 1
	}
	return p.items[i]
}

// rng helpers.

func weighted(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns a uniform day in [lo, hi].
func between(r *rand.Rand, lo, hi day) day {
	if hi <= lo {
		return lo
	}
	return lo + day(r.IntN(int(hi-lo)+1))
}

// growing returns a day in [lo, hi] whose density grows towards hi (at hi it is three
// times that at lo), as activity in a young alliance does.
func growing(r *rand.Rand, lo, hi day) day {
	if hi <= lo {
		return lo
	}
	u := r.Float64()
	if r.IntN(2) == 0 {
		u = math.Sqrt(u)
	}
	return lo + day(u*float64(hi-lo+1))
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func roundTo(x float64, step int) int {
	return int(math.Round(x/float64(step))) * step
}
