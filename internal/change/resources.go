package change

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/booking"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// ShareTrainingFacilityInput shares a facility.
type ShareTrainingFacilityInput struct {
	AllianceID       string
	ProviderID       string
	Title            Bilingual
	Description      *string
	SharedWith       []string
	TrainingCenterID *string
	Capacity         int
	Address          *string
	Equipment        []string
	OpeningHours     []OpeningHoursInput
}

// OpeningHoursInput is one stretch of a facility's week.
type OpeningHoursInput struct {
	Day           booking.Day
	Opens, Closes string
}

// UpdateTrainingFacilityInput changes a facility.
type UpdateTrainingFacilityInput struct {
	ID           string
	Version      int
	Title        *Bilingual
	Description  *string
	SharedWith   []string
	Capacity     *int
	Address      *string
	Equipment    []string
	OpeningHours []OpeningHoursInput
}

// PostJobOpeningInput posts an opening.
type PostJobOpeningInput struct {
	AllianceID     string
	ProviderID     string
	Title          Bilingual
	Description    *string
	SharedWith     []string
	Positions      int
	SalaryMin      *int
	SalaryMax      *int
	EmploymentType store.EmploymentType
	ClosesOn       *time.Time
	RequiredSkills []SkillLevelInput
}

// UpdateJobOpeningInput changes an opening.
type UpdateJobOpeningInput struct {
	ID             string
	Version        int
	Title          *Bilingual
	Description    *string
	SharedWith     []string
	Positions      *int
	SalaryMin      *int
	SalaryMax      *int
	EmploymentType *store.EmploymentType
	ClosesOn       *time.Time
	RequiredSkills []SkillLevelInput
}

// CloseJobOpeningInput closes an opening.
type CloseJobOpeningInput struct {
	ID      string
	Version int
}

// ShareTeacherInput shares a teacher.
type ShareTeacherInput struct {
	AllianceID        string
	ProviderID        string
	Title             Bilingual
	Description       *string
	SharedWith        []string
	Name              string
	ProfessionalTitle *string
	DualQualified     bool
	YearsExperience   *int
	Expertise         []SkillLevelInput
}

// UpdateTeacherInput changes a teacher.
type UpdateTeacherInput struct {
	ID                string
	Version           int
	Title             *Bilingual
	Description       *string
	SharedWith        []string
	Name              *string
	ProfessionalTitle *string
	DualQualified     *bool
	YearsExperience   *int
	Expertise         []SkillLevelInput
}

// ShareTrainingCourseInput shares a course.
type ShareTrainingCourseInput struct {
	AllianceID       string
	ProviderID       string
	Title            Bilingual
	Description      *string
	SharedWith       []string
	TrainingCenterID *string
	Hours            int
	Seats            int
	StartsOn         *time.Time
	EndsOn           *time.Time
	FacilityID       *string
	TeacherIds       []string
	Skills           []SkillLevelInput
	// Meetings are the class meetings the facility is booked for.
	Meetings []booking.Period
}

// UpdateTrainingCourseInput changes a course.
type UpdateTrainingCourseInput struct {
	ID          string
	Version     int
	Title       *Bilingual
	Description *string
	SharedWith  []string
	Hours       *int
	Seats       *int
	StartsOn    *time.Time
	EndsOn      *time.Time
	TeacherIds  []string
	Skills      []SkillLevelInput
	// Meetings, when given, replace the course's meetings that have not started.
	Meetings []booking.Period
}

// RecordCompetitionResultInput records a result.
type RecordCompetitionResultInput struct {
	AllianceID  string
	ProviderID  string
	Title       Bilingual
	Description *string
	// CompetitionID is the edition the result is from; its name and level then come
	// from the edition, and Competition and Level may be omitted.
	CompetitionID *string
	Competition   *string
	Level         *store.CompetitionLevel
	Award         store.Award
	AwardedOn     time.Time
	Rank          *int
	Score         *float64
	TalentID      *string
	SkillID       *string
}

