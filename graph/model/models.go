// Package model holds the Go side of the GraphQL contract: thin views over store rows
// that give each GraphQL type its ID, bilingual texts and non-null fields.
package model

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/enrolment"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Node is any object with a global ID.
type Node interface{ GlobalID() string }

// Organization is a member of any kind.
type Organization interface {
	Node
	Row() *store.Organization
}

// SharedResource is a shared resource of any category.
type SharedResource interface {
	Node
	Row() *store.Resource
}

// BilingualText is a name or title in English and Chinese.
type BilingualText struct {
	En string
	Zh string
}

// PageInfo locates a page within its list.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Edge is a node and its cursor.
type Edge[T any] struct {
	Cursor string
	Node   T
}

// Connection is one page of a list. The total is computed by Count only when the query
// asks for totalCount, because counting can cost more than the page itself.
type Connection[T any] struct {
	Edges    []*Edge[T]
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

// TotalCount counts the whole list.
func (c *Connection[T]) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// The connection and edge types of the schema.
type (
	AllianceConnection        = Connection[*Alliance]
	CompetitionConnection     = Connection[*Competition]
	CompetitionEdge           = Edge[*Competition]
	AllianceEdge              = Edge[*Alliance]
	OrganizationConnection    = Connection[Organization]
	OrganizationEdge          = Edge[Organization]
	CompanyConnection         = Connection[*Company]
	CompanyEdge               = Edge[*Company]
	MembershipConnection      = Connection[*Membership]
	MembershipEdge            = Edge[*Membership]
	PartnershipConnection     = Connection[*Partnership]
	PartnershipEdge           = Edge[*Partnership]
	TrainingCenterConnection  = Connection[*TrainingCenter]
	TrainingCenterEdge        = Edge[*TrainingCenter]
	SharedResourceConnection  = Connection[SharedResource]
	SharedResourceEdge        = Edge[SharedResource]
	JobOpeningConnection      = Connection[*JobOpening]
	JobOpeningEdge            = Edge[*JobOpening]
	TeacherConnection         = Connection[*Teacher]
	TeacherEdge               = Edge[*Teacher]
	TrainingCourseConnection  = Connection[*TrainingCourse]
	TrainingCourseEdge        = Edge[*TrainingCourse]
	SkillConnection           = Connection[*Skill]
	SkillEdge                 = Edge[*Skill]
	TalentConnection          = Connection[*Talent]
	TalentEdge                = Edge[*Talent]
	PlacementConnection       = Connection[*Placement]
	PlacementEdge             = Edge[*Placement]
	EventConnection           = Connection[*Event]
	EventEdge                 = Edge[*Event]
	FacilityBookingConnection = Connection[*FacilityBooking]
	CalendarConnection        = Connection[*CalendarEntry]
	CalendarEdge              = Edge[*CalendarEntry]
	FacilityBookingEdge       = Edge[*FacilityBooking]
	EnrollmentConnection      = Connection[*Enrollment]
	EnrollmentEdge            = Edge[*Enrollment]
)

// Enrollment is a talent's place on a course or its waitlist.
type Enrollment struct{ store.Enrollment }

func (e *Enrollment) GlobalID() string { return relay.ID(relay.TypeEnrollment, e.Enrollment.ID) }

// EnrolledOn is the day the talent took a seat.
func (e *Enrollment) EnrolledOn() *time.Time { return e.SeatedOn }

// Certificate is a vocational skill certificate.
type Certificate struct{ store.Certificate }

func (c *Certificate) GlobalID() string { return relay.ID(relay.TypeCertificate, c.Certificate.ID) }

// Level is the vocational level certified.
func (c *Certificate) Level() enrolment.Level { l, _ := enrolment.LevelOfRank(c.Rank); return l }

// NationalLevel is the level as the nation numbers it.
func (c *Certificate) NationalLevel() int { return c.Level().National() }

// FacilityBooking is a booking of a training facility.
type FacilityBooking struct{ store.Booking }

func (b *FacilityBooking) GlobalID() string { return relay.ID(relay.TypeBooking, b.Booking.ID) }

// CalendarEntry is one dated thing on the alliance's calendar.
type CalendarEntry struct{ store.CalendarEntry }

func (e *CalendarEntry) UID() string { return store.CalendarUID(&e.CalendarEntry) }

func (e *CalendarEntry) Title() *BilingualText { return &BilingualText{e.TitleEn, e.TitleZh} }

// TimeSlot is a stretch of free time.
type TimeSlot struct{ Start, End time.Time }

// Minutes is the slot's length in whole minutes.
func (t *TimeSlot) Minutes() int { return int(t.End.Sub(t.Start) / time.Minute) }

// Alliance is an alliance.
type Alliance struct{ store.Alliance }

func (a *Alliance) GlobalID() string     { return relay.ID(relay.TypeAlliance, a.Alliance.ID) }
func (a *Alliance) Name() *BilingualText { return &BilingualText{a.NameEn, a.NameZh} }

// org is what the four organization kinds share.
type org struct{ store.Organization }

func (o *org) GlobalID() string         { return relay.ID(relay.TypeOrganization, o.Organization.ID) }
func (o *org) Row() *store.Organization { return &o.Organization }
func (o *org) Name() *BilingualText     { return &BilingualText{o.NameEn, o.NameZh} }

// School is a school member.
type School struct{ org }

// Level is the kind of school.
func (s *School) Level() store.SchoolLevel {
	if s.SchoolLevel == nil {
		return ""
	}
	return *s.SchoolLevel
}

// Majors lists the programmes offered.
func (s *School) Majors() []string { return s.Organization.Majors }

// Company is a company member.
type Company struct{ org }

// Industry is the company's industry.
func (c *Company) Industry() store.Industry {
	if c.Organization.Industry == nil {
		return ""
	}
	return *c.Organization.Industry
}

// Size is the company's size band.
func (c *Company) Size() *store.CompanySize { return c.CompanySize }

// GovernmentAgency is a government member.
type GovernmentAgency struct{ org }

// Jurisdiction is the agency's level of government.
func (g *GovernmentAgency) Jurisdiction() store.Jurisdiction {
	if g.Organization.Jurisdiction == nil {
		return ""
	}
	return *g.Organization.Jurisdiction
}

// IndustrialPark is an industrial park member.
type IndustrialPark struct{ org }

// FocusIndustries lists the industries the park concentrates on.
func (p *IndustrialPark) FocusIndustries() []store.Industry {
	out := make([]store.Industry, len(p.Organization.FocusIndustries))
	for i, s := range p.Organization.FocusIndustries {
		out[i] = store.Industry(s)
	}
	return out
}

// NewOrganization wraps a row in the GraphQL type of its kind.
func NewOrganization(o *store.Organization) Organization {
	switch o.Kind {
	case store.KindSchool:
		return &School{org{*o}}
	case store.KindCompany:
		return &Company{org{*o}}
	case store.KindAgency:
		return &GovernmentAgency{org{*o}}
	case store.KindPark:
		return &IndustrialPark{org{*o}}
	}
	panic(fmt.Sprintf("organization %d has unknown kind %q", o.ID, o.Kind))
}

// Membership is an organization's membership of an alliance.
type Membership struct{ store.Membership }

func (m *Membership) GlobalID() string { return relay.ID(relay.TypeMembership, m.Membership.ID) }

// Active reports whether the organization is still a member.
func (m *Membership) Active() bool { return m.LeftOn == nil }

// Partnership is a signed project.
type Partnership struct{ store.Partnership }

func (p *Partnership) GlobalID() string      { return relay.ID(relay.TypePartnership, p.Partnership.ID) }
func (p *Partnership) Title() *BilingualText { return &BilingualText{p.TitleEn, p.TitleZh} }

// PartnershipParticipant is an organization's part in a partnership.
type PartnershipParticipant struct{ store.Participant }

// PartnershipInvitation is an organization named in a partnership, and its answer.
type PartnershipInvitation struct{ store.Invitation }

// TrainingCenter is a job training centre.
type TrainingCenter struct{ store.TrainingCenter }

// Competition is an edition of a skills competition; Upcoming is judged on the
// resolver's day.
type Competition struct{ store.Competition }

func (c *Competition) GlobalID() string     { return relay.ID(relay.TypeCompetition, c.Competition.ID) }
func (c *Competition) Name() *BilingualText { return &BilingualText{c.NameEn, c.NameZh} }

// EndsOn is the edition's last day, which the table keeps as the day it is held.
func (c *Competition) EndsOn() time.Time { return c.HeldOn }

func (c *Competition) Venue() *BilingualText {
	if c.VenueEn == nil {
		return nil
	}
	return &BilingualText{*c.VenueEn, *c.VenueZh}
}

// The connection and edge types of an edition's entries and results.
type (
	CompetitionRegistrationConnection = Connection[*CompetitionRegistration]
	CompetitionRegistrationEdge       = Edge[*CompetitionRegistration]
	CompetitionResultConnection       = Connection[*CompetitionResult]
	CompetitionResultEdge             = Edge[*CompetitionResult]
)

// CompetitionRegistration is a talent's entry in a competition edition.
type CompetitionRegistration struct{ store.Registration }

func (r *CompetitionRegistration) GlobalID() string {
	return relay.ID(relay.TypeRegistration, r.Registration.ID)
}

func (c *TrainingCenter) GlobalID() string {
	return relay.ID(relay.TypeTrainingCenter, c.TrainingCenter.ID)
}
func (c *TrainingCenter) Name() *BilingualText { return &BilingualText{c.NameEn, c.NameZh} }

// resource is what the five resource categories share.
type resource struct{ store.Resource }

func (r *resource) GlobalID() string      { return relay.ID(relay.TypeResource, r.Resource.ID) }
func (r *resource) Row() *store.Resource  { return &r.Resource }
func (r *resource) Title() *BilingualText { return &BilingualText{r.TitleEn, r.TitleZh} }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// TrainingFacility is a shared facility.
type TrainingFacility struct{ resource }

func (f *TrainingFacility) Capacity() int       { return deref(f.Resource.Capacity) }
func (f *TrainingFacility) Equipment() []string { return f.Resource.Equipment }

// JobOpening is a shared job opportunity.
type JobOpening struct{ resource }

func (j *JobOpening) Positions() int     { return deref(j.Resource.Positions) }
func (j *JobOpening) Filled() int        { return deref(j.Resource.Filled) }
func (j *JobOpening) OpenPositions() int { return j.Positions() - j.Filled() }
func (j *JobOpening) Salary() *SalaryRange {
	return &SalaryRange{Min: j.SalaryMin, Max: j.SalaryMax, Currency: "CNY"}
}
func (j *JobOpening) EmploymentType() store.EmploymentType { return deref(j.Resource.EmploymentType) }
func (j *JobOpening) Status() store.JobOpeningStatus       { return deref(j.OpeningStatus) }

// SalaryRange is a monthly salary range.
type SalaryRange struct {
	Min      *int
	Max      *int
	Currency string
}

// Teacher is a shared teacher.
type Teacher struct{ resource }

func (t *Teacher) Name() string               { return deref(t.TeacherName) }
func (t *Teacher) ProfessionalTitle() *string { return t.TeacherTitle }
func (t *Teacher) DualQualified() bool        { return deref(t.Resource.DualQualified) }

// TrainingCourse is a shared course.
type TrainingCourse struct{ resource }

func (c *TrainingCourse) Hours() int    { return deref(c.Resource.Hours) }
func (c *TrainingCourse) Seats() int    { return deref(c.Resource.Seats) }
func (c *TrainingCourse) Enrolled() int { return deref(c.Resource.Enrolled) }

// StateOn is where the course is in its life on the day today, from its dates.
func (c *TrainingCourse) StateOn(today time.Time) calendar.CourseState {
	return calendar.StateOf(c.Resource.StartsOn, c.Resource.EndsOn, today)
}

// FreeSeatsOn is the seats still to be taken on the day today: none once the course has
// started.
func (c *TrainingCourse) FreeSeatsOn(today time.Time) int {
	if c.StateOn(today).Started() {
		return 0
	}
	return c.Seats() - c.Enrolled()
}

// CompetitionResult is a shared competition result.
type CompetitionResult struct{ resource }

func (c *CompetitionResult) Competition() string           { return deref(c.Resource.Competition) }
func (c *CompetitionResult) Level() store.CompetitionLevel { return deref(c.CompetitionLevel) }
func (c *CompetitionResult) Award() store.Award            { return deref(c.Resource.Award) }
func (c *CompetitionResult) AwardedOn() time.Time          { return deref(c.Resource.AwardedOn) }

// NewResource wraps a row in the GraphQL type of its category.
func NewResource(r *store.Resource) SharedResource {
	switch r.Category {
	case store.CategoryFacility:
		return &TrainingFacility{resource{*r}}
	case store.CategoryJob:
		return &JobOpening{resource{*r}}
	case store.CategoryTeacher:
		return &Teacher{resource{*r}}
	case store.CategoryCourse:
		return &TrainingCourse{resource{*r}}
	case store.CategoryResult:
		return &CompetitionResult{resource{*r}}
	}
	panic(fmt.Sprintf("resource %d has unknown category %q", r.ID, r.Category))
}

// SkillAtLevel is a skill at a level.
type SkillAtLevel struct {
	SkillID     int64
	Level       int
	CertifiedOn *time.Time
}

// Skill is a skill of the taxonomy.
type Skill struct{ store.Skill }

func (k *Skill) GlobalID() string     { return relay.ID(relay.TypeSkill, k.Skill.ID) }
func (k *Skill) Name() *BilingualText { return &BilingualText{k.NameEn, k.NameZh} }

// Talent is an anonymised talent profile.
type Talent struct{ store.Talent }

func (t *Talent) GlobalID() string { return relay.ID(relay.TypeTalent, t.Talent.ID) }

// Alias is a stable pseudonym that does not reveal the row key or the person.
func (t *Talent) Alias() string {
	h := fnv.New32a()
	fmt.Fprintf(h, "talent:%d", t.Talent.ID)
	return fmt.Sprintf("T-%08X", h.Sum32())
}

// Placement is an application to an opening.
type Placement struct{ store.Placement }

func (p *Placement) GlobalID() string { return relay.ID(relay.TypePlacement, p.Placement.ID) }

// Event is one change in the log.
type Event struct{ store.Event }

func (e *Event) GlobalID() string { return relay.ID(relay.TypeEvent, e.Event.ID) }
func (e *Event) Payload() JSON    { return JSON(e.Event.Payload) }

// PartnerEdge is a partner of an organization, with what they share.
type PartnerEdge struct {
	Cursor      string
	Node        Organization
	SharedCount int
	Of, Partner int64 // the organizations the edge joins, for its shared partnerships
}

// PartnerConnection is one page of an organization's partners.
type PartnerConnection struct {
	Edges    []*PartnerEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

// TotalCount counts every partner.
func (c *PartnerConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }
