package store

import "context"

// talentCols are the columns of the anonymised profile; personal columns stay in the table.
const talentCols = "t.id, t.alliance_id, t.status, t.school_id, t.employer_id, t.graduation_year, t.major, t.registered_on, t.version, " +
	"t.pending_employer_id, t.employer_proposed_on"

// TalentFilter selects talents.
type TalentFilter struct {
	Statuses      []TalentStatus
	Alliances     []int64
	Schools       []int64
	Employers     []int64
	Skills        []int64
	MinSkillLevel *int
	Registered    *DateRange
}

var talentOrders = map[string]sortKey{
	"REGISTERED_ON":   {"t.registered_on", "date"},
	"GRADUATION_YEAR": {"COALESCE(t.graduation_year, 0)", "int"},
}

func talentList(f TalentFilter, o Order) *list {
	l := &list{cols: talentCols, from: "talent t", id: "t.id", orders: talentOrders, order: o}
	in(l, "t.status", f.Statuses)
	inIDs(l, "t.alliance_id", f.Alliances)
	inIDs(l, "t.school_id", f.Schools)
	inIDs(l, "t.employer_id", f.Employers)
	if f.Skills != nil {
		cond := "fs.talent_id = t.id AND fs.skill_id = ANY(" + l.arg(int64Array(f.Skills)) + ")"
		if f.MinSkillLevel != nil {
			cond += " AND fs.level >= " + l.arg(*f.MinSkillLevel)
		}
		l.where("EXISTS (SELECT 1 FROM talent_skill fs WHERE " + cond + ")")
	}
	dates(l, "t.registered_on", f.Registered)
	return l
}

func talentID(t *Talent) int64 { return t.ID }

// Talents lists the talent pool.
func (s *Store) Talents(ctx context.Context, f TalentFilter, o Order, p Page) (Result[Talent], error) {
	return page(ctx, s, "talents", talentList(f, o), p, talentID)
}

// CountTalents counts the talents f selects.
func (s *Store) CountTalents(ctx context.Context, f TalentFilter) (int, error) {
	return count(ctx, s, "talents", talentList(f, Order{}))
}

// TalentParent names the relation a nested talent list hangs from.
type TalentParent int

// The relations talents are listed under.
const (
	TalentsOfAlliance TalentParent = iota
	TalentsOfSchool
	TalentsOfEmployer
	TalentsOfSkill
	// TalentsPendingFor lists the talents that named a company as employer and await its
	// answer.
	TalentsPendingFor
)

func nestedTalentList(via TalentParent, f TalentFilter, o Order) *list {
	if via == TalentsOfSkill {
		// The skill is the parent, so the level applies to it rather than to f.Skills.
		min := f.MinSkillLevel
		if f.Skills == nil {
			f.MinSkillLevel = nil
		}
		l := talentList(f, o)
		l.from = "talent t JOIN talent_skill sk ON sk.talent_id = t.id"
		l.parent = "sk.skill_id"
		if min != nil {
			l.where("sk.level >= " + l.arg(*min))
		}
		return l
	}
	l := talentList(f, o)
	l.parent = map[TalentParent]string{TalentsOfAlliance: "t.alliance_id", TalentsOfSchool: "t.school_id", TalentsOfEmployer: "t.employer_id", TalentsPendingFor: "t.pending_employer_id"}[via]
	return l
}

// NestedTalents lists the talents under each parent of the given relation.
func (s *Store) NestedTalents(ctx context.Context, via TalentParent, parents []int64, f TalentFilter, o Order, p Page) (map[int64]Result[Talent], error) {
	l := nestedTalentList(via, f, o)
	if via == TalentsOfSkill {
		skipUnheld(l, "talent_skill unheld")
	}
	return pages(ctx, s, "talents", l, parents, p, talentID)
}

// skipUnheld keeps a page of a skill's talents or openings (a lateral per skill, see
// pages) from running for a skill that no row of links (aliased unheld) names. PostgreSQL plans the page
// for a skill it does not know, expecting thousands of holders, as a walk through every
// talent (or opening) in page order that probes each for the skill and stops when the
// page is full: a few milliseconds for a skill many hold, a walk through all of them,
// 0.4 to 0.8 s at scale 100, for a skill none holds. The check is a one-time filter of
// the lateral, one index probe.
func skipUnheld(l *list, links string) {
	l.where("EXISTS (SELECT 1 FROM " + links + " WHERE unheld.skill_id = parent.id)")
}

// CountNestedTalents counts the talents under each parent of the given relation.
func (s *Store) CountNestedTalents(ctx context.Context, via TalentParent, parents []int64, f TalentFilter) (map[int64]int, error) {
	return counts(ctx, s, "talents", nestedTalentList(via, f, Order{}), parents)
}