// UpdateCompetitionResultInput changes a result.
type UpdateCompetitionResultInput struct {
	ID          string
	Version     int
	Title       *Bilingual
	Description *string
	Award       *store.Award
	AwardedOn   *time.Time
	Rank        *int
	Score       *float64
}

// WithdrawResourceInput withdraws a resource.
type WithdrawResourceInput struct {
	ID      string
	Version int
}

// related are the rows a resource links to besides itself.
type related struct {
	shares     []int64 // nil: shared with all
	setShares  bool
	skills     []store.SkillLevel
	setSkills  bool
	teachers   []int64
	setTeacher bool
	// meetings are a course's class meetings, booked in its facility: a new course's,
	// or, with replaceMeetings, those replacing a course's meetings yet to start.
	meetings        []booking.Period
	replaceMeetings bool
}

// base reads the fields every shared resource has.
func (p *problems) base(r *store.Resource, alliance, provider string, title Bilingual, description *string, sharedWith []string, rel *related) {
	r.AllianceID = p.key("allianceId", relay.TypeAlliance, alliance)
	r.ProviderID = p.key("providerId", relay.TypeOrganization, provider)
	r.TitleEn, r.TitleZh = p.bilingual("title", title)
	r.Description = p.text("description", deref(description), false, maxDescription)
	p.shares(r, sharedWith, rel)
}

func (p *problems) shares(r *store.Resource, sharedWith []string, rel *related) {
	if sharedWith == nil {
		r.SharedWithAll = true
		return
	}
	rel.shares = p.keys("sharedWith", relay.TypeOrganization, sharedWith)
	rel.setShares = true
	r.SharedWithAll = len(rel.shares) == 0
}

// checkResource validates r as it will be stored.
func (p *problems) checkResource(r *store.Resource) {
	switch r.Category {
	case store.CategoryFacility:
		p.between("capacity", r.Capacity, 1, 100_000)
	case store.CategoryJob:
		p.between("positions", r.Positions, 1, 10_000)
		p.between("salaryMin", r.SalaryMin, 0, 10_000_000)
		p.between("salaryMax", r.SalaryMax, 0, 10_000_000)
		if r.SalaryMin != nil && r.SalaryMax != nil && *r.SalaryMax < *r.SalaryMin {
			p.add(OutOfRange, "salaryMax", "is below salaryMin")
		}
		if r.Positions != nil && r.Filled != nil && *r.Positions < *r.Filled {
			p.add(OutOfRange, "positions", "cannot drop below the %d positions already filled", *r.Filled)
		}
	case store.CategoryTeacher:
		p.between("yearsExperience", r.YearsExperience, 0, 70)
	case store.CategoryCourse:
		p.between("hours", r.Hours, 1, 10_000)
		p.between("seats", r.Seats, 1, 10_000)
		p.ordered("endsOn", r.StartsOn, r.EndsOn)
		if r.Seats != nil && r.Enrolled != nil && *r.Seats < *r.Enrolled {
			p.add(OutOfRange, "seats", "cannot drop below the %d seats taken", *r.Enrolled)
		}
	}
}

