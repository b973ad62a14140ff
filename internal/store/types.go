package store

import (
	"encoding/json"
	"time"

	"github.com/lib/pq"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
)

// The enumerations below mirror the CHECK constraints of the schema and the enums of the
// GraphQL contract, value for value, so rows travel from SQL to JSON without translation.

// OrganizationKind is one of the four kinds of member.
type OrganizationKind string

// The kinds of organization.
const (
	KindSchool  OrganizationKind = "SCHOOL"
	KindCompany OrganizationKind = "COMPANY"
	KindAgency  OrganizationKind = "GOVERNMENT_AGENCY"
	KindPark    OrganizationKind = "INDUSTRIAL_PARK"
)

// OrganizationKinds lists the kinds of organization, in the contract's order.
var OrganizationKinds = []OrganizationKind{KindSchool, KindCompany, KindAgency, KindPark}

// The categories of shared resource.
const (
	CategoryFacility ResourceCategory = "TRAINING_FACILITY"
	CategoryJob      ResourceCategory = "JOB_OPENING"
	CategoryTeacher  ResourceCategory = "TEACHER"
	CategoryCourse   ResourceCategory = "TRAINING_COURSE"
	CategoryResult   ResourceCategory = "COMPETITION_RESULT"
)

// SchoolLevel is the kind of school.
type SchoolLevel string

// Industry is a company's industry.
type Industry string

// CompanySize is a company's head-count band.
type CompanySize string

// Jurisdiction is an agency's level of government.
type Jurisdiction string

// MembershipRole is an organization's role in an alliance.
type MembershipRole string

// PartnershipKind is the kind of a signed project.
type PartnershipKind string

// PartnershipStatus is where a partnership is in its life.
type PartnershipStatus string

// ParticipantRole is an organization's part in a partnership.
type ParticipantRole string

// ResourceCategory is one of the five areas of shared resources.
type ResourceCategory string

// EmploymentType is the kind of employment an opening offers.
type EmploymentType string

// JobOpeningStatus is where an opening is in its life.
type JobOpeningStatus string

// CompetitionLevel is the level of a skills competition.
type CompetitionLevel string

// Award is what was won at a competition.
type Award string

// SkillCategory is a broad area of the taxonomy.
type SkillCategory string

// TalentStatus is where a talent is in training or work.
type TalentStatus string

// PlacementStatus is where an application stands.
type PlacementStatus string

// Keyset carries a row's position in a keyset-paginated list: the parent it was listed
// under (for nested lists) and the text form of its sort value. Row types embed it.
type Keyset struct {
	KeysetParent int64  `db:"keyset_parent"`
	KeysetSort   string `db:"keyset_sort"`
}

func (k *Keyset) keyset() *Keyset { return k }

// Alliance is a row of the alliance table.
type Alliance struct {
	Keyset
	ID          int64     `db:"id"`
	Slug        string    `db:"slug"`
	NameEn      string    `db:"name_en"`
	NameZh      string    `db:"name_zh"`
	City        string    `db:"city"`
	FoundedOn   time.Time `db:"founded_on"`
	Description string    `db:"description"`
	CreatedAt   time.Time `db:"created_at"`
	Version     int       `db:"version"`
}

// Organization is a row of the organization table: any of the four kinds.
type Organization struct {
	Keyset
	ID              int64            `db:"id"`
	Kind            OrganizationKind `db:"kind"`
	NameEn          string           `db:"name_en"`
	NameZh          string           `db:"name_zh"`
	Description     string           `db:"description"`
	Website         *string          `db:"website"`
	District        string           `db:"district"`
	FoundedYear     *int             `db:"founded_year"`
	SchoolLevel     *SchoolLevel     `db:"school_level"`
	Majors          pq.StringArray   `db:"majors"`
	StudentCount    *int             `db:"student_count"`
	Industry        *Industry        `db:"industry"`
	CompanySize     *CompanySize     `db:"company_size"`
	EmployeeCount   *int             `db:"employee_count"`
	ParkID          *int64           `db:"park_id"`
	ForeignInvested bool             `db:"foreign_invested"`
	Jurisdiction    *Jurisdiction    `db:"jurisdiction"`
	AreaKm2         *float64         `db:"area_km2"`
	FocusIndustries pq.StringArray   `db:"focus_industries"`
	CreatedAt       time.Time        `db:"created_at"`
	Version         int              `db:"version"`
}

