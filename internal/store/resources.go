package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
)

// Scope is what a viewer may see of the resources: everything (All), or the resources
// shared with the whole alliance, provided by Organization or shared with it by name.
// Every statement that reads resource rows takes one, and its zero value sees only what
// is shared with the whole alliance, so a read that forgets to pass the viewer's scope
// shows less, never more.
type Scope struct {
	All          bool
	Organization int64
}

// within is what a list of resources is read within: the Scope itself, or a filter's
// (see docBuilder.connection).
func (s Scope) within() Visibility            { return Visibility{Resources: s} }
func (f ResourceFilter) within() Visibility   { return Visibility{Resources: f.Scope} }
func (f JobOpeningFilter) within() Visibility { return Visibility{Resources: f.Scope} }
func (f CourseFilter) within() Visibility     { return Visibility{Resources: f.Scope} }

// condition is the scope's test on the resource row alias, the only place that says
// which rows a scope covers. arg adds a bind argument and returns its placeholder.
func (s Scope) condition(alias string, arg func(any) string) string {
	if s.All {
		return "true"
	}
	if s.Organization == 0 {
		// No organization (an anonymous viewer, or one outside every member): the plain
		// test lets PostgreSQL count and page with the indexes on shared_with_all, where
		// the disjunction had it test every row.
		return alias + ".shared_with_all"
	}
	org := arg(s.Organization)
	return "(" + alias + ".shared_with_all OR " + alias + ".provider_id = " + org +
		" OR EXISTS (SELECT 1 FROM resource_share vs WHERE vs.resource_id = " + alias + ".id AND vs.organization_id = " + org + "))"
}

// bound is a statement's argument list that placeholders are drawn from.
type bound []any

func (b *bound) arg(v any) string {
	*b = append(*b, v)
	return "$" + strconv.Itoa(len(*b))
}

// scoped puts the scope's condition on the resource rows aliased alias in place of
// {scope} in a statement whose own arguments are $1 to $n, and returns the arguments
// the condition adds after them.
func scoped(query, alias string, s Scope, n int) (string, []any) {
	args := make(bound, n)
	cond := s.condition(alias, args.arg)
	return strings.ReplaceAll(query, "{scope}", cond), args[n:]
}

// visible adds the scope's condition and hides withdrawn resources.
func visible(l *list, s Scope) {
	l.where("r.withdrawn_on IS NULL")
	if c := s.condition("r", l.arg); c != "true" {
		l.where(c)
	}
}

// ResourceFilter selects shared resources of any category.
type ResourceFilter struct {
	Scope         Scope
	Categories    []ResourceCategory
	Providers     []int64
	Alliances     []int64
	Skills        []int64
	Shared        *DateRange
	SharedWithAll *bool
	Search        *string
}

var resourceOrders = map[string]sortKey{
	"SHARED_ON": {"r.shared_on", "date"},
	"TITLE":     {byName("r.title_en"), "text"},
}

// skillsOf matches resources linked to any of skills, whichever way they link.
func skillsOf(l *list, skills []int64) {
	if skills == nil {
		return
	}
	p := l.arg(int64Array(skills))
	l.where("(r.skill_id = ANY(" + p + ") OR EXISTS (SELECT 1 FROM resource_skill fs WHERE fs.resource_id = r.id AND fs.skill_id = ANY(" + p + ")))")
}

func resourceList(f ResourceFilter, o Order) *list {
	l := &list{cols: "r.*", from: "resource r", id: "r.id", orders: resourceOrders, order: o}
	visible(l, f.Scope)
	in(l, "r.category", f.Categories)
	inIDs(l, "r.provider_id", f.Providers)
	inIDs(l, "r.alliance_id", f.Alliances)
	skillsOf(l, f.Skills)
	dates(l, "r.shared_on", f.Shared)
	if f.SharedWithAll != nil {
		l.where("r.shared_with_all = " + l.arg(*f.SharedWithAll))
	}
	contains(l, f.Search, "r.title_en", "r.title_zh")
	return l
}

func resourceID(r *Resource) int64 { return r.ID }