// checkRelated checks, in the transaction, that everything r and rel name exists.
func (p *problems) checkRelated(ctx context.Context, tx *store.Tx, r *store.Resource, rel *related) error {
	checks := []func() error{
		func() error { return p.exist(ctx, tx, "alliance", "allianceId", []int64{r.AllianceID}) },
		func() error { return p.organizations(ctx, tx, "providerId", []int64{r.ProviderID}) },
		func() error { return p.organizations(ctx, tx, "sharedWith", rel.shares) },
		func() error {
			if r.TrainingCenterID == nil {
				return nil
			}
			return p.exist(ctx, tx, "training_center", "trainingCenterId", []int64{*r.TrainingCenterID})
		},
		func() error {
			ids := make([]int64, len(rel.skills))
			for i, s := range rel.skills {
				ids[i] = s.SkillID
			}
			return p.exist(ctx, tx, "skill", skillsField(r.Category), ids)
		},
		func() error { return p.category(ctx, tx, store.CategoryTeacher, "teacherIds", rel.teachers, false) },
		func() error {
			if r.FacilityID == nil {
				return nil
			}
			return p.category(ctx, tx, store.CategoryFacility, "facilityId", []int64{*r.FacilityID}, true)
		},
		func() error {
			if r.TalentID == nil {
				return nil
			}
			return p.exist(ctx, tx, "talent", "talentId", []int64{*r.TalentID})
		},
		func() error {
			if r.SkillID == nil {
				return nil
			}
			return p.exist(ctx, tx, "skill", "skillId", []int64{*r.SkillID})
		},
		func() error { return p.edition(ctx, tx, r) },
	}
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return p.err()
}

// edition takes a result's competition name and level from the edition it names, and
// checks that the edition is of the result's alliance and had started when awarded.
func (p *problems) edition(ctx context.Context, tx *store.Tx, r *store.Resource) error {
	if r.CompetitionID == nil {
		return nil
	}
	c, err := tx.Competition(ctx, *r.CompetitionID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.add(NotFound, "competitionId", "no competition has this ID")
		return nil
	case err != nil:
		return err
	case c.AllianceID != r.AllianceID:
		p.add(Invalid, "competitionId", "is an edition of another alliance")
	case r.AwardedOn != nil && r.AwardedOn.Before(c.StartsOn):
		p.add(OutOfRange, "awardedOn", "is before the edition's first day, %s", c.StartsOn.Format(time.DateOnly))
	}
	r.Competition, r.CompetitionLevel = &c.NameEn, &c.Level
	return nil
}

// score reads a result's score: 0 to 99,999.99, as the column holds.
func (p *problems) score(s *float64) *float64 {
	if s != nil && (*s < 0 || *s >= 100_000 || math.IsNaN(*s)) {
		p.add(OutOfRange, "score", "must be between 0 and 99,999.99 (got %g)", *s)
	}
	return s
}

func skillsField(c store.ResourceCategory) string {
	switch c {
	case store.CategoryJob:
		return "requiredSkills"
	case store.CategoryTeacher:
		return "expertise"
	}
	return "skills"
}

// category checks that ids, the list at field, are resources of category c that the
// caller may see. A list of one given as a single ID (single) is named by field alone.
func (p *problems) category(ctx context.Context, tx *store.Tx, c store.ResourceCategory, field string, ids []int64, single bool) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := tx.ResourcesOfCategory(ctx, resourceScope(ctx), c, ids)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if !found[id] {
			at := fmt.Sprintf("%s.%d", field, i)
			if single {
				at = field
			}
			p.add(NotFound, at, "no %s has this ID", c)
		}
	}
	return nil
}

// share creates a resource of any category with its links and event.
func (s *Service) share(ctx context.Context, p *problems, r *store.Resource, rel *related) (*store.Resource, error) {
	r.SharedOn = s.today()
	s.followDates(r)
	p.checkResource(r)
	if err := p.err(); err != nil {
		return nil, err
	}
	if err := policy.ActFor(auth.ViewerFrom(ctx), "share resources", r.ProviderID); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(tx *store.Tx) error {
		if err := p.checkRelated(ctx, tx, r, rel); err != nil {
			return err
		}
		id, err := tx.CreateResource(ctx, r)
		if err != nil {
			return err
		}
		if err := s.link(ctx, tx, id, rel); err != nil {
			return err
		}
		r.ID = id
		if err := s.bookMeetings(ctx, tx, r, rel.meetings); err != nil {
			return err
		}
		kind := store.EventKind("RESOURCE_SHARED")
		if r.Category == store.CategoryResult {
			kind = "RESULT_RECORDED"
		}
		r.ID = id
		if err := s.eventAbout(ctx, tx, kind, relay.ID(relay.TypeResource, id), r, map[string]any{"category": r.Category}); err != nil {
			return err
		}
		r, err = tx.Resource(ctx, resourceScope(ctx), id)
		return err
	})
	return r, err
}

