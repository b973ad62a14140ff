package store

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// The GraphQL types as the store reads them, declared once: for each type, the entity its
// objects are built over and, for each field the one-statement reads (Document) answer,
// how its value comes from the row: a column or an expression over it, a bilingual text,
// an object over the same row, a to-one relation, an unpaged list or a keyset-paginated
// connection made of the very list builders the loaders page with (membershipList,
// jobOpeningList...). The planner in graph/ walks a query against these declarations and
// nothing else, so a field is answered in one statement exactly when it is declared here;
// a field that is not declared goes to the resolvers.

// TypeDecl is how the objects of one GraphQL type are read.
type TypeDecl struct {
	// Entity is the row the objects are built over (see docEntities).
	Entity string
	// Base is the interface whose declared fields the type also has (School ->
	// Organization).
	Base string
	// Kind is the column that names each row's concrete type, by Kinds, for an interface
	// whose rows are of several types.
	Kind  string
	Kinds map[string]string
	// Node is the relay type of the global IDs node(id:) finds the type's rows by.
	Node   string
	Fields map[string]FieldDecl
}

// FieldDecl is how one field's value comes from its object's row; exactly one member is
// set.
type FieldDecl struct {
	// Scalar is a value of the row itself: Column, IsNull, GlobalID, Const or Expr.
	Scalar DocValue
	// Text is the prefix of the _en and _zh columns of a BilingualText.
	Text string
	// Same is the GraphQL type of an object over the same row (a salary range).
	Same string
	// One is a to-one relation.
	One *OneDecl
	// Many is an unpaged list of related rows.
	Many *ManyDecl
	// Paged is a keyset-paginated connection.
	Paged *PagedDecl
}

// OneDecl leads from a row's foreign key to the row it names (or to null).
type OneDecl struct {
	Key string
	To  string
}

// ManyDecl is an unpaged list of the rows of entity To (alias a) whose parent row's id is
// Key, from From in Order. The loaders read the same list for many parents at once
// (ManyDecl.batch), the documents for one.
type ManyDecl struct {
	To string
	// Key is the parent's id as the list reads it: a column of the elements, or of a
	// link table From joins them through.
	Key  func(a string) string
	From func(a string) string
	// Where, when set, is a condition every element meets (the facilities among a
	// centre's resources).
	Where func(a string) string
	Order func(a string) string
	// Scope, when set, is the alias of the resource row (a itself, or one From joins)
	// whose visibility decides an element's: the list holds only what the viewer's
	// Scope sees.
	Scope func(a string) string
	// Args are the arguments the field may take; Filter turns them into a condition
	// (arg adds a bind argument).
	Args   []string
	Filter func(a string, args map[string]any, arg func(any) string) (string, error)
}

// keyColumn is a Key that is a column of the elements themselves.
func keyColumn(name string) func(a string) string {
	return func(a string) string { return a + "." + name }
}

// batch is the loaders' statement of the list: cols of the elements (alias a) of every
// parent in $1, in the list's order, within scope when the list is scoped; it returns
// the arguments the statement takes after $1.
func (m *ManyDecl) batch(a, cols string, scope Scope) (string, []any) {
	where := m.Key(a) + " = ANY($1)"
	if m.Where != nil {
		where += " AND " + m.Where(a)
	}
	q := "SELECT " + cols + " FROM " + m.From(a) + " WHERE " + where
	if m.Scope == nil {
		return q + " ORDER BY " + m.Order(a), nil
	}
	return scoped(q+" AND {scope} ORDER BY "+m.Order(a), m.Scope(a), scope, 1)
}

// PagedDecl is a connection over one of the store's keyset lists.
type PagedDecl struct {
	// To is the entity of the nodes.
	To string
	// Default is the order the resolvers sort by when orderBy is not given.
	Default string
	// List builds the list for the store filter the field's filter argument translates
	// to (nil for none), set to the parent's rows unless it is a root field.
	List func(filter any, o Order) (*list, error)
	// ByScope lists take the viewer's Scope as their filter (a connection of resources
	// with no filter argument).
	ByScope bool
}