// Resources lists the resource catalogue.
func (s *Store) Resources(ctx context.Context, f ResourceFilter, o Order, p Page) (Result[Resource], error) {
	return page(ctx, s, "resources", resourceList(f, o), p, resourceID)
}

// CountResources counts the resources f selects.
func (s *Store) CountResources(ctx context.Context, f ResourceFilter) (int, error) {
	return count(ctx, s, "resources", resourceList(f, Order{}))
}

func withParent(l *list, parent string) *list {
	l.parent = parent
	return l
}

// AllianceResources lists the resources shared in each alliance.
func (s *Store) AllianceResources(ctx context.Context, alliances []int64, f ResourceFilter, o Order, p Page) (map[int64]Result[Resource], error) {
	return pages(ctx, s, "alliance resources", withParent(resourceList(f, o), "r.alliance_id"), alliances, p, resourceID)
}

// CountAllianceResources counts the resources shared in each alliance.
func (s *Store) CountAllianceResources(ctx context.Context, alliances []int64, f ResourceFilter) (map[int64]int, error) {
	return counts(ctx, s, "alliance resources", withParent(resourceList(f, Order{}), "r.alliance_id"), alliances)
}

// ProviderResources lists the resources each organization provides.
func (s *Store) ProviderResources(ctx context.Context, orgs []int64, f ResourceFilter, o Order, p Page) (map[int64]Result[Resource], error) {
	return pages(ctx, s, "provided resources", withParent(resourceList(f, o), "r.provider_id"), orgs, p, resourceID)
}

// CountProviderResources counts the resources each organization provides.
func (s *Store) CountProviderResources(ctx context.Context, orgs []int64, f ResourceFilter) (map[int64]int, error) {
	return counts(ctx, s, "provided resources", withParent(resourceList(f, Order{}), "r.provider_id"), orgs)
}

// ResourcesByID loads the resources of any category, withdrawn ones included, that
// scope sees among ids; the others are missing from the map, as if they did not exist.
func (s *Store) ResourcesByID(ctx context.Context, scope Scope, ids []int64) (map[int64]*Resource, error) {
	q, args := scoped("SELECT r.* FROM resource r WHERE r.id = ANY($1) AND {scope}", "r", scope, 1)
	return byID(ctx, s, "resources", q, ids, resourceID, args...)
}

// sharedWithList is the members a resource is shared with by name (none when it is
// shared with all), by name.
var sharedWithList = &ManyDecl{To: "organization",
	Key: func(a string) string { return a + "l.resource_id" },
	From: func(a string) string {
		return "resource_share " + a + "l JOIN resource " + a + "p ON " + a + "p.id = " + a + "l.resource_id AND NOT " + a + "p.shared_with_all" +
			" JOIN organization " + a + " ON " + a + ".id = " + a + "l.organization_id"
	},
	Order: func(a string) string { return byName(a+".name_en") + ", " + a + ".id" },
}

// SharedWith lists, per resource, the organizations it is shared with by name.
func (s *Store) SharedWith(ctx context.Context, resources []int64) (map[int64][]Link, error) {
	return groupList(ctx, s, "resource shares", sharedWithList, "o", "ol.resource_id AS owner_id, o.id AS other_id", Scope{},
		resources, func(l *Link) int64 { return l.OwnerID })
}

// resourceSkillList is the skills a resource requires, teaches or holds as expertise,
// highest level first.
var resourceSkillList = &ManyDecl{To: "skillLevel", Key: keyColumn("resource_id"),
	From: func(a string) string {
		return "resource_skill " + a + " JOIN skill " + a + "k ON " + a + "k.id = " + a + ".skill_id"
	},
	Order: func(a string) string { return a + ".level DESC, " + a + "k.code" },
}

// SkillsOfResources lists, per resource, the skills it requires, teaches or holds as
// expertise, highest level first.
func (s *Store) SkillsOfResources(ctx context.Context, resources []int64) (map[int64][]SkillLevel, error) {
	return groupList(ctx, s, "resource skills", resourceSkillList, "rs", "rs.resource_id AS owner_id, rs.skill_id, rs.level", Scope{}, resources, func(l *SkillLevel) int64 { return l.OwnerID })
}

