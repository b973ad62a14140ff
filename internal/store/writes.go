package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// The writes of the change package: each reads or writes whole rows, so that the caller
// validates the row as it will be, and each update checks the version the caller read.

func organizationValues(o *Organization) values {
	return values{
		"kind": string(o.Kind), "name_en": o.NameEn, "name_zh": o.NameZh, "description": o.Description,
		"website": o.Website, "district": o.District, "founded_year": o.FoundedYear,
		"school_level": o.SchoolLevel, "majors": pq.StringArray(nonNil(o.Majors)), "student_count": o.StudentCount,
		"industry": o.Industry, "company_size": o.CompanySize, "employee_count": o.EmployeeCount,
		"park_id": o.ParkID, "foreign_invested": o.ForeignInvested, "jurisdiction": o.Jurisdiction,
		"area_km2": o.AreaKm2, "focus_industries": pq.StringArray(nonNil(o.FocusIndustries)),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CreateOrganization inserts o and returns its id.
func (t *Tx) CreateOrganization(ctx context.Context, o *Organization) (int64, error) {
	return t.insert(ctx, "organization", organizationValues(o))
}

// UpdateOrganization writes o if its version is still o.Version.
func (t *Tx) UpdateOrganization(ctx context.Context, o *Organization) error {
	v := organizationValues(o)
	delete(v, "kind")
	return t.update(ctx, "organization", o.ID, o.Version, v)
}

// Organization reads an organization.
func (t *Tx) Organization(ctx context.Context, id int64) (*Organization, error) {
	var o Organization
	return &o, t.read(ctx, &o, "organization", id)
}

// OrganizationKinds returns the kinds of those of ids that exist.
func (t *Tx) OrganizationKinds(ctx context.Context, ids []int64) (map[int64]OrganizationKind, error) {
	var rows []struct {
		ID   int64            `db:"id"`
		Kind OrganizationKind `db:"kind"`
	}
	if err := t.selectRows(ctx, &rows, "SELECT id, kind FROM organization WHERE id = ANY($1)", pq.Int64Array(ids)); err != nil {
		return nil, fmt.Errorf("read kinds of organizations %v: %w", ids, err)
	}
	out := make(map[int64]OrganizationKind, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Kind
	}
	return out, nil
}

// Existing reports which of ids exist in the table of kind what ("alliance", "skill",
// "talent", "training_center").
func (t *Tx) Existing(ctx context.Context, what string, ids []int64) (map[int64]bool, error) {
	switch what {
	case "alliance", "skill", "talent", "training_center":
		return t.existing(ctx, what, "", ids)
	}
	return nil, fmt.Errorf("no existence check for %q", what)
}

// ResourcesOfCategory reports which of ids are resources of category c.
func (t *Tx) ResourcesOfCategory(ctx context.Context, scope Scope, c ResourceCategory, ids []int64) (map[int64]bool, error) {
	var found []int64
	q, args := scoped("SELECT r.id FROM resource r WHERE r.id = ANY($1) AND r.category = $2 AND {scope}", "r", scope, 2)
	if err := t.selectRows(ctx, &found, q, append([]any{pq.Int64Array(ids), string(c)}, args...)...); err != nil {
		return nil, fmt.Errorf("check %s resources %v: %w", c, ids, err)
	}
	out := map[int64]bool{}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// CreateMembership admits an organization; ErrDuplicate if it is already a member.
func (t *Tx) CreateMembership(ctx context.Context, m *Membership) (int64, error) {
	id, err := t.insert(ctx, "membership", values{"alliance_id": m.AllianceID, "organization_id": m.OrganizationID, "role": string(m.Role), "joined_on": m.JoinedOn})
	return id, unique(err)
}

// UpdateMembership writes m's role and leaving date if its version is still m.Version.
func (t *Tx) UpdateMembership(ctx context.Context, m *Membership) error {
	return t.update(ctx, "membership", m.ID, m.Version, values{"role": string(m.Role), "left_on": m.LeftOn})
}

// Membership reads a membership.
func (t *Tx) Membership(ctx context.Context, id int64) (*Membership, error) {
	var m Membership
	return &m, t.read(ctx, &m, "membership", id)
}

func partnershipValues(p *Partnership) values {
	return values{
		"alliance_id": p.AllianceID, "title_en": p.TitleEn, "title_zh": p.TitleZh, "kind": string(p.Kind),
		"status": string(p.Status), "description": p.Description, "signed_on": p.SignedOn, "starts_on": p.StartsOn, "ends_on": p.EndsOn,
	}
}

// CreatePartnership inserts p with its participants.
func (t *Tx) CreatePartnership(ctx context.Context, p *Partnership, participants []Participant) (int64, error) {
	id, err := t.insert(ctx, "partnership", partnershipValues(p))
	if err != nil {
		return 0, err
	}
	for _, pp := range participants {
		pp.PartnershipID = id
		if err := t.AddParticipant(ctx, pp); err != nil {
			return 0, fmt.Errorf("add participant %d to partnership %d: %w", pp.OrganizationID, id, err)
		}
	}
	return id, nil
}

// UpdatePartnership writes p if its version is still p.Version.
func (t *Tx) UpdatePartnership(ctx context.Context, p *Partnership) error {
	v := partnershipValues(p)
	delete(v, "alliance_id")
	delete(v, "kind")
	return t.update(ctx, "partnership", p.ID, p.Version, v)
}

// Partnership reads a partnership.
func (t *Tx) Partnership(ctx context.Context, id int64) (*Partnership, error) {
	var p Partnership
	return &p, t.read(ctx, &p, "partnership", id)
}

// Participants reads a partnership's participants.
func (t *Tx) Participants(ctx context.Context, partnership int64) ([]Participant, error) {
	var ps []Participant
	if err := t.selectRows(ctx, &ps, "SELECT * FROM partnership_participant WHERE partnership_id = $1 ORDER BY organization_id", partnership); err != nil {
		return nil, fmt.Errorf("read participants of partnership %d: %w", partnership, err)
	}
	return ps, nil
}

// AddParticipant adds an organization to a partnership; ErrDuplicate if it takes part.
func (t *Tx) AddParticipant(ctx context.Context, p Participant) error {
	_, err := t.exec(ctx, "INSERT INTO partnership_participant (partnership_id, organization_id, role, joined_on) VALUES ($1, $2, $3, $4)",
		p.PartnershipID, p.OrganizationID, string(p.Role), p.JoinedOn)
	return unique(err)
}

// RemoveParticipant removes an organization from a partnership.
func (t *Tx) RemoveParticipant(ctx context.Context, partnership, org int64) error {
	_, err := t.exec(ctx, "DELETE FROM partnership_participant WHERE partnership_id = $1 AND organization_id = $2", partnership, org)
	return err
}

func resourceValues(r *Resource) values {
	return values{
		"alliance_id": r.AllianceID, "provider_id": r.ProviderID, "category": string(r.Category),
		"title_en": r.TitleEn, "title_zh": r.TitleZh, "description": r.Description, "shared_with_all": r.SharedWithAll,
		"shared_on": r.SharedOn, "training_center_id": r.TrainingCenterID, "capacity": r.Capacity, "address": r.Address,
		"equipment": pq.StringArray(nonNil(r.Equipment)), "positions": r.Positions, "filled": r.Filled,
		"salary_min": r.SalaryMin, "salary_max": r.SalaryMax, "employment_type": r.EmploymentType,
		"opening_status": r.OpeningStatus, "closes_on": r.ClosesOn, "teacher_name": r.TeacherName,
		"teacher_title": r.TeacherTitle, "dual_qualified": r.DualQualified, "years_experience": r.YearsExperience,
		"hours": r.Hours, "seats": r.Seats, "enrolled": r.Enrolled, "starts_on": r.StartsOn, "ends_on": r.EndsOn,
		"facility_id": r.FacilityID, "competition": r.Competition, "competition_level": r.CompetitionLevel,
		"award": r.Award, "awarded_on": r.AwardedOn, "talent_id": r.TalentID, "skill_id": r.SkillID, "withdrawn_on": r.WithdrawnOn,
		"course_state": r.CourseState, "opening_hours": r.OpeningHours,
		"competition_id": r.CompetitionID, "rank": r.Rank, "score": r.Score,
	}
}

// CreateResource inserts r.
func (t *Tx) CreateResource(ctx context.Context, r *Resource) (int64, error) {
	return t.insert(ctx, "resource", resourceValues(r))
}

// UpdateResource writes r if its version is still r.Version. The counters filled and
// enrolled are left alone: only FillPosition and Enroll move them.
func (t *Tx) UpdateResource(ctx context.Context, r *Resource) error {
	v := resourceValues(r)
	for _, c := range []string{"alliance_id", "provider_id", "category", "filled", "enrolled", "shared_on"} {
		delete(v, c)
	}
	return t.update(ctx, "resource", r.ID, r.Version, v)
}

// Resource reads a resource.
func (t *Tx) Resource(ctx context.Context, scope Scope, id int64) (*Resource, error) {
	var r Resource
	q, args := scoped("SELECT r.* FROM resource r WHERE r.id = $1 AND {scope}", "r", scope, 1)
	if err := t.get(ctx, &r, q, append([]any{id}, args...)...); err != nil {
		return nil, fmt.Errorf("read resource %d: %w", id, err)
	}
	return &r, nil
}

// LockResource reads a resource like Resource and locks it until the transaction ends,
// so that the changes made from what was read cannot cross the calendar's
// (CloseLapsedOpenings, MoveCourseStates) or another writer's.
func (t *Tx) LockResource(ctx context.Context, scope Scope, id int64) (*Resource, error) {
	var r Resource
	q, args := scoped("SELECT r.* FROM resource r WHERE r.id = $1 AND {scope} FOR UPDATE OF r", "r", scope, 1)
	if err := t.get(ctx, &r, q, append([]any{id}, args...)...); err != nil {
		return nil, fmt.Errorf("lock resource %d: %w", id, err)
	}
	return &r, nil
}

// ReplaceShares sets the members a resource is shared with.
func (t *Tx) ReplaceShares(ctx context.Context, resource int64, orgs []int64) error {
	if _, err := t.exec(ctx, "DELETE FROM resource_share WHERE resource_id = $1", resource); err != nil {
		return fmt.Errorf("clear shares of resource %d: %w", resource, err)
	}
	if len(orgs) == 0 {
		return nil
	}
	_, err := t.exec(ctx, "INSERT INTO resource_share (resource_id, organization_id) SELECT $1, unnest($2::bigint[])", resource, pq.Int64Array(orgs))
	return err
}

// ReplaceResourceSkills sets the skills a resource requires, teaches or holds.
func (t *Tx) ReplaceResourceSkills(ctx context.Context, resource int64, skills []SkillLevel) error {
	if _, err := t.exec(ctx, "DELETE FROM resource_skill WHERE resource_id = $1", resource); err != nil {
		return fmt.Errorf("clear skills of resource %d: %w", resource, err)
	}
	for _, s := range skills {
		if _, err := t.exec(ctx, "INSERT INTO resource_skill (resource_id, skill_id, level) VALUES ($1, $2, $3)", resource, s.SkillID, s.Level); err != nil {
			return fmt.Errorf("add skill %d to resource %d: %w", s.SkillID, resource, err)
		}
	}
	return nil
}

// ReplaceCourseTeachers sets a course's teachers.
func (t *Tx) ReplaceCourseTeachers(ctx context.Context, course int64, teachers []int64) error {
	if _, err := t.exec(ctx, "DELETE FROM course_teacher WHERE course_id = $1", course); err != nil {
		return fmt.Errorf("clear teachers of course %d: %w", course, err)
	}
	if len(teachers) == 0 {
		return nil
	}
	_, err := t.exec(ctx, "INSERT INTO course_teacher (course_id, teacher_id) SELECT $1, unnest($2::bigint[])", course, pq.Int64Array(teachers))
	return err
}

// FillPosition counts one more hire against an opening, atomically: it fails with
// ErrFull when every position is taken, however many hires race for the last one, and
// marks the opening FILLED when it takes the last. It reports whether it did.
func (t *Tx) FillPosition(ctx context.Context, opening int64) (filledLast bool, err error) {
	var r struct {
		Filled    int `db:"filled"`
		Positions int `db:"positions"`
	}
	err = t.get(ctx, &r, `UPDATE resource SET filled = filled + 1, version = version + 1,
		opening_status = CASE WHEN filled + 1 = positions THEN 'FILLED' ELSE opening_status END
		WHERE id = $1 AND category = 'JOB_OPENING' AND filled < positions RETURNING filled, positions`, opening)
	if errors.Is(err, ErrNotFound) {
		return false, ErrFull
	}
	if err != nil {
		return false, fmt.Errorf("fill a position of opening %d: %w", opening, err)
	}
	return r.Filled == r.Positions, nil
}

// CreatePlacement records an application; ErrDuplicate if the talent already applied.
func (t *Tx) CreatePlacement(ctx context.Context, p *Placement) (int64, error) {
	id, err := t.insert(ctx, "placement", values{"opening_id": p.OpeningID, "talent_id": p.TalentID, "status": string(p.Status), "applied_on": p.AppliedOn})
	return id, unique(err)
}

// UpdatePlacement writes p's status, hiring date and starting salary if its version is
// still p.Version.
func (t *Tx) UpdatePlacement(ctx context.Context, p *Placement) error {
	return t.update(ctx, "placement", p.ID, p.Version, values{"status": string(p.Status), "hired_on": p.HiredOn, "starting_salary": p.StartingSalary})
}

// Placement reads a placement.
func (t *Tx) Placement(ctx context.Context, id int64) (*Placement, error) {
	var p Placement
	return &p, t.read(ctx, &p, "placement", id)
}

// CreateSkill inserts k; ErrDuplicate if its code is taken.
func (t *Tx) CreateSkill(ctx context.Context, k *Skill) (int64, error) {
	id, err := t.insert(ctx, "skill", values{"code": k.Code, "name_en": k.NameEn, "name_zh": k.NameZh, "category": string(k.Category), "parent_id": k.ParentID, "description": k.Description})
	return id, unique(err)
}

// UpdateSkill writes k if its version is still k.Version.
func (t *Tx) UpdateSkill(ctx context.Context, k *Skill) error {
	return t.update(ctx, "skill", k.ID, k.Version, values{"name_en": k.NameEn, "name_zh": k.NameZh, "category": string(k.Category), "description": k.Description})
}

// Skill reads a skill.
func (t *Tx) Skill(ctx context.Context, id int64) (*Skill, error) {
	var k Skill
	return &k, t.read(ctx, &k, "skill", id)
}

// Person is a talent with its personal data.
type Person struct {
	Talent
	FullName  string     `db:"full_name"`
	NameZh    string     `db:"name_zh"`
	Email     *string    `db:"email"`
	Phone     *string    `db:"phone"`
	BirthDate *time.Time `db:"birth_date"`
	CreatedAt time.Time  `db:"created_at"`
}

func personValues(p *Person) values {
	return values{
		"alliance_id": p.AllianceID, "full_name": p.FullName, "name_zh": p.NameZh, "email": p.Email, "phone": p.Phone,
		"birth_date": p.BirthDate, "status": string(p.Status), "school_id": p.SchoolID, "employer_id": p.EmployerID,
		"graduation_year": p.GraduationYear, "major": p.Major, "registered_on": p.RegisteredOn,
		"pending_employer_id": p.PendingEmployerID, "employer_proposed_on": p.EmployerProposedOn,
	}
}

// CreateTalent inserts p with its skills.
func (t *Tx) CreateTalent(ctx context.Context, p *Person, skills []SkillLevel) (int64, error) {
	id, err := t.insert(ctx, "talent", personValues(p))
	if err != nil {
		return 0, err
	}
	for _, s := range skills {
		if err := t.SetTalentSkill(ctx, id, s); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// UpdateTalent writes p if its version is still p.Version.
func (t *Tx) UpdateTalent(ctx context.Context, p *Person) error {
	v := personValues(p)
	delete(v, "alliance_id")
	delete(v, "registered_on")
	return t.update(ctx, "talent", p.ID, p.Version, v)
}

// Person reads a talent with its personal data.
func (t *Tx) Person(ctx context.Context, id int64) (*Person, error) {
	var p Person
	return &p, t.read(ctx, &p, "talent", id)
}

// SetTalentSkill adds a skill to a talent or changes its level.
func (t *Tx) SetTalentSkill(ctx context.Context, talent int64, s SkillLevel) error {
	_, err := t.exec(ctx, `INSERT INTO talent_skill (talent_id, skill_id, level) VALUES ($1, $2, $3)
		ON CONFLICT (talent_id, skill_id) DO UPDATE SET level = EXCLUDED.level`, talent, s.SkillID, s.Level)
	if err != nil {
		return fmt.Errorf("set skill %d of talent %d: %w", s.SkillID, talent, err)
	}
	return nil
}

// RemoveTalentSkill removes a skill from a talent and reports whether it had it.
func (t *Tx) RemoveTalentSkill(ctx context.Context, talent, skill int64) (bool, error) {
	res, err := t.exec(ctx, "DELETE FROM talent_skill WHERE talent_id = $1 AND skill_id = $2", talent, skill)
	if err != nil {
		return false, fmt.Errorf("remove skill %d of talent %d: %w", skill, talent, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Bump raises the version of a row whose dependent rows (participants, skills) changed,
// if it is still at version; ErrConflict otherwise.
func (t *Tx) Bump(ctx context.Context, table string, id int64, version int) error {
	switch table {
	case "partnership", "talent", "resource":
		return t.update(ctx, table, id, version, values{})
	}
	return fmt.Errorf("no version bump for %q", table)
}

// ErrFull reports that no position or seat is left.
var ErrFull = errors.New("no capacity left")

// ErrNotEnrolling reports a course whose enrolment is not open: it has not opened yet,
// or the course has started.
var ErrNotEnrolling = errors.New("enrolment not open")

// ErrDuplicate reports a row that already exists.
var ErrDuplicate = errors.New("already exists")

// unique turns a unique-violation into ErrDuplicate.
func unique(err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return ErrDuplicate
	}
	return err
}
