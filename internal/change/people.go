package change

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/enrolment"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// ApplyForJobInput records an application.
type ApplyForJobInput struct {
	OpeningID string
	TalentID  string
}

// UpdatePlacementStatusInput moves an application on.
type UpdatePlacementStatusInput struct {
	ID             string
	Version        int
	Status         store.PlacementStatus
	HiredOn        *time.Time
	StartingSalary *int
}

// EnrollInCourseInput enrols a talent on a course.
type EnrollInCourseInput struct {
	CourseID string
	TalentID string
}

// CreateSkillInput adds a skill.
type CreateSkillInput struct {
	Code        string
	Name        Bilingual
	Category    store.SkillCategory
	ParentID    *string
	Description *string
}

// UpdateSkillInput changes a skill.
type UpdateSkillInput struct {
	ID          string
	Version     int
	Name        *Bilingual
	Category    *store.SkillCategory
	Description *string
}

// RegisterTalentInput registers a talent.
type RegisterTalentInput struct {
	AllianceID     string
	FullName       string
	NameZh         *string
	Email          *string
	Phone          *string
	BirthDate      *time.Time
	Status         store.TalentStatus
	SchoolID       *string
	Major          *string
	EmployerID     *string
	GraduationYear *int
	Skills         []SkillLevelInput
}

// UpdateTalentInput changes a talent.
type UpdateTalentInput struct {
	ID             string
	Version        int
	FullName       *string
	NameZh         *string
	Email          *string
	Phone          *string
	BirthDate      *time.Time
	Status         *store.TalentStatus
	SchoolID       *string
	Major          *string
	EmployerID     *string
	GraduationYear *int
}

// SetTalentSkillInput sets one of a talent's skills.
type SetTalentSkillInput struct {
	TalentID string
	Version  int
	Skill    SkillLevelInput
}

// AnswerEmploymentInput is a company's answer to being named a talent's employer.
type AnswerEmploymentInput struct {
	TalentID string
	Version  int
}

// RemoveTalentSkillInput removes one of a talent's skills.
type RemoveTalentSkillInput struct {
	TalentID string
	Version  int
	SkillID  string
}

var placementMoves = map[store.PlacementStatus][]store.PlacementStatus{
	"APPLIED":     {"SHORTLISTED", "HIRED", "REJECTED", "WITHDRAWN"},
	"SHORTLISTED": {"HIRED", "REJECTED", "WITHDRAWN"},
}

// talentOrgs are the organizations that act for a talent.
func talentOrgs(t *store.Talent) []int64 {
	var out []int64
	for _, id := range []*int64{t.SchoolID, t.EmployerID} {
		if id != nil {
			out = append(out, *id)
		}
	}
	return out
}

// ApplyForJob records a talent's application (ADMIN, or the talent's school or
// employer).
func (s *Service) ApplyForJob(ctx context.Context, in ApplyForJobInput) (*store.Placement, error) {
	var p problems
	pl := &store.Placement{Status: "APPLIED", AppliedOn: s.today()}
	pl.OpeningID = p.key("openingId", relay.TypeResource, in.OpeningID)
	pl.TalentID = p.key("talentId", relay.TypeTalent, in.TalentID)
	if err := p.err(); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(tx *store.Tx) error {
		t, err := tx.Person(ctx, pl.TalentID)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(NotFound, "talentId", "no talent has this ID")
		} else if err != nil {
			return err
		}
		if err := policy.ActFor(auth.ViewerFrom(ctx), "apply for talents of other organizations", talentOrgs(&t.Talent)...); err != nil {
			return err
		}
		o, err := tx.Resource(ctx, resourceScope(ctx), pl.OpeningID)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && o.Category != store.CategoryJob):
			return refuse(NotFound, "openingId", "no job opening has this ID")
		case err != nil:
			return err
		case deref(o.OpeningStatus) != "OPEN" || o.WithdrawnOn != nil:
			return refuse(InvalidTransition, "openingId", "the opening is %s and takes no applications", deref(o.OpeningStatus))
		case o.ClosesOn != nil && o.ClosesOn.Before(s.today()):
			return refuse(InvalidTransition, "openingId", "applications closed on %s", o.ClosesOn.Format(time.DateOnly))
		}
		id, err := tx.CreatePlacement(ctx, pl)
		if errors.Is(err, store.ErrDuplicate) {
			return refuse(Duplicate, "talentId", "has already applied for this opening")
		}
		if err != nil {
			return err
		}
		if err := s.eventAbout(ctx, tx, "APPLICATION_RECORDED", relay.ID(relay.TypePlacement, id), o, map[string]any{"opening": in.OpeningID}); err != nil {
			return err
		}
		pl, err = tx.Placement(ctx, id)
		return err
	})
	return pl, err
}