func (s *Service) link(ctx context.Context, tx *store.Tx, id int64, rel *related) error {
	if rel.setShares {
		if err := tx.ReplaceShares(ctx, id, rel.shares); err != nil {
			return err
		}
	}
	if rel.setSkills {
		if err := tx.ReplaceResourceSkills(ctx, id, rel.skills); err != nil {
			return err
		}
	}
	if rel.setTeacher {
		if err := tx.ReplaceCourseTeachers(ctx, id, rel.teachers); err != nil {
			return err
		}
	}
	return nil
}

// changeResource reads a resource of category c, checks the caller acts for its
// provider, lets apply change it, and writes it with its links and event.
func (s *Service) changeResource(ctx context.Context, gid string, version int, c store.ResourceCategory,
	apply func(*problems, *store.Resource, *related) store.EventKind) (*store.Resource, error) {
	var p problems
	id := p.key("id", relay.TypeResource, gid)
	if err := p.err(); err != nil {
		return nil, err
	}
	var r *store.Resource
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.LockResource(ctx, resourceScope(ctx), id); err != nil {
			return err
		}
		if c != "" && r.Category != c {
			return refuse(Invalid, "id", "is the ID of a %s, not of a %s", r.Category, c)
		}
		if err := policy.ActFor(auth.ViewerFrom(ctx), "change resources", r.ProviderID); err != nil {
			return err
		}
		if r.WithdrawnOn != nil {
			p.add(InvalidTransition, "id", "was withdrawn on %s", r.WithdrawnOn.Format(time.DateOnly))
		}
		r.Version = version
		rel := &related{}
		kind := apply(&p, r, rel)
		announced := r.CourseState
		s.followDates(r)
		p.checkResource(r)
		if err := p.err(); err != nil {
			return err
		}
		if err := p.checkRelated(ctx, tx, r, rel); err != nil {
			return err
		}
		if err := tx.UpdateResource(ctx, r); err != nil {
			return err
		}
		if err := s.link(ctx, tx, id, rel); err != nil {
			return err
		}
		if err := s.eventAbout(ctx, tx, kind, gid, r, map[string]any{"category": r.Category}); err != nil {
			return err
		}
		if err := s.followBookings(ctx, tx, r, rel); err != nil {
			return err
		}
		// New dates may move a course to another state: announced now, as the calendar
		// would at its next run.
		if announced != nil && r.CourseState != nil && *announced != *r.CourseState {
			if err := s.eventAbout(ctx, tx, store.EventCourseStateChanged, gid, r, courseMove(*announced, *r.CourseState)); err != nil {
				return err
			}
		}
		r, err = tx.Resource(ctx, resourceScope(ctx), id)
		return err
	})
	return r, err
}

// followDates keeps a course's announced state (course_state) that of its dates today,
// as the calendar job does, so that it does not announce again what a change did. A
// withdrawn course is left as it was: the calendar follows none.
func (s *Service) followDates(r *store.Resource) {
	if r.Category == store.CategoryCourse && r.WithdrawnOn == nil {
		r.CourseState = ptr(calendar.StateOf(r.StartsOn, r.EndsOn, s.today()))
	}
}

func (rel *related) setSkillLevels(p *problems, field string, in []SkillLevelInput) {
	if in != nil {
		rel.skills = p.skillLevels(field, in)
		rel.setSkills = true
	}
}