// courseTeacherList is the teachers of a course that the viewer sees, by name.
var courseTeacherList = &ManyDecl{To: "resource",
	Key: func(a string) string { return a + "l.course_id" },
	From: func(a string) string {
		return "course_teacher " + a + "l JOIN resource " + a + " ON " + a + ".id = " + a + "l.teacher_id"
	},
	Order: func(a string) string { return byName(a+".teacher_name") + ", " + a + ".id" },
	Scope: func(a string) string { return a },
}

// TeachersOfCourses lists, per course, the teachers scope sees by name.
func (s *Store) TeachersOfCourses(ctx context.Context, scope Scope, courses []int64) (map[int64][]Link, error) {
	return groupList(ctx, s, "course teachers", courseTeacherList, "t", "tl.course_id AS owner_id, t.id AS other_id", scope,
		courses, func(l *Link) int64 { return l.OwnerID })
}

// centerFacilityList is the facilities of a training centre that the viewer sees, by
// title.
var centerFacilityList = &ManyDecl{To: "resource", Key: keyColumn("training_center_id"),
	From:  func(a string) string { return "resource " + a },
	Where: func(a string) string { return a + ".category = 'TRAINING_FACILITY'" },
	Order: func(a string) string { return byName(a+".title_en") + ", " + a + ".id" },
	Scope: func(a string) string { return a },
}

// FacilitiesOfCenters lists, per training centre, the facilities scope sees by title.
func (s *Store) FacilitiesOfCenters(ctx context.Context, scope Scope, centers []int64) (map[int64][]Resource, error) {
	return groupList(ctx, s, "centre facilities", centerFacilityList, "r", "r.*", scope, centers, func(r *Resource) int64 { return *r.TrainingCenterID })
}

// JobOpeningFilter selects job openings.
type JobOpeningFilter struct {
	Scope           Scope
	Statuses        []JobOpeningStatus
	EmploymentTypes []EmploymentType
	Providers       []int64
	Alliances       []int64
	Parks           []int64
	Industries      []Industry
	Skills          []int64
	MinSalary       *int
	Posted          *DateRange
	Search          *string
}

var jobOpeningOrders = map[string]sortKey{
	"POSTED_ON":  {"r.shared_on", "date"},
	"CLOSES_ON":  {"COALESCE(r.closes_on, 'infinity'::date)", "date"},
	"SALARY_MAX": {"COALESCE(r.salary_max, 0)", "int"},
	"TITLE":      {byName("r.title_en"), "text"},
}

func jobOpeningList(f JobOpeningFilter, o Order) *list {
	l := &list{cols: "r.*", from: "resource r", id: "r.id", orders: jobOpeningOrders, order: o}
	l.where("r.category = 'JOB_OPENING'")
	visible(l, f.Scope)
	in(l, "r.opening_status", f.Statuses)
	in(l, "r.employment_type", f.EmploymentTypes)
	inIDs(l, "r.provider_id", f.Providers)
	inIDs(l, "r.alliance_id", f.Alliances)
	if f.Parks != nil || len(f.Industries) > 0 {
		sub := &list{args: l.args}
		inIDs(sub, "c.park_id", f.Parks)
		in(sub, "c.industry", f.Industries)
		l.args = sub.args
		l.where("EXISTS (SELECT 1 FROM organization c WHERE c.id = r.provider_id AND " + joinAnd(sub.conds) + ")")
	}
	if f.Skills != nil {
		l.where("EXISTS (SELECT 1 FROM resource_skill fs WHERE fs.resource_id = r.id AND fs.skill_id = ANY(" + l.arg(int64Array(f.Skills)) + "))")
	}
	if f.MinSalary != nil {
		l.where("r.salary_max >= " + l.arg(*f.MinSalary))
	}
	dates(l, "r.shared_on", f.Posted)
	contains(l, f.Search, "r.title_en", "r.title_zh")
	return l
}

// JobOpenings lists the job board.
func (s *Store) JobOpenings(ctx context.Context, f JobOpeningFilter, o Order, p Page) (Result[Resource], error) {
	return page(ctx, s, "job openings", jobOpeningList(f, o), p, resourceID)
}