// Membership is a row of the membership table.
type Membership struct {
	Keyset
	ID             int64          `db:"id"`
	AllianceID     int64          `db:"alliance_id"`
	OrganizationID int64          `db:"organization_id"`
	Role           MembershipRole `db:"role"`
	JoinedOn       time.Time      `db:"joined_on"`
	LeftOn         *time.Time     `db:"left_on"`
	Version        int            `db:"version"`
}

// Partnership is a row of the partnership table.
type Partnership struct {
	Keyset
	ID          int64             `db:"id"`
	AllianceID  int64             `db:"alliance_id"`
	TitleEn     string            `db:"title_en"`
	TitleZh     string            `db:"title_zh"`
	Kind        PartnershipKind   `db:"kind"`
	Status      PartnershipStatus `db:"status"`
	Description string            `db:"description"`
	SignedOn    *time.Time        `db:"signed_on"`
	StartsOn    *time.Time        `db:"starts_on"`
	EndsOn      *time.Time        `db:"ends_on"`
	CreatedAt   time.Time         `db:"created_at"`
	Version     int               `db:"version"`
}

// Participant is an organization's part in a partnership.
type Participant struct {
	PartnershipID  int64           `db:"partnership_id"`
	OrganizationID int64           `db:"organization_id"`
	Role           ParticipantRole `db:"role"`
	JoinedOn       *time.Time      `db:"joined_on"`
}

// InvitationStatus is where an invitation to a partnership stands.
type InvitationStatus string

// The statuses of an invitation.
const (
	InvitationPending  InvitationStatus = "PENDING"
	InvitationAccepted InvitationStatus = "ACCEPTED"
	InvitationDeclined InvitationStatus = "DECLINED"
)

// Invitation is a row of partnership_invitation: an organization named in a partnership
// by a member, which takes part only once it accepts.
type Invitation struct {
	PartnershipID  int64            `db:"partnership_id"`
	OrganizationID int64            `db:"organization_id"`
	Role           ParticipantRole  `db:"role"`
	Status         InvitationStatus `db:"status"`
	InvitedOn      time.Time        `db:"invited_on"`
	AnsweredOn     *time.Time       `db:"answered_on"`
}

// TrainingCenter is a row of the training_center table.
type TrainingCenter struct {
	Keyset
	ID            int64     `db:"id"`
	AllianceID    int64     `db:"alliance_id"`
	OperatorID    int64     `db:"operator_id"`
	NameEn        string    `db:"name_en"`
	NameZh        string    `db:"name_zh"`
	Address       string    `db:"address"`
	Description   string    `db:"description"`
	EstablishedOn time.Time `db:"established_on"`
	CreatedAt     time.Time `db:"created_at"`
	Version       int       `db:"version"`
}

// Resource is a row of the resource table: any of the five categories. Columns that
// belong to other categories are NULL.
type Resource struct {
	Keyset
	ID               int64             `db:"id"`
	AllianceID       int64             `db:"alliance_id"`
	ProviderID       int64             `db:"provider_id"`
	Category         ResourceCategory  `db:"category"`
	TitleEn          string            `db:"title_en"`
	TitleZh          string            `db:"title_zh"`
	Description      string            `db:"description"`
	SharedWithAll    bool              `db:"shared_with_all"`
	SharedOn         time.Time         `db:"shared_on"`
	TrainingCenterID *int64            `db:"training_center_id"`
	Capacity         *int              `db:"capacity"`
	Address          *string           `db:"address"`
	Equipment        pq.StringArray    `db:"equipment"`
	OpeningHours     OpeningHours      `db:"opening_hours"`
	Positions        *int              `db:"positions"`
	Filled           *int              `db:"filled"`
	SalaryMin        *int              `db:"salary_min"`
	SalaryMax        *int              `db:"salary_max"`
	EmploymentType   *EmploymentType   `db:"employment_type"`
	OpeningStatus    *JobOpeningStatus `db:"opening_status"`
	ClosesOn         *time.Time        `db:"closes_on"`
	TeacherName      *string           `db:"teacher_name"`
	TeacherTitle     *string           `db:"teacher_title"`
	DualQualified    *bool             `db:"dual_qualified"`
	YearsExperience  *int              `db:"years_experience"`
	Hours            *int              `db:"hours"`
	Seats            *int              `db:"seats"`
	Enrolled         *int              `db:"enrolled"`
	StartsOn         *time.Time        `db:"starts_on"`
	EndsOn           *time.Time        `db:"ends_on"`
	FacilityID       *int64            `db:"facility_id"`
	Competition      *string           `db:"competition"`
	CompetitionLevel *CompetitionLevel `db:"competition_level"`
	Award            *Award            `db:"award"`
	AwardedOn        *time.Time        `db:"awarded_on"`
	TalentID         *int64            `db:"talent_id"`
	SkillID          *int64            `db:"skill_id"`
	// CompetitionID, Rank and Score are a result's edition and place in it, when known.
	CompetitionID *int64     `db:"competition_id"`
	Rank          *int       `db:"rank"`
	Score         *float64   `db:"score"`
	CreatedAt     time.Time  `db:"created_at"`
	Version       int        `db:"version"`
	WithdrawnOn   *time.Time `db:"withdrawn_on"`
	// CourseState is the state of a course last announced (COURSE_STATE_CHANGED), nil
	// before the first; what the API shows is computed from the dates
	// (calendar.StateOf), exact whenever it is asked.
	CourseState *calendar.CourseState `db:"course_state"`
}