// UpdatePlacementStatus moves an application on (ADMIN, or the opening's provider).
// Hiring takes a position atomically: an opening is never filled beyond its positions.
func (s *Service) UpdatePlacementStatus(ctx context.Context, in UpdatePlacementStatusInput) (*store.Placement, error) {
	var p problems
	id := p.key("id", relay.TypePlacement, in.ID)
	p.between("startingSalary", in.StartingSalary, 1, maxStartingSalary)
	if err := p.err(); err != nil {
		return nil, err
	}
	var pl *store.Placement
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if pl, err = tx.Placement(ctx, id); err != nil {
			return err
		}
		o, err := tx.Resource(ctx, resourceScope(ctx), pl.OpeningID)
		if err != nil {
			return err
		}
		if err := policy.ActFor(auth.ViewerFrom(ctx), "decide on applications to other organizations' openings", o.ProviderID); err != nil {
			return err
		}
		if !slices.Contains(placementMoves[pl.Status], in.Status) {
			return refuse(InvalidTransition, "status", "a %s application cannot become %s", pl.Status, in.Status)
		}
		pl.Version, pl.Status = in.Version, in.Status
		if in.Status == "HIRED" {
			hired := s.today()
			if in.HiredOn != nil {
				hired = *in.HiredOn
			}
			if hired.Before(pl.AppliedOn) {
				return refuse(DatesOutOfOrder, "hiredOn", "is before the application (%s)", pl.AppliedOn.Format(time.DateOnly))
			}
			pl.HiredOn = &hired
			pl.StartingSalary = in.StartingSalary
		} else if in.HiredOn != nil {
			return refuse(Invalid, "hiredOn", "applies only when the new status is HIRED")
		} else if in.StartingSalary != nil {
			return refuse(Invalid, "startingSalary", "applies only when the new status is HIRED")
		}
		if err := tx.UpdatePlacement(ctx, pl); err != nil {
			return err
		}
		if in.Status == "HIRED" {
			last, err := tx.FillPosition(ctx, pl.OpeningID)
			if errors.Is(err, store.ErrFull) {
				return refuse(Full, "status", "every position of the opening is filled")
			}
			if err != nil {
				return err
			}
			if last {
				if err := s.eventAbout(ctx, tx, "OPENING_FILLED", relay.ID(relay.TypeResource, o.ID), o, map[string]any{"positions": deref(o.Positions)}); err != nil {
					return err
				}
			}
		}
		if err := s.eventAbout(ctx, tx, "PLACEMENT_STATUS_CHANGED", in.ID, o, map[string]any{"status": in.Status, "opening": relay.ID(relay.TypeResource, o.ID)}); err != nil {
			return err
		}
		pl, err = tx.Placement(ctx, id)
		return err
	})
	return pl, err
}