func updateTexts(p *problems, r *store.Resource, rel *related, title *Bilingual, description *string, sharedWith []string) {
	if title != nil {
		r.TitleEn, r.TitleZh = p.bilingual("title", *title)
	}
	if description != nil {
		r.Description = p.text("description", *description, false, maxDescription)
	}
	if sharedWith != nil {
		p.shares(r, sharedWith, rel)
	}
}

// ShareTrainingFacility shares a facility (ADMIN, or MEMBER for its own).
func (s *Service) ShareTrainingFacility(ctx context.Context, in ShareTrainingFacilityInput) (*store.Resource, error) {
	var p problems
	rel := &related{}
	r := &store.Resource{Category: store.CategoryFacility, Capacity: &in.Capacity}
	p.base(r, in.AllianceID, in.ProviderID, in.Title, in.Description, in.SharedWith, rel)
	r.TrainingCenterID = p.optKey("trainingCenterId", relay.TypeTrainingCenter, in.TrainingCenterID)
	r.Address = p.optText("address", in.Address, maxName)
	r.Equipment = p.texts("equipment", in.Equipment, maxShort)
	r.OpeningHours = p.openingHours("openingHours", in.OpeningHours)
	return s.share(ctx, &p, r, rel)
}

// UpdateTrainingFacility changes a facility.
func (s *Service) UpdateTrainingFacility(ctx context.Context, in UpdateTrainingFacilityInput) (*store.Resource, error) {
	return s.changeResource(ctx, in.ID, in.Version, store.CategoryFacility, func(p *problems, r *store.Resource, rel *related) store.EventKind {
		updateTexts(p, r, rel, in.Title, in.Description, in.SharedWith)
		set(&r.Capacity, in.Capacity)
		if in.Address != nil {
			r.Address = p.optText("address", in.Address, maxName)
		}
		if in.Equipment != nil {
			r.Equipment = p.texts("equipment", in.Equipment, maxShort)
		}
		if in.OpeningHours != nil {
			r.OpeningHours = p.openingHours("openingHours", in.OpeningHours)
		}
		return "RESOURCE_UPDATED"
	})
}

// PostJobOpening posts an opening (ADMIN, or MEMBER for its own).
func (s *Service) PostJobOpening(ctx context.Context, in PostJobOpeningInput) (*store.Resource, error) {
	var p problems
	rel := &related{}
	r := &store.Resource{Category: store.CategoryJob, Positions: &in.Positions, Filled: ptr(0), SalaryMin: in.SalaryMin, SalaryMax: in.SalaryMax,
		EmploymentType: &in.EmploymentType, OpeningStatus: ptr(store.JobOpeningStatus("OPEN")), ClosesOn: in.ClosesOn}
	p.base(r, in.AllianceID, in.ProviderID, in.Title, in.Description, in.SharedWith, rel)
	if in.ClosesOn != nil && in.ClosesOn.Before(s.today()) {
		p.add(OutOfRange, "closesOn", "is in the past")
	}
	rel.setSkillLevels(&p, "requiredSkills", in.RequiredSkills)
	return s.share(ctx, &p, r, rel)
}

// UpdateJobOpening changes an opening.
func (s *Service) UpdateJobOpening(ctx context.Context, in UpdateJobOpeningInput) (*store.Resource, error) {
	return s.changeResource(ctx, in.ID, in.Version, store.CategoryJob, func(p *problems, r *store.Resource, rel *related) store.EventKind {
		updateTexts(p, r, rel, in.Title, in.Description, in.SharedWith)
		set(&r.Positions, in.Positions)
		set(&r.SalaryMin, in.SalaryMin)
		set(&r.SalaryMax, in.SalaryMax)
		set(&r.EmploymentType, in.EmploymentType)
		set(&r.ClosesOn, in.ClosesOn)
		rel.setSkillLevels(p, "requiredSkills", in.RequiredSkills)
		// More positions reopen a filled opening; fewer cannot undo hires (checked).
		if in.Positions != nil && deref(r.OpeningStatus) == "FILLED" && *in.Positions > deref(r.Filled) {
			r.OpeningStatus = ptr(store.JobOpeningStatus("OPEN"))
		}
		if in.Positions != nil && deref(r.OpeningStatus) == "OPEN" && *in.Positions == deref(r.Filled) {
			r.OpeningStatus = ptr(store.JobOpeningStatus("FILLED"))
		}
		return "RESOURCE_UPDATED"
	})
}