// TalentsByID loads anonymised talent profiles by id.
func (s *Store) TalentsByID(ctx context.Context, ids []int64) (map[int64]*Talent, error) {
	return byID(ctx, s, "talents", "SELECT "+talentCols+" FROM talent t WHERE t.id = ANY($1)", ids, talentID)
}

// SkillsOfTalents lists each talent's skills, highest level first.
func (s *Store) SkillsOfTalents(ctx context.Context, talents []int64) (map[int64][]SkillLevel, error) {
	return groupList(ctx, s, "talent skills", talentSkillList, "ts", "ts.talent_id AS owner_id, ts.skill_id, ts.level, ts.certified_on", Scope{}, talents, func(l *SkillLevel) int64 { return l.OwnerID })
}

// talentSkillList is a talent's skills, highest level first.
var talentSkillList = &ManyDecl{To: "skillLevel", Key: keyColumn("talent_id"),
	From: func(a string) string {
		return "talent_skill " + a + " JOIN skill " + a + "k ON " + a + "k.id = " + a + ".skill_id"
	},
	Order: func(a string) string { return a + ".level DESC, " + a + "k.code" },
}

// talentCourseList is the courses a talent took or is taking (seated: ENROLLED or
// COMPLETED, not waitlisted or dropped) that the viewer sees, latest enrolment first.
var talentCourseList = &ManyDecl{To: "resource",
	Key: func(a string) string { return a + "l.talent_id" },
	From: func(a string) string {
		return "enrollment " + a + "l JOIN resource " + a + " ON " + a + ".id = " + a + "l.course_id AND " + a + "l.state IN ('ENROLLED', 'COMPLETED')"
	},
	Order: func(a string) string { return a + "l.enrolled_on DESC, " + a + "l.course_id" },
	Scope: func(a string) string { return a },
}

// CoursesOfTalents lists, per talent, the courses taken that scope sees, latest
// enrolment first.
func (s *Store) CoursesOfTalents(ctx context.Context, scope Scope, talents []int64) (map[int64][]Link, error) {
	return groupList(ctx, s, "talent courses", talentCourseList, "r", "rl.talent_id AS owner_id, r.id AS other_id", scope,
		talents, func(l *Link) int64 { return l.OwnerID })
}

// PlacementFilter selects placements.
type PlacementFilter struct {
	Statuses []PlacementStatus
	Applied  *DateRange
}

var placementOrders = map[string]sortKey{"APPLIED_ON": {"pl.applied_on", "date"}}

func openingPlacementList(f PlacementFilter, o Order) *list {
	l := &list{cols: "pl.*", from: "placement pl", id: "pl.id", parent: "pl.opening_id", orders: placementOrders, order: o}
	in(l, "pl.status", f.Statuses)
	dates(l, "pl.applied_on", f.Applied)
	return l
}

func placementID(p *Placement) int64 { return p.ID }

// OpeningPlacements lists each opening's placements.
func (s *Store) OpeningPlacements(ctx context.Context, openings []int64, f PlacementFilter, o Order, p Page) (map[int64]Result[Placement], error) {
	return pages(ctx, s, "opening placements", openingPlacementList(f, o), openings, p, placementID)
}

// CountOpeningPlacements counts each opening's placements.
func (s *Store) CountOpeningPlacements(ctx context.Context, openings []int64, f PlacementFilter) (map[int64]int, error) {
	return counts(ctx, s, "opening placements", openingPlacementList(f, Order{}), openings)
}

// PlacementsByID loads the placements among ids whose opening scope sees: an
// application to an opening the viewer may not see is as hidden as the opening.
func (s *Store) PlacementsByID(ctx context.Context, scope Scope, ids []int64) (map[int64]*Placement, error) {
	q, args := scoped("SELECT pl.* FROM placement pl JOIN resource r ON r.id = pl.opening_id WHERE pl.id = ANY($1) AND {scope}", "r", scope, 1)
	return byID(ctx, s, "placements", q, ids, placementID, args...)
}

// talentPlacementList is a talent's placements to openings the viewer sees, latest
// first.
var talentPlacementList = &ManyDecl{To: "placement", Key: keyColumn("talent_id"),
	From: func(a string) string {
		return "placement " + a + " JOIN resource " + a + "r ON " + a + "r.id = " + a + ".opening_id"
	},
	Order: func(a string) string { return a + ".applied_on DESC, " + a + ".id" },
	Scope: func(a string) string { return a + "r" },
}

// PlacementsOfTalents lists each talent's placements to openings scope sees, latest
// first.
func (s *Store) PlacementsOfTalents(ctx context.Context, scope Scope, talents []int64) (map[int64][]Placement, error) {
	return groupList(ctx, s, "talent placements", talentPlacementList, "pl", "pl.*", scope, talents, func(p *Placement) int64 { return p.TalentID })
}