func col(name string) FieldDecl                { return FieldDecl{Scalar: Column(name)} }
func text(prefix string) FieldDecl             { return FieldDecl{Text: prefix} }
func id(t string) FieldDecl                    { return FieldDecl{Scalar: GlobalID(t)} }
func one(key, to string) FieldDecl             { return FieldDecl{One: &OneDecl{Key: key, To: to}} }
func expr(f func(row string) string) FieldDecl { return FieldDecl{Scalar: Expr(f)} }

// paged declares a connection over build, whose rows are related to the parent's by
// parent (the list's own parent column when empty; none for root fields, root true).
func paged[F any](to, def string, build func(F, Order) *list, parent string, root bool) FieldDecl {
	return FieldDecl{Paged: &PagedDecl{To: to, Default: def, List: func(filter any, o Order) (*list, error) {
		var f F
		if filter != nil {
			var ok bool
			if f, ok = filter.(F); !ok {
				return nil, fmt.Errorf("filter is a %T, not a %T", filter, f)
			}
		}
		l := build(f, o)
		switch {
		case root:
			l.parent = ""
		case parent != "":
			l.parent = parent
		}
		return l, nil
	}}}
}

// byScope marks a connection whose list takes the viewer's Scope as its filter.
func byScope(d FieldDecl) FieldDecl {
	d.Paged.ByScope = true
	return d
}