// CountJobOpenings counts the openings f selects.
func (s *Store) CountJobOpenings(ctx context.Context, f JobOpeningFilter) (int, error) {
	return count(ctx, s, "job openings", jobOpeningList(f, Order{}))
}

// CompanyJobOpenings lists each company's openings.
func (s *Store) CompanyJobOpenings(ctx context.Context, orgs []int64, f JobOpeningFilter, o Order, p Page) (map[int64]Result[Resource], error) {
	return pages(ctx, s, "company openings", withParent(jobOpeningList(f, o), "r.provider_id"), orgs, p, resourceID)
}

// CountCompanyJobOpenings counts each company's openings.
func (s *Store) CountCompanyJobOpenings(ctx context.Context, orgs []int64, f JobOpeningFilter) (map[int64]int, error) {
	return counts(ctx, s, "company openings", withParent(jobOpeningList(f, Order{}), "r.provider_id"), orgs)
}

func skillJobOpeningList(f JobOpeningFilter, o Order) *list {
	l := withParent(jobOpeningList(f, o), "sk.skill_id")
	l.from = "resource r JOIN resource_skill sk ON sk.resource_id = r.id"
	return l
}

// SkillJobOpenings lists the openings requiring each skill.
func (s *Store) SkillJobOpenings(ctx context.Context, skills []int64, f JobOpeningFilter, o Order, p Page) (map[int64]Result[Resource], error) {
	l := skillJobOpeningList(f, o)
	skipUnheld(l, "resource_skill unheld JOIN resource opening ON opening.id = unheld.resource_id AND opening.category = 'JOB_OPENING'")
	return pages(ctx, s, "skill openings", l, skills, p, resourceID)
}

// CountSkillJobOpenings counts the openings requiring each skill.
func (s *Store) CountSkillJobOpenings(ctx context.Context, skills []int64, f JobOpeningFilter) (map[int64]int, error) {
	return counts(ctx, s, "skill openings", skillJobOpeningList(f, Order{}), skills)
}

// CourseFilter selects training courses. Today is the day the courses' states and free
// seats are judged on; every list and count of courses needs it.
type CourseFilter struct {
	Scope        Scope
	Today        time.Time
	Providers    []int64
	Alliances    []int64
	Skills       []int64
	Starts       *DateRange
	States       []calendar.CourseState
	HasFreeSeats *bool
	Search       *string
}

var courseOrders = map[string]sortKey{
	"STARTS_ON": {"COALESCE(r.starts_on, 'infinity'::date)", "date"},
	"TITLE":     {byName("r.title_en"), "text"},
	// FREE_SEATS depends on the day: courseList binds it.
}

func courseList(f CourseFilter, o Order) *list {
	l := &list{cols: "r.*", from: "resource r", id: "r.id", orders: courseOrders, order: o}
	// The day is bound once, and only where a condition or the order uses it: a
	// parameter the statement never mentions has no type, which PostgreSQL refuses.
	var today string
	day := func() string {
		if today == "" {
			today = l.day(f.Today)
		}
		return today
	}
	if o.Field == "FREE_SEATS" {
		l.orders = map[string]sortKey{"FREE_SEATS": {freeSeats("r", day()), "int"}}
	}
	l.where("r.category = 'TRAINING_COURSE'")
	visible(l, f.Scope)
	inIDs(l, "r.provider_id", f.Providers)
	inIDs(l, "r.alliance_id", f.Alliances)
	if f.Skills != nil {
		l.where("EXISTS (SELECT 1 FROM resource_skill fs WHERE fs.resource_id = r.id AND fs.skill_id = ANY(" + l.arg(int64Array(f.Skills)) + "))")
	}
	dates(l, "r.starts_on", f.Starts)
	if len(f.States) > 0 {
		in(l, courseState("r", day()), f.States)
	}
	if f.HasFreeSeats != nil {
		free := "(r.enrolled < r.seats AND " + notStarted("r", day()) + ")"
		if *f.HasFreeSeats {
			l.where(free)
		} else {
			l.where("NOT " + free)
		}
	}
	contains(l, f.Search, "r.title_en", "r.title_zh")
	return l
}