// Skill is a row of the skill taxonomy.
type Skill struct {
	Keyset
	ID          int64         `db:"id"`
	Code        string        `db:"code"`
	NameEn      string        `db:"name_en"`
	NameZh      string        `db:"name_zh"`
	Category    SkillCategory `db:"category"`
	ParentID    *int64        `db:"parent_id"`
	Description string        `db:"description"`
	Version     int           `db:"version"`
}

// SkillLevel links a skill at a level to its owner: a resource or a talent.
type SkillLevel struct {
	OwnerID int64 `db:"owner_id"`
	SkillID int64 `db:"skill_id"`
	Level   int   `db:"level"`
	// CertifiedOn is when a certificate last certified a talent's skill; talents' skills
	// only.
	CertifiedOn *time.Time `db:"certified_on"`
}

// Talent is a row of the talent table. Personal columns are read only where a caller
// may see them; the anonymised profile never needs them.
type Talent struct {
	Keyset
	ID             int64        `db:"id"`
	AllianceID     int64        `db:"alliance_id"`
	Status         TalentStatus `db:"status"`
	SchoolID       *int64       `db:"school_id"`
	EmployerID     *int64       `db:"employer_id"` // accepted by the company
	GraduationYear *int         `db:"graduation_year"`
	// Major is the major studied at the talent's school, one of the school's majors
	// when it was written.
	Major        *string   `db:"major"`
	RegisteredOn time.Time `db:"registered_on"`
	Version      int       `db:"version"`
	// PendingEmployerID is a company named as employer that has not accepted yet; it
	// grants nothing until it does.
	PendingEmployerID  *int64     `db:"pending_employer_id"`
	EmployerProposedOn *time.Time `db:"employer_proposed_on"`
}

// Placement is a row of the placement table.
type Placement struct {
	Keyset
	ID        int64           `db:"id"`
	OpeningID int64           `db:"opening_id"`
	TalentID  int64           `db:"talent_id"`
	Status    PlacementStatus `db:"status"`
	AppliedOn time.Time       `db:"applied_on"`
	HiredOn   *time.Time      `db:"hired_on"`
	// StartingSalary is the monthly salary in CNY agreed at hire, when recorded: personal
	// data (policy.SeeStartingSalary).
	StartingSalary *int      `db:"starting_salary"`
	CreatedAt      time.Time `db:"created_at"`
	Version        int       `db:"version"`
}

// Link pairs an owner row with another row, for many-to-many lists such as a course's
// teachers or a centre's linked organizations.
type Link struct {
	OwnerID int64 `db:"owner_id"`
	OtherID int64 `db:"other_id"`
}

// EventKind says what an event records.
type EventKind string

// ActorRole is the role a change was made with.
type ActorRole string

// Event is a row of the event log.
type Event struct {
	Keyset
	ID         int64           `db:"id"`
	AllianceID *int64          `db:"alliance_id"`
	Kind       EventKind       `db:"kind"`
	SubjectID  string          `db:"subject_id"`
	Actor      string          `db:"actor"`
	ActorRole  ActorRole       `db:"actor_role"`
	OccurredAt time.Time       `db:"occurred_at"`
	Payload    json.RawMessage `db:"payload"`
	ResourceID *int64          `db:"resource_id"`
	Restricted bool            `db:"restricted"`
}