// CloseJobOpening closes an opening to applications.
func (s *Service) CloseJobOpening(ctx context.Context, in CloseJobOpeningInput) (*store.Resource, error) {
	return s.changeResource(ctx, in.ID, in.Version, store.CategoryJob, func(p *problems, r *store.Resource, rel *related) store.EventKind {
		if deref(r.OpeningStatus) != "OPEN" {
			p.add(InvalidTransition, "id", "the opening is %s, not OPEN", deref(r.OpeningStatus))
		}
		r.OpeningStatus = ptr(store.JobOpeningStatus("CLOSED"))
		return "OPENING_CLOSED"
	})
}

// ShareTeacher shares a teacher (ADMIN, or MEMBER for its own).
func (s *Service) ShareTeacher(ctx context.Context, in ShareTeacherInput) (*store.Resource, error) {
	var p problems
	rel := &related{}
	r := &store.Resource{Category: store.CategoryTeacher, DualQualified: &in.DualQualified, YearsExperience: in.YearsExperience}
	p.base(r, in.AllianceID, in.ProviderID, in.Title, in.Description, in.SharedWith, rel)
	r.TeacherName = ptr(p.text("name", in.Name, true, maxShort))
	r.TeacherTitle = p.optText("professionalTitle", in.ProfessionalTitle, maxShort)
	rel.setSkillLevels(&p, "expertise", in.Expertise)
	return s.share(ctx, &p, r, rel)
}

// UpdateTeacher changes a teacher.
func (s *Service) UpdateTeacher(ctx context.Context, in UpdateTeacherInput) (*store.Resource, error) {
	return s.changeResource(ctx, in.ID, in.Version, store.CategoryTeacher, func(p *problems, r *store.Resource, rel *related) store.EventKind {
		updateTexts(p, r, rel, in.Title, in.Description, in.SharedWith)
		if in.Name != nil {
			r.TeacherName = ptr(p.text("name", *in.Name, true, maxShort))
		}
		if in.ProfessionalTitle != nil {
			r.TeacherTitle = p.optText("professionalTitle", in.ProfessionalTitle, maxShort)
		}
		set(&r.DualQualified, in.DualQualified)
		set(&r.YearsExperience, in.YearsExperience)
		rel.setSkillLevels(p, "expertise", in.Expertise)
		return "RESOURCE_UPDATED"
	})
}

// ShareTrainingCourse shares a course (ADMIN, or MEMBER for its own).
func (s *Service) ShareTrainingCourse(ctx context.Context, in ShareTrainingCourseInput) (*store.Resource, error) {
	var p problems
	rel := &related{}
	r := &store.Resource{Category: store.CategoryCourse, Hours: &in.Hours, Seats: &in.Seats, Enrolled: ptr(0), StartsOn: in.StartsOn, EndsOn: in.EndsOn}
	p.base(r, in.AllianceID, in.ProviderID, in.Title, in.Description, in.SharedWith, rel)
	r.TrainingCenterID = p.optKey("trainingCenterId", relay.TypeTrainingCenter, in.TrainingCenterID)
	r.FacilityID = p.optKey("facilityId", relay.TypeResource, in.FacilityID)
	if in.TeacherIds != nil {
		rel.teachers, rel.setTeacher = p.keys("teacherIds", relay.TypeResource, in.TeacherIds), true
	}
	rel.setSkillLevels(&p, "skills", in.Skills)
	rel.meetings = p.meetings(in.Meetings, in.FacilityID != nil, in.StartsOn, in.EndsOn, s.now())
	return s.share(ctx, &p, r, rel)
}