// CourseParent names the relation a nested course list hangs from.
type CourseParent int

// The relations courses are listed under.
const (
	CoursesOfCenter CourseParent = iota
	CoursesOfFacility
	CoursesOfTeacher
	CoursesOfSkill
)

func nestedCourseList(via CourseParent, f CourseFilter, o Order) *list {
	l := courseList(f, o)
	switch via {
	case CoursesOfCenter:
		l.parent = "r.training_center_id"
	case CoursesOfFacility:
		l.parent = "r.facility_id"
	case CoursesOfTeacher:
		l.from = "resource r JOIN course_teacher ct ON ct.course_id = r.id"
		l.parent = "ct.teacher_id"
	case CoursesOfSkill:
		l.from = "resource r JOIN resource_skill sk ON sk.resource_id = r.id"
		l.parent = "sk.skill_id"
	}
	return l
}

// Courses lists training courses.
func (s *Store) Courses(ctx context.Context, f CourseFilter, o Order, p Page) (Result[Resource], error) {
	if f.Today.IsZero() {
		return Result[Resource]{}, errNoDay("list courses")
	}
	return page(ctx, s, "courses", courseList(f, o), p, resourceID)
}

// CountCourses counts the courses f selects.
func (s *Store) CountCourses(ctx context.Context, f CourseFilter) (int, error) {
	if f.Today.IsZero() {
		return 0, errNoDay("count courses")
	}
	return count(ctx, s, "courses", courseList(f, Order{}))
}

// NestedCourses lists the courses under each parent of the given relation.
func (s *Store) NestedCourses(ctx context.Context, via CourseParent, parents []int64, f CourseFilter, o Order, p Page) (map[int64]Result[Resource], error) {
	if f.Today.IsZero() {
		return nil, errNoDay("list courses")
	}
	return pages(ctx, s, "courses", nestedCourseList(via, f, o), parents, p, resourceID)
}

// CountNestedCourses counts the courses under each parent of the given relation.
func (s *Store) CountNestedCourses(ctx context.Context, via CourseParent, parents []int64, f CourseFilter) (map[int64]int, error) {
	if f.Today.IsZero() {
		return nil, errNoDay("count courses")
	}
	return counts(ctx, s, "courses", nestedCourseList(via, f, Order{}), parents)
}

var teacherOrders = map[string]sortKey{"NAME": {byName("r.teacher_name"), "text"}}

func skillTeacherList(scope Scope, o Order) *list {
	l := &list{cols: "r.*", from: "resource r JOIN resource_skill sk ON sk.resource_id = r.id", id: "r.id",
		parent: "sk.skill_id", orders: teacherOrders, order: o}
	l.where("r.category = 'TEACHER'")
	visible(l, scope)
	return l
}

// SkillTeachers lists the teachers with expertise in each skill, by name.
func (s *Store) SkillTeachers(ctx context.Context, skills []int64, scope Scope, p Page) (map[int64]Result[Resource], error) {
	return pages(ctx, s, "skill teachers", skillTeacherList(scope, Order{Field: "NAME"}), skills, p, resourceID)
}

// CountSkillTeachers counts the teachers with expertise in each skill.
func (s *Store) CountSkillTeachers(ctx context.Context, skills []int64, scope Scope) (map[int64]int, error) {
	return counts(ctx, s, "skill teachers", skillTeacherList(scope, Order{}), skills)
}

// talentResultList is a talent's competition results that the viewer sees, latest
// first.
var talentResultList = &ManyDecl{To: "resource", Key: keyColumn("talent_id"),
	From:  func(a string) string { return "resource " + a },
	Where: func(a string) string { return a + ".category = 'COMPETITION_RESULT'" },
	Order: func(a string) string { return a + ".awarded_on DESC, " + a + ".id" },
	Scope: func(a string) string { return a },
}

// ResultsOfTalents lists each talent's competition results that scope sees, latest
// first.
func (s *Store) ResultsOfTalents(ctx context.Context, scope Scope, talents []int64) (map[int64][]Resource, error) {
	return groupList(ctx, s, "competition results", talentResultList, "r", "r.*", scope, talents, func(r *Resource) int64 { return *r.TalentID })
}