// EnrollInCourse enrols a talent (ADMIN, or the talent's school or employer): it takes
// a seat when one is free, and goes on the course's waitlist when the class is full,
// to take the next seat that frees. Seats are taken with the course's row locked: a
// course is never filled beyond its seats, however many enrol at once.
func (s *Service) EnrollInCourse(ctx context.Context, in EnrollInCourseInput) (*store.Resource, *store.Talent, *store.Enrollment, error) {
	var p problems
	course := p.key("courseId", relay.TypeResource, in.CourseID)
	talent := p.key("talentId", relay.TypeTalent, in.TalentID)
	if err := p.err(); err != nil {
		return nil, nil, nil, err
	}
	var c *store.Resource
	var t *store.Person
	var e *store.Enrollment
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		t, err = tx.Person(ctx, talent)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(NotFound, "talentId", "no talent has this ID")
		} else if err != nil {
			return err
		}
		if err := policy.ActFor(auth.ViewerFrom(ctx), "enrol talents of other organizations", talentOrgs(&t.Talent)...); err != nil {
			return err
		}
		c, err = tx.Resource(ctx, resourceScope(ctx), course)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && c.Category != store.CategoryCourse):
			return refuse(NotFound, "courseId", "no training course has this ID")
		case err != nil:
			return err
		case c.WithdrawnOn != nil:
			return refuse(InvalidTransition, "courseId", "the course was withdrawn")
		}
		today := s.today()
		if err := enrolmentOpen(c, today); err != nil {
			return err
		}
		e, err = tx.Enroll(ctx, course, talent, today)
		switch {
		case errors.Is(err, store.ErrNotEnrolling):
			return refuse(EnrolmentClosed, "courseId", "the course's enrolment closed while you enrolled; read it again")
		case errors.Is(err, store.ErrDuplicate):
			return refuse(Duplicate, "talentId", "is already enrolled or waitlisted")
		case err != nil:
			return err
		}
		gid := relay.ID(relay.TypeEnrollment, e.ID)
		if e.State == enrolment.Waitlisted {
			err = s.eventAbout(ctx, tx, store.EventTalentWaitlisted, gid, c, map[string]any{"course": in.CourseID, "talent": in.TalentID})
		} else {
			// TALENT_ENROLLED keeps the subject it always had, the course.
			err = s.eventAbout(ctx, tx, store.EventTalentEnrolled, in.CourseID, c, map[string]any{"talent": in.TalentID, "enrollment": gid})
		}
		if err != nil {
			return err
		}
		c, err = tx.Resource(ctx, resourceScope(ctx), course)
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return c, &t.Talent, e, nil
}

// enrolmentOpen refuses enrolment on the course c unless it is ENROLLING on today:
// from calendar.EnrolmentWindow days before its start until the day before.
func enrolmentOpen(c *store.Resource, today time.Time) error {
	switch calendar.StateOf(c.StartsOn, c.EndsOn, today) {
	case calendar.Upcoming:
		return refuse(EnrolmentClosed, "courseId", "enrolment opens on %s, %d days before the course starts on %s",
			c.StartsOn.AddDate(0, 0, -calendar.EnrolmentWindow).Format(time.DateOnly), calendar.EnrolmentWindow, c.StartsOn.Format(time.DateOnly))
	case calendar.Running:
		return refuse(EnrolmentClosed, "courseId", "the course started on %s; enrolment closed the day before", c.StartsOn.Format(time.DateOnly))
	case calendar.Ended:
		return refuse(EnrolmentClosed, "courseId", "the course ended on %s", c.EndsOn.Format(time.DateOnly))
	}
	return nil
}

var skillCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9.-]{1,31}$`)

// CreateSkill adds a skill to the taxonomy (ADMIN).
func (s *Service) CreateSkill(ctx context.Context, in CreateSkillInput) (*store.Skill, error) {
	if err := policy.Admin(auth.ViewerFrom(ctx), "change the skill taxonomy"); err != nil {
		return nil, err
	}
	var p problems
	k := &store.Skill{Code: in.Code, Category: in.Category}
	if !skillCode.MatchString(in.Code) {
		p.add(Invalid, "code", "must be 2 to 32 capitals, digits, dots or dashes, starting with a capital or digit")
	}
	k.NameEn, k.NameZh = p.bilingual("name", in.Name)
	k.Description = p.text("description", deref(in.Description), false, maxDescription)
	k.ParentID = p.optKey("parentId", relay.TypeSkill, in.ParentID)
	if err := p.err(); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(tx *store.Tx) error {
		if k.ParentID != nil {
			if err := p.exist(ctx, tx, "skill", "parentId", []int64{*k.ParentID}); err != nil || p.err() != nil {
				return errors.Join(err, p.err())
			}
		}
		id, err := tx.CreateSkill(ctx, k)
		if errors.Is(err, store.ErrDuplicate) {
			return refuse(Duplicate, "code", "another skill has the code %s", in.Code)
		}
		if err != nil {
			return err
		}
		if err := s.event(ctx, tx, "SKILL_CREATED", nil, relay.ID(relay.TypeSkill, id), map[string]any{"code": k.Code}); err != nil {
			return err
		}
		k, err = tx.Skill(ctx, id)
		return err
	})
	return k, err
}

// UpdateSkill changes a skill (ADMIN).
func (s *Service) UpdateSkill(ctx context.Context, in UpdateSkillInput) (*store.Skill, error) {
	if err := policy.Admin(auth.ViewerFrom(ctx), "change the skill taxonomy"); err != nil {
		return nil, err
	}
	var p problems
	id := p.key("id", relay.TypeSkill, in.ID)
	if err := p.err(); err != nil {
		return nil, err
	}
	var k *store.Skill
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if k, err = tx.Skill(ctx, id); err != nil {
			return err
		}
		k.Version = in.Version
		if in.Name != nil {
			k.NameEn, k.NameZh = p.bilingual("name", *in.Name)
		}
		if in.Category != nil {
			k.Category = *in.Category
		}
		if in.Description != nil {
			k.Description = p.text("description", *in.Description, false, maxDescription)
		}
		if err := p.err(); err != nil {
			return err
		}
		if err := tx.UpdateSkill(ctx, k); err != nil {
			return err
		}
		if err := s.event(ctx, tx, "SKILL_UPDATED", nil, in.ID, map[string]any{"code": k.Code}); err != nil {
			return err
		}
		k, err = tx.Skill(ctx, id)
		return err
	})
	return k, err
}

var emailShape = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// maxStartingSalary bounds a starting salary (monthly, in CNY), like the CHECK of
// migration 00018: anything above it is a typing error.
const maxStartingSalary = 200_000

// checkPerson validates a talent as it will be stored, and the organizations it names.
// major says whether the major is to be checked against the school's majors: when it or
// the school is written, not when a school has since dropped a major its former
// students keep.
func (s *Service) checkPerson(ctx context.Context, tx *store.Tx, p *problems, t *store.Person, major bool) error {
	if t.Email != nil && !emailShape.MatchString(*t.Email) {
		p.add(Invalid, "email", "is not an email address")
	}
	if t.BirthDate != nil && (t.BirthDate.After(s.today()) || t.BirthDate.Year() < 1900) {
		p.add(OutOfRange, "birthDate", "must lie between 1900 and today")
	}
	p.between("graduationYear", t.GraduationYear, 1950, 2100)
	if t.SchoolID != nil {
		if err := p.organizations(ctx, tx, "schoolId", []int64{*t.SchoolID}, store.KindSchool); err != nil {
			return err
		}
	}
	if major && t.Major != nil {
		if err := p.major(ctx, tx, t); err != nil {
			return err
		}
	}
	for _, id := range []*int64{t.EmployerID, t.PendingEmployerID} {
		if id != nil {
			if err := p.organizations(ctx, tx, "employerId", []int64{*id}, store.KindCompany); err != nil {
				return err
			}
		}
	}
	return p.err()
}

// maxMajor is the longest major, as the CHECK of migration 00018 allows.
const maxMajor = 200

// major checks that t's major is one of its school's majors; a major without a school
// names nothing. A school that does not exist or is no school has its own error.
func (p *problems) major(ctx context.Context, tx *store.Tx, t *store.Person) error {
	if t.SchoolID == nil {
		p.add(Invalid, "major", "needs a school: a major is studied at the talent's school (give schoolId)")
		return nil
	}
	o, err := tx.Organization(ctx, *t.SchoolID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	switch {
	case o.Kind != store.KindSchool:
	case len(o.Majors) == 0:
		p.add(Invalid, "major", "is not a major of the school, which lists none")
	case !slices.Contains(o.Majors, *t.Major):
		p.add(Invalid, "major", "is not a major of the school; its majors are: %s", strings.Join(o.Majors, "; "))
	}
	return nil
}

// nameEmployer makes company t's employer if v's word binds it (ADMIN, or the company
// itself); otherwise the company is only proposed and t's employer stays as it was until
// the company accepts. A school naming any company it likes as employer would otherwise
// hand that company the talent's personal data.
func (s *Service) nameEmployer(v auth.Viewer, t *store.Person, company int64) {
	switch {
	case t.EmployerID != nil && *t.EmployerID == company:
		t.PendingEmployerID, t.EmployerProposedOn = nil, nil
	case policy.Consents(v, company):
		t.EmployerID, t.PendingEmployerID, t.EmployerProposedOn = &company, nil, nil
	case t.PendingEmployerID == nil || *t.PendingEmployerID != company:
		t.PendingEmployerID, t.EmployerProposedOn = &company, ptr(s.today())
	}
}

// RegisterTalent registers a talent (ADMIN, or MEMBER for its own students and
// employees).
func (s *Service) RegisterTalent(ctx context.Context, in RegisterTalentInput) (*store.Talent, error) {
	var p problems
	t := &store.Person{Talent: store.Talent{Status: in.Status, GraduationYear: in.GraduationYear, RegisteredOn: s.today()}, BirthDate: in.BirthDate}
	t.AllianceID = p.key("allianceId", relay.TypeAlliance, in.AllianceID)
	t.FullName = p.text("fullName", in.FullName, true, maxShort)
	t.NameZh = p.text("nameZh", deref(in.NameZh), false, maxShort)
	t.Email = p.optText("email", in.Email, maxShort)
	t.Phone = p.optText("phone", in.Phone, 40)
	t.SchoolID = p.optKey("schoolId", relay.TypeOrganization, in.SchoolID)
	t.Major = p.optText("major", in.Major, maxMajor)
	t.EmployerID = p.optKey("employerId", relay.TypeOrganization, in.EmployerID)
	skills := p.skillLevels("skills", in.Skills)
	if err := p.err(); err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	if err := policy.ActFor(v, "register talents of other organizations", talentOrgs(&t.Talent)...); err != nil {
		return nil, err
	}
	if employer := t.EmployerID; employer != nil {
		t.EmployerID = nil
		s.nameEmployer(v, t, *employer)
	}
	var out *store.Talent
	err := s.tx(ctx, func(tx *store.Tx) error {
		if err := p.exist(ctx, tx, "alliance", "allianceId", []int64{t.AllianceID}); err != nil {
			return err
		}
		ids := make([]int64, len(skills))
		for i, k := range skills {
			ids[i] = k.SkillID
		}
		if err := p.exist(ctx, tx, "skill", "skills", ids); err != nil {
			return err
		}
		if err := s.checkPerson(ctx, tx, &p, t, true); err != nil {
			return err
		}
		id, err := tx.CreateTalent(ctx, t, skills)
		if err != nil {
			return err
		}
		if err := s.event(ctx, tx, store.EventTalentRegistered, &t.AllianceID, relay.ID(relay.TypeTalent, id), map[string]any{"status": t.Status}); err != nil {
			return err
		}
		pr, err := tx.Person(ctx, id)
		if err == nil {
			out = &pr.Talent
		}
		return err
	})
	return out, err
}

// UpdateTalent changes a talent (ADMIN, or the talent's school or employer).
func (s *Service) UpdateTalent(ctx context.Context, in UpdateTalentInput) (*store.Talent, error) {
	return s.changeTalent(ctx, "id", in.ID, in.Version, func(p *problems, tx *store.Tx, t *store.Person) error {
		if in.FullName != nil {
			t.FullName = p.text("fullName", *in.FullName, true, maxShort)
		}
		if in.NameZh != nil {
			t.NameZh = p.text("nameZh", *in.NameZh, false, maxShort)
		}
		if in.Email != nil {
			t.Email = p.optText("email", in.Email, maxShort)
		}
		if in.Phone != nil {
			t.Phone = p.optText("phone", in.Phone, 40)
		}
		set(&t.BirthDate, in.BirthDate)
		if in.Status != nil {
			t.Status = *in.Status
		}
		set(&t.GraduationYear, in.GraduationYear)
		if in.SchoolID != nil {
			t.SchoolID = p.optKey("schoolId", relay.TypeOrganization, in.SchoolID)
		}
		if in.Major != nil {
			t.Major = p.optText("major", in.Major, maxMajor)
		}
		if in.EmployerID != nil {
			if company := p.optKey("employerId", relay.TypeOrganization, in.EmployerID); p.err() == nil {
				s.nameEmployer(auth.ViewerFrom(ctx), t, *company)
			}
		}
		if err := p.err(); err != nil {
			return err
		}
		if err := s.checkPerson(ctx, tx, p, t, in.Major != nil || in.SchoolID != nil); err != nil {
			return err
		}
		return tx.UpdateTalent(ctx, t)
	})
}

// SetTalentSkill sets one of a talent's skills.
func (s *Service) SetTalentSkill(ctx context.Context, in SetTalentSkillInput) (*store.Talent, error) {
	return s.changeTalent(ctx, "talentId", in.TalentID, in.Version, func(p *problems, tx *store.Tx, t *store.Person) error {
		levels := p.skillLevels("skill", []SkillLevelInput{in.Skill})
		if err := p.err(); err != nil {
			return err
		}
		if err := p.exist(ctx, tx, "skill", "skill.skillId", []int64{levels[0].SkillID}); err != nil || p.err() != nil {
			return errors.Join(err, p.err())
		}
		if err := tx.Bump(ctx, "talent", t.ID, t.Version); err != nil {
			return err
		}
		return tx.SetTalentSkill(ctx, t.ID, levels[0])
	})
}

// RemoveTalentSkill removes one of a talent's skills.
func (s *Service) RemoveTalentSkill(ctx context.Context, in RemoveTalentSkillInput) (*store.Talent, error) {
	return s.changeTalent(ctx, "talentId", in.TalentID, in.Version, func(p *problems, tx *store.Tx, t *store.Person) error {
		skill := p.key("skillId", relay.TypeSkill, in.SkillID)
		if err := p.err(); err != nil {
			return err
		}
		if err := tx.Bump(ctx, "talent", t.ID, t.Version); err != nil {
			return err
		}
		had, err := tx.RemoveTalentSkill(ctx, t.ID, skill)
		if err == nil && !had {
			return refuse(NotFound, "skillId", "the talent does not hold this skill")
		}
		return err
	})
}

// changeTalent reads a talent, checks the caller acts for its school or employer, and
// lets apply write the change; then it records the event.
func (s *Service) changeTalent(ctx context.Context, field, gid string, version int, apply func(*problems, *store.Tx, *store.Person) error) (*store.Talent, error) {
	var p problems
	id := p.key(field, relay.TypeTalent, gid)
	if err := p.err(); err != nil {
		return nil, err
	}
	var out *store.Talent
	err := s.tx(ctx, func(tx *store.Tx) error {
		t, err := tx.Person(ctx, id)
		if err != nil {
			return err
		}
		if err := policy.ActFor(auth.ViewerFrom(ctx), "change talents of other organizations", talentOrgs(&t.Talent)...); err != nil {
			return err
		}
		t.Version = version
		if err := apply(&p, tx, t); err != nil {
			return err
		}
		if err := s.event(ctx, tx, store.EventTalentUpdated, &t.AllianceID, gid, nil); err != nil {
			return err
		}
		pr, err := tx.Person(ctx, id)
		if err == nil {
			out = &pr.Talent
		}
		return err
	})
	return out, err
}

// AcceptEmployment makes the company named as a talent's employer its employer (ADMIN,
// or a member acting for that company). Only then does the company see the talent's
// personal data and act for the talent.
func (s *Service) AcceptEmployment(ctx context.Context, in AnswerEmploymentInput) (*store.Talent, error) {
	return s.answerEmployment(ctx, in, true)
}

// DeclineEmployment drops the company named as a talent's employer (ADMIN, or a member
// acting for that company); the talent's employer stays as it was.
func (s *Service) DeclineEmployment(ctx context.Context, in AnswerEmploymentInput) (*store.Talent, error) {
	return s.answerEmployment(ctx, in, false)
}

func (s *Service) answerEmployment(ctx context.Context, in AnswerEmploymentInput, accept bool) (*store.Talent, error) {
	var p problems
	id := p.key("talentId", relay.TypeTalent, in.TalentID)
	if err := p.err(); err != nil {
		return nil, err
	}
	var out *store.Talent
	err := s.tx(ctx, func(tx *store.Tx) error {
		t, err := tx.Person(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(NotFound, "talentId", "no talent has this ID")
		} else if err != nil {
			return err
		}
		v := auth.ViewerFrom(ctx)
		var company []int64
		if t.PendingEmployerID != nil {
			company = append(company, *t.PendingEmployerID)
		}
		if err := policy.ActFor(v, "answer for a company not named as this talent's employer", company...); err != nil {
			return err
		}
		if len(company) == 0 {
			return refuse(NotFound, "talentId", "no company named as this talent's employer is waiting for an answer")
		}
		kind := store.EventEmploymentDeclined
		if accept {
			kind = store.EventEmploymentAccepted
			t.EmployerID = t.PendingEmployerID
		}
		t.PendingEmployerID, t.EmployerProposedOn = nil, nil
		t.Version = in.Version
		if err := tx.UpdateTalent(ctx, t); err != nil {
			return err
		}
		if err := s.event(ctx, tx, kind, &t.AllianceID, in.TalentID, map[string]any{"employer": relay.ID(relay.TypeOrganization, company[0])}); err != nil {
			return err
		}
		pr, err := tx.Person(ctx, id)
		if err == nil {
			out = &pr.Talent
		}
		return err
	})
	return out, err
}