// UpdateTrainingCourse changes a course.
func (s *Service) UpdateTrainingCourse(ctx context.Context, in UpdateTrainingCourseInput) (*store.Resource, error) {
	return s.changeResource(ctx, in.ID, in.Version, store.CategoryCourse, func(p *problems, r *store.Resource, rel *related) store.EventKind {
		updateTexts(p, r, rel, in.Title, in.Description, in.SharedWith)
		set(&r.Hours, in.Hours)
		set(&r.Seats, in.Seats)
		set(&r.StartsOn, in.StartsOn)
		set(&r.EndsOn, in.EndsOn)
		if in.TeacherIds != nil {
			rel.teachers, rel.setTeacher = p.keys("teacherIds", relay.TypeResource, in.TeacherIds), true
		}
		rel.setSkillLevels(p, "skills", in.Skills)
		if in.Meetings != nil {
			rel.meetings = p.meetings(in.Meetings, r.FacilityID != nil, r.StartsOn, r.EndsOn, s.now())
			rel.replaceMeetings = true
		}
		return "RESOURCE_UPDATED"
	})
}

// RecordCompetitionResult records a result (ADMIN, or MEMBER for its own).
func (s *Service) RecordCompetitionResult(ctx context.Context, in RecordCompetitionResultInput) (*store.Resource, error) {
	var p problems
	rel := &related{}
	r := &store.Resource{Category: store.CategoryResult, CompetitionLevel: in.Level, Award: &in.Award, AwardedOn: &in.AwardedOn,
		Rank: p.between("rank", in.Rank, 1, 10_000), Score: p.score(in.Score)}
	p.base(r, in.AllianceID, in.ProviderID, in.Title, in.Description, nil, rel)
	if in.CompetitionID != nil {
		// The name and level are the edition's, read with it in the transaction.
		r.CompetitionID = p.optKey("competitionId", relay.TypeCompetition, in.CompetitionID)
	} else {
		r.Competition = ptr(p.text("competition", deref(in.Competition), true, maxName))
		if in.Level == nil {
			p.add(Required, "level", "is required without competitionId")
		}
	}
	r.TalentID = p.optKey("talentId", relay.TypeTalent, in.TalentID)
	r.SkillID = p.optKey("skillId", relay.TypeSkill, in.SkillID)
	if in.AwardedOn.After(s.today()) {
		p.add(OutOfRange, "awardedOn", "is in the future")
	}
	return s.share(ctx, &p, r, rel)
}

// UpdateCompetitionResult changes a result.
func (s *Service) UpdateCompetitionResult(ctx context.Context, in UpdateCompetitionResultInput) (*store.Resource, error) {
	return s.changeResource(ctx, in.ID, in.Version, store.CategoryResult, func(p *problems, r *store.Resource, rel *related) store.EventKind {
		updateTexts(p, r, rel, in.Title, in.Description, nil)
		set(&r.Award, in.Award)
		set(&r.AwardedOn, in.AwardedOn)
		set(&r.Rank, p.between("rank", in.Rank, 1, 10_000))
		set(&r.Score, p.score(in.Score))
		return "RESOURCE_UPDATED"
	})
}

// WithdrawResource withdraws a resource of any category.
func (s *Service) WithdrawResource(ctx context.Context, in WithdrawResourceInput) (*store.Resource, error) {
	return s.changeResource(ctx, in.ID, in.Version, "", func(p *problems, r *store.Resource, rel *related) store.EventKind {
		r.WithdrawnOn = ptr(s.today())
		if r.Category == store.CategoryJob && deref(r.OpeningStatus) == "OPEN" {
			r.OpeningStatus = ptr(store.JobOpeningStatus("CLOSED"))
		}
		return "RESOURCE_WITHDRAWN"
	})
}