// with copies fields and adds more.
func with(fields map[string]FieldDecl, more map[string]FieldDecl) map[string]FieldDecl {
	out := make(map[string]FieldDecl, len(fields)+len(more))
	for k, v := range fields {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

var (
	organizationTypes = map[string]string{
		string(KindSchool): "School", string(KindCompany): "Company",
		string(KindAgency): "GovernmentAgency", string(KindPark): "IndustrialPark",
	}
	resourceTypes = map[string]string{
		string(CategoryFacility): "TrainingFacility", string(CategoryJob): "JobOpening",
		string(CategoryTeacher): "Teacher", string(CategoryCourse): "TrainingCourse",
		string(CategoryResult): "CompetitionResult",
	}
)

// types are the declarations, by GraphQL type name.
var types = map[string]TypeDecl{
	"Query": {Fields: map[string]FieldDecl{
		"alliances":       paged("alliance", "NAME", allianceList, "", true),
		"organizations":   paged("organization", "NAME", organizationList, "", true),
		"partnerships":    paged("partnership", "SIGNED_ON", partnershipList, "", true),
		"resources":       paged("resource", "SHARED_ON", resourceList, "", true),
		"jobOpenings":     paged("resource", "POSTED_ON", jobOpeningList, "", true),
		"skills":          paged("skill", "CODE", skillList, "", true),
		"trainingCenters": paged("center", "NAME", centerList, "", true),
		"talents":         paged("talent", "REGISTERED_ON", talentList, "", true),
		"trainingCourses": courses(courseList, true),
		"events":          paged("event", "SEQUENCE", eventList, "", true),
	}},
	"Alliance": {Entity: "alliance", Node: "Alliance", Fields: map[string]FieldDecl{
		"id": id("Alliance"), "version": col("version"), "slug": col("slug"), "city": col("city"),
		"foundedOn": col("founded_on"), "description": col("description"), "name": text("name"),
		"members":         paged("membership", "JOINED_ON", membershipList, "", false),
		"partnerships":    paged("partnership", "SIGNED_ON", partnershipList, "", false),
		"resources":       paged("resource", "SHARED_ON", resourceList, "r.alliance_id", false),
		"talents":         paged("talent", "REGISTERED_ON", talentsOf(TalentsOfAlliance), "", false),
		"trainingCenters": paged("center", "NAME", centerList, "", false),
	}},
	"Organization": {Entity: "organization", Node: "Organization", Kind: "kind", Kinds: organizationTypes, Fields: map[string]FieldDecl{
		"id": id("Organization"), "version": col("version"), "kind": col("kind"), "name": text("name"),
		"description": col("description"), "website": col("website"), "district": col("district"),
		"foundedYear":     col("founded_year"),
		"memberships":     {Many: organizationMembershipList},
		"partnerships":    paged("partnership", "SIGNED_ON", organizationPartnershipList, "", false),
		"resources":       paged("resource", "SHARED_ON", resourceList, "r.provider_id", false),
		"trainingCenters": {Many: organizationCenterList},
	}},
	"School": {Entity: "organization", Base: "Organization", Fields: map[string]FieldDecl{
		"level": col("school_level"), "majors": col("majors"), "studentCount": col("student_count"),
		"students": paged("talent", "REGISTERED_ON", talentsOf(TalentsOfSchool), "", false),
	}},
	"Company": {Entity: "organization", Base: "Organization", Fields: map[string]FieldDecl{
		"industry": col("industry"), "size": col("company_size"), "employeeCount": col("employee_count"),
		"foreignInvested": col("foreign_invested"), "park": one("park_id", "organization"),
		"employees":   paged("talent", "REGISTERED_ON", talentsOf(TalentsOfEmployer), "", false),
		"jobOpenings": paged("resource", "POSTED_ON", jobOpeningList, "r.provider_id", false),
	}},
	"GovernmentAgency": {Entity: "organization", Base: "Organization", Fields: map[string]FieldDecl{
		"jurisdiction": col("jurisdiction"),
	}},
	"IndustrialPark": {Entity: "organization", Base: "Organization", Fields: map[string]FieldDecl{
		"focusIndustries": col("focus_industries"),
		"companies":       paged("organization", "NAME", parkCompanyList, "", false),
		// numeric(8,2) as a double, which JSON writes as Go's %g does (48, not 48.00).
		"areaKm2": expr(func(r string) string { return r + ".area_km2::float8" }),
	}},
	"Membership": {Entity: "membership", Node: "Membership", Fields: map[string]FieldDecl{
		"id": id("Membership"), "version": col("version"), "role": col("role"), "joinedOn": col("joined_on"),
		"leftOn": col("left_on"), "active": {Scalar: IsNull("left_on")},
		"alliance": one("alliance_id", "alliance"), "organization": one("organization_id", "organization"),
	}},
	"Partnership": {Entity: "partnership", Node: "Partnership", Fields: map[string]FieldDecl{
		"id": id("Partnership"), "version": col("version"), "kind": col("kind"), "status": col("status"),
		"description": col("description"), "signedOn": col("signed_on"), "startsOn": col("starts_on"),
		"endsOn": col("ends_on"), "title": text("title"), "alliance": one("alliance_id", "alliance"),
		"participants": {Many: participantList},
	}},
	"PartnershipParticipant": {Entity: "participant", Fields: map[string]FieldDecl{
		"role": col("role"), "joinedOn": col("joined_on"),
		"organization": one("organization_id", "organization"), "partnership": one("partnership_id", "partnership"),
	}},
	"SharedResource": {Entity: "resource", Node: "Resource", Kind: "category", Kinds: resourceTypes, Fields: map[string]FieldDecl{
		"id": id("Resource"), "version": col("version"), "category": col("category"), "description": col("description"),
		"sharedOn": col("shared_on"), "sharedWithAll": col("shared_with_all"), "withdrawnOn": col("withdrawn_on"),
		"title": text("title"), "provider": one("provider_id", "organization"), "alliance": one("alliance_id", "alliance"),
		"trainingCenter": one("training_center_id", "center"),
		"sharedWith":     {Many: sharedWithList},
	}},
	"JobOpening": {Entity: "resource", Base: "SharedResource", Fields: map[string]FieldDecl{
		// The model reads a missing count as 0 and a missing type or status as "".
		"positions":      expr(func(r string) string { return "COALESCE(" + r + ".positions, 0)" }),
		"filled":         expr(func(r string) string { return "COALESCE(" + r + ".filled, 0)" }),
		"openPositions":  expr(func(r string) string { return "(COALESCE(" + r + ".positions, 0) - COALESCE(" + r + ".filled, 0))" }),
		"employmentType": expr(func(r string) string { return "COALESCE(" + r + ".employment_type, '')" }),
		"status":         expr(func(r string) string { return "COALESCE(" + r + ".opening_status, '')" }),
		"closesOn":       col("closes_on"),
		"salary":         {Same: "SalaryRange"},
		"requiredSkills": {Many: resourceSkillList},
		"placements":     paged("placement", "APPLIED_ON", openingPlacementList, "", false),
	}},
	"TrainingFacility": {Entity: "resource", Base: "SharedResource", Fields: map[string]FieldDecl{
		"capacity":  expr(func(r string) string { return "COALESCE(" + r + ".capacity, 0)" }),
		"address":   col("address"),
		"equipment": expr(func(r string) string { return "COALESCE(" + r + ".equipment, '{}')" }),
		"courses":   courses(coursesOf(CoursesOfFacility), false),
	}},
	"Teacher": {Entity: "resource", Base: "SharedResource", Fields: map[string]FieldDecl{
		"name":              expr(func(r string) string { return "COALESCE(" + r + ".teacher_name, '')" }),
		"professionalTitle": col("teacher_title"),
		"dualQualified":     expr(func(r string) string { return "COALESCE(" + r + ".dual_qualified, false)" }),
		"yearsExperience":   col("years_experience"),
		"expertise":         {Many: resourceSkillList},
		"courses":           courses(coursesOf(CoursesOfTeacher), false),
	}},
	"TrainingCourse": {Entity: "resource", Base: "SharedResource", Fields: map[string]FieldDecl{
		"hours":    expr(func(r string) string { return "COALESCE(" + r + ".hours, 0)" }),
		"seats":    expr(func(r string) string { return "COALESCE(" + r + ".seats, 0)" }),
		"enrolled": expr(func(r string) string { return "COALESCE(" + r + ".enrolled, 0)" }),
		"startsOn": col("starts_on"), "endsOn": col("ends_on"),
		"state": {Scalar: OnDay(courseState)},
		"freeSeats": {Scalar: OnDay(func(r, day string) string {
			return "CASE WHEN " + notStarted(r, day) + " THEN COALESCE(" + r + ".seats, 0) - COALESCE(" + r + ".enrolled, 0) ELSE 0 END"
		})},
		"skills":   {Many: resourceSkillList},
		"teachers": {Many: courseTeacherList},
		// A facility the viewer may not see is null, as if the course named none.
		"facility": one("facility_id", "resource"),
	}},
	"CompetitionResult": {Entity: "resource", Base: "SharedResource", Fields: map[string]FieldDecl{
		"competition": expr(func(r string) string { return "COALESCE(" + r + ".competition, '')" }),
		"level":       expr(func(r string) string { return "COALESCE(" + r + ".competition_level, '')" }),
		"award":       expr(func(r string) string { return "COALESCE(" + r + ".award, '')" }),
		"awardedOn":   col("awarded_on"),
		"skill":       one("skill_id", "skill"),
		"talent":      one("talent_id", "talent"),
		"rank":        col("rank"),
		// numeric(7,2) as a double, as the executor writes it (99, not 99.00).
		"score": expr(func(r string) string { return r + ".score::float8" }),
	}},
	"SalaryRange": {Entity: "resource", Fields: map[string]FieldDecl{
		"min": col("salary_min"), "max": col("salary_max"), "currency": {Scalar: Const("CNY")},
	}},
	"SkillAtLevel": {Entity: "skillLevel", Fields: map[string]FieldDecl{
		"level": col("level"), "skill": one("skill_id", "skill"),
	}},
	"Skill": {Entity: "skill", Node: "Skill", Fields: map[string]FieldDecl{
		"id": id("Skill"), "version": col("version"), "code": col("code"), "name": text("name"),
		"category": col("category"), "description": col("description"), "parent": one("parent_id", "skill"),
		"children":    {Many: skillChildList},
		"jobOpenings": paged("resource", "POSTED_ON", skillJobOpeningList, "", false),
		"talents":     paged("talent", "REGISTERED_ON", talentsOf(TalentsOfSkill), "", false),
		"courses":     courses(coursesOf(CoursesOfSkill), false),
		"teachers":    byScope(paged("resource", "NAME", skillTeacherList, "", false)),
	}},
	"Talent": {Entity: "talent", Node: "Talent", Fields: map[string]FieldDecl{
		// Only the anonymised profile: the personal fields carry @personal, which only the
		// executor checks, and the entity has no personal column to read.
		"id": id("Talent"), "version": col("version"), "status": col("status"), "alias": expr(talentAlias),
		"graduationYear": col("graduation_year"), "major": col("major"), "registeredOn": col("registered_on"),
		"alliance": one("alliance_id", "alliance"), "school": one("school_id", "organization"),
		"employer":           one("employer_id", "organization"),
		"skills":             {Many: talentSkillList},
		"courses":            {Many: talentCourseList},
		"competitionResults": {Many: talentResultList},
		"placements":         {Many: talentPlacementList},
	}},
	"Placement": {Entity: "placement", Node: "Placement", Fields: map[string]FieldDecl{
		"id": id("Placement"), "version": col("version"), "status": col("status"), "appliedOn": col("applied_on"),
		"hiredOn": col("hired_on"), "talent": one("talent_id", "talent"),
		"opening": one("opening_id", "resource"),
	}},
	// An event's subject, which may be of any type and hidden, stays with the resolvers.
	"Event": {Entity: "event", Node: "Event", Fields: map[string]FieldDecl{
		"id": id("Event"), "kind": col("kind"), "subjectId": col("subject_id"), "actorRole": col("actor_role"),
		"payload": col("payload"), "alliance": one("alliance_id", "alliance"),
		"occurredAt": expr(dateTime("occurred_at")),
		// policy.EventActor: the credential for those who see actors, the role for the
		// others (the credential when there is no role).
		"actor": {Scalar: Seen(func(r string, v Visibility) string {
			if v.Actors {
				return r + ".actor"
			}
			return "CASE WHEN " + r + ".actor_role = '' THEN " + r + ".actor ELSE " + r + ".actor_role END"
		})},
	}},
	"TrainingCenter": {Entity: "center", Node: "TrainingCenter", Fields: map[string]FieldDecl{
		"id": id("TrainingCenter"), "version": col("version"), "name": text("name"), "address": col("address"),
		"description": col("description"), "establishedOn": col("established_on"),
		"courses":  courses(coursesOf(CoursesOfCenter), false),
		"alliance": one("alliance_id", "alliance"), "operator": one("operator_id", "organization"),
		"linkedOrganizations": {Many: centerLinkList},
		"facilities":          {Many: centerFacilityList},
	}},
}

// dateTime is a timestamptz column as the DateTime scalar writes it (Go's RFC 3339 with
// nanoseconds, trailing zeros of the fraction dropped, Z for UTC) in the session's time
// zone, the one lib/pq reads it in.
func dateTime(column string) func(r string) string {
	return func(r string) string {
		t := r + "." + column
		micro := "(extract(microseconds FROM " + t + ")::bigint % 1000000)"
		return "to_char(" + t + ", 'YYYY-MM-DD\"T\"HH24:MI:SS')" +
			" || CASE WHEN " + micro + " = 0 THEN '' ELSE '.' || rtrim(to_char(" + micro + ", 'FM000000'), '0') END" +
			" || CASE WHEN to_char(" + t + ", 'OF') = '+00' THEN 'Z' ELSE to_char(" + t + ", 'TZH:TZM') END"
	}
}

// talentAlias is model.Talent.Alias in SQL: "T-" and the FNV-1a 32-bit hash of
// "talent:<id>" in eight upper-case hex digits. The hash of the constant prefix is
// taken here; the statement folds in the id's digits, byte by byte.
func talentAlias(t string) string {
	h := fnv.New32a()
	h.Write([]byte("talent:"))
	return "(WITH RECURSIVE s(b) AS (SELECT convert_to(" + t + ".id::text, 'UTF8')), " +
		"h(i, v) AS (SELECT 0, " + strconv.FormatUint(uint64(h.Sum32()), 10) + "::bigint UNION ALL " +
		"SELECT h.i + 1, ((h.v # get_byte(s.b, h.i)) * 16777619) % 4294967296 FROM h, s WHERE h.i < length(s.b)) " +
		"SELECT 'T-' || upper(lpad(to_hex(v), 8, '0')) FROM h ORDER BY i DESC LIMIT 1)"
}

// talentsOf is the list of talents under a parent of the relation via.
func talentsOf(via TalentParent) func(TalentFilter, Order) *list {
	return func(f TalentFilter, o Order) *list { return nestedTalentList(via, f, o) }
}

// coursesOf is the list of courses under a parent of the relation via.
func coursesOf(via CourseParent) func(CourseFilter, Order) *list {
	return func(f CourseFilter, o Order) *list { return nestedCourseList(via, f, o) }
}

// courses declares a connection of courses, which are listed only for a day (the
// filter's Today), as Courses and NestedCourses require.
func courses(build func(CourseFilter, Order) *list, root bool) FieldDecl {
	d := paged("resource", "STARTS_ON", build, "", root)
	forDay := d.Paged.List
	d.Paged.List = func(filter any, o Order) (*list, error) {
		if f, ok := filter.(CourseFilter); !ok || f.Today.IsZero() {
			return nil, errNoDay("list courses")
		}
		return forDay(filter, o)
	}
	return d
}

// KindsOf are the kinds (the values of a type's Kind column) a list's filter keeps rows
// of; nil when it keeps every kind.
func KindsOf(filter any) []string {
	var out []string
	switch f := filter.(type) {
	case OrganizationFilter:
		for _, k := range f.Kinds {
			out = append(out, string(k))
		}
	case ResourceFilter:
		for _, c := range f.Categories {
			out = append(out, string(c))
		}
	}
	return out
}

// Declared finds how typeName's field is read, on the type itself or on its base, and
// the name of the type that declares it (which names its relations in documents).
func Declared(typeName, field string) (FieldDecl, string, bool) {
	t, ok := types[typeName]
	if !ok {
		return FieldDecl{}, "", false
	}
	if d, ok := t.Fields[field]; ok {
		return d, typeName, true
	}
	if t.Base != "" {
		return Declared(t.Base, field)
	}
	return FieldDecl{}, "", false
}

// Type is the declaration of typeName.
func Type(typeName string) (TypeDecl, bool) {
	t, ok := types[typeName]
	return t, ok
}

// NodeType is the type whose rows node(id:) finds by global IDs of the relay type t.
func NodeType(t string) (string, TypeDecl, bool) {
	for name, d := range types {
		if d.Node == t {
			return name, d, true
		}
	}
	return "", TypeDecl{}, false
}

// declaredRelation is the declaration a document's relation names: "Type.field".
func declaredRelation(rel string) (FieldDecl, error) {
	typeName, field, ok := strings.Cut(rel, ".")
	if !ok {
		return FieldDecl{}, fmt.Errorf("relation %q is not Type.field", rel)
	}
	d, owner, ok := Declared(typeName, field)
	if !ok || owner != typeName {
		return FieldDecl{}, fmt.Errorf("%s declares no field %q", typeName, field)
	}
	return d, nil
}
