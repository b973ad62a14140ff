package change

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/competition"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// ScheduleCompetitionInput puts a competition edition on the alliance's calendar.
type ScheduleCompetitionInput struct {
	AllianceID *string
	Name       Bilingual
	Level      store.CompetitionLevel
	StartsOn   time.Time
	EndsOn     time.Time
	Venue      *Bilingual
	// OrganizerID is the member organizing it; a MEMBER's own organization when omitted.
	OrganizerID          *string
	RegistrationDeadline *time.Time
	SkillIDs             []string
}

// UpdateCompetitionInput changes an edition; nil fields stay as they are.
type UpdateCompetitionInput struct {
	ID                   string
	Version              int
	Name                 *Bilingual
	Level                *store.CompetitionLevel
	StartsOn             *time.Time
	EndsOn               *time.Time
	Venue                *Bilingual
	RegistrationDeadline *time.Time
	SkillIDs             []string
}

// RegisterForCompetitionInput enters a talent in an edition.
type RegisterForCompetitionInput struct {
	CompetitionID string
	TalentID      string
	// OrganizationID is the member entering the talent; a MEMBER's own when omitted.
	OrganizationID *string
	SkillID        *string
}

// WithdrawCompetitionRegistrationInput withdraws an entry.
type WithdrawCompetitionRegistrationInput struct {
	ID      string
	Version int
}

// checkDays records what is wrong with an edition's days at their input fields.
func (p *problems) checkDays(c *store.Competition, today time.Time, changed func(string) bool) {
	for _, problem := range competition.Check(c.Days(), today, changed) {
		code := OutOfRange
		if problem.OutOfOrder {
			code = DatesOutOfOrder
		}
		p.add(code, problem.Field, "%s", problem.Message)
	}
}

func (p *problems) venue(c *store.Competition, in *Bilingual) {
	if in != nil {
		en, zh := p.text("venue.en", in.En, true, maxName), p.text("venue.zh", in.Zh, true, maxName)
		c.VenueEn, c.VenueZh = &en, &zh
	}
}

// ScheduleCompetition puts an edition on the calendar: ADMIN for any organizer (or
// none), a MEMBER for itself.
func (s *Service) ScheduleCompetition(ctx context.Context, in ScheduleCompetitionInput) (*store.Competition, error) {
	v := auth.ViewerFrom(ctx)
	var p problems
	c := &store.Competition{Level: in.Level, StartsOn: in.StartsOn, HeldOn: in.EndsOn, RegistrationDeadline: in.RegistrationDeadline, CreatedBy: ptr(actor(v))}
	c.NameEn, c.NameZh = p.bilingual("name", in.Name)
	p.venue(c, in.Venue)
	if in.AllianceID != nil {
		c.AllianceID = p.key("allianceId", relay.TypeAlliance, *in.AllianceID)
	}
	switch {
	case in.OrganizerID != nil:
		c.OrganizerID = ptr(p.key("organizerId", relay.TypeOrganization, *in.OrganizerID))
	case v.Role == auth.RoleMember:
		c.OrganizerID = ptr(v.OrganizationID)
	}
	skills := p.keys("skillIds", relay.TypeSkill, in.SkillIDs)
	p.checkDays(c, s.today(), func(string) bool { return true })
	if err := p.err(); err != nil {
		return nil, err
	}
	if c.OrganizerID == nil {
		if err := policy.Admin(v, "schedule competitions without an organizer"); err != nil {
			return nil, err
		}
	} else if err := policy.ActFor(v, "schedule competitions", *c.OrganizerID); err != nil {
		return nil, err
	}
	if c.AllianceID == 0 {
		a, err := s.store.FirstAlliance(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return nil, refuse(NotFound, "allianceId", "this server holds no alliance yet")
		} else if err != nil {
			return nil, err
		}
		c.AllianceID = a.ID
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := p.exist(ctx, tx, "alliance", "allianceId", []int64{c.AllianceID}); err != nil {
			return err
		}
		if c.OrganizerID != nil {
			if err := p.organizations(ctx, tx, "organizerId", []int64{*c.OrganizerID}); err != nil {
				return err
			}
		}
		if err := p.exist(ctx, tx, "skill", "skillIds", skills); err != nil {
			return err
		}
		if err := p.err(); err != nil {
			return err
		}
		// A retry of the same request finds the edition the first made and writes nothing,
		// even while the first is still being written.
		if err := tx.LockCompetitionName(ctx, c.AllianceID, c.NameEn, c.HeldOn); err != nil {
			return err
		}
		prior, err := tx.CompetitionNamed(ctx, c.AllianceID, c.NameEn, c.HeldOn)
		switch {
		case err == nil:
			same, err := sameEdition(ctx, tx, prior, c, skills)
			if err != nil || !same {
				if err == nil {
					err = refuse(Duplicate, "name.en", "the alliance has an edition named %q ending on %s: change it with updateCompetition",
						c.NameEn, c.HeldOn.Format(time.DateOnly))
				}
				return err
			}
			c = prior
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		id, err := tx.CreateCompetition(ctx, c, skills)
		if errors.Is(err, store.ErrDuplicate) {
			return refuse(Duplicate, "name.en", "the alliance has an edition named %q ending on %s", c.NameEn, c.HeldOn.Format(time.DateOnly))
		} else if err != nil {
			return err
		}
		if err := s.event(ctx, tx, store.EventCompetitionScheduled, &c.AllianceID, relay.ID(relay.TypeCompetition, id), map[string]any{
			"level": c.Level, "startsOn": c.StartsOn.Format(time.DateOnly), "endsOn": c.HeldOn.Format(time.DateOnly),
		}); err != nil {
			return err
		}
		c, err = tx.Competition(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// sameEdition reports whether prior is the edition c and skills describe: a retry.
func sameEdition(ctx context.Context, tx *store.Tx, prior, c *store.Competition, skills []int64) (bool, error) {
	if prior.NameZh != c.NameZh || prior.Level != c.Level || !prior.StartsOn.Equal(c.StartsOn) || !equalPtr(prior.VenueEn, c.VenueEn) ||
		!equalPtr(prior.VenueZh, c.VenueZh) || !equalPtr(prior.OrganizerID, c.OrganizerID) || !equalDay(prior.RegistrationDeadline, c.RegistrationDeadline) {
		return false, nil
	}
	held, err := tx.CompetitionSkillIDs(ctx, prior.ID)
	if err != nil {
		return false, err
	}
	want := slices.Clone(skills)
	slices.Sort(want)
	return slices.Equal(held, want), nil
}

func equalPtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func equalDay(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }

// UpdateCompetition changes an edition that has not ended: ADMIN, or the organizer.
func (s *Service) UpdateCompetition(ctx context.Context, in UpdateCompetitionInput) (*store.Competition, error) {
	var p problems
	id := p.key("id", relay.TypeCompetition, in.ID)
	var skills []int64
	if in.SkillIDs != nil {
		skills = p.keys("skillIds", relay.TypeSkill, in.SkillIDs)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	var c *store.Competition
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = tx.LockCompetition(ctx, id); err != nil {
			return err
		}
		if c.OrganizerID == nil {
			err = policy.Admin(v, "change competitions without an organizer")
		} else {
			err = policy.ActFor(v, "change competitions", *c.OrganizerID)
		}
		if err != nil {
			return err
		}
		today := s.today()
		if c.HeldOn.Before(today) {
			return refuse(InvalidTransition, "id", "ended on %s: its record stands as held", c.HeldOn.Format(time.DateOnly))
		}
		c.Version = in.Version
		var fields []string
		given := func(field string, ok bool) {
			if ok {
				fields = append(fields, field)
			}
		}
		if in.Name != nil {
			c.NameEn, c.NameZh = p.bilingual("name", *in.Name)
		}
		given("name", in.Name != nil)
		if in.Level != nil {
			c.Level = *in.Level
		}
		given("level", in.Level != nil)
		if in.StartsOn != nil {
			c.StartsOn = *in.StartsOn
		}
		given("startsOn", in.StartsOn != nil)
		if in.EndsOn != nil {
			c.HeldOn = *in.EndsOn
		}
		given("endsOn", in.EndsOn != nil)
		p.venue(c, in.Venue)
		given("venue", in.Venue != nil)
		set(&c.RegistrationDeadline, in.RegistrationDeadline)
		given("registrationDeadline", in.RegistrationDeadline != nil)
		given("skillIds", in.SkillIDs != nil)
		p.checkDays(c, today, func(f string) bool { return slices.Contains(fields, f) })
		if err := p.exist(ctx, tx, "skill", "skillIds", skills); err != nil {
			return err
		}
		if err := p.err(); err != nil {
			return err
		}
		err = tx.UpdateCompetition(ctx, c)
		if errors.Is(err, store.ErrDuplicate) {
			return refuse(Duplicate, "name.en", "the alliance has an edition named %q ending on %s", c.NameEn, c.HeldOn.Format(time.DateOnly))
		} else if err != nil {
			return err
		}
		if in.SkillIDs != nil {
			if err := tx.SetCompetitionSkills(ctx, id, skills); err != nil {
				return err
			}
		}
		if err := s.event(ctx, tx, store.EventCompetitionUpdated, &c.AllianceID, in.ID, map[string]any{"fields": nonNilStrings(fields)}); err != nil {
			return err
		}
		c, err = tx.Competition(ctx, id)
		return err
	})
	return c, err
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// RegisterForCompetition enters a talent in an edition whose registration is open, for
// its school or employer. A talent entered already keeps its entry, which is returned
// as it is, so that a retry is safe; a withdrawn entry is renewed.
func (s *Service) RegisterForCompetition(ctx context.Context, in RegisterForCompetitionInput) (*store.Registration, error) {
	v := auth.ViewerFrom(ctx)
	var p problems
	comp := p.key("competitionId", relay.TypeCompetition, in.CompetitionID)
	talent := p.key("talentId", relay.TypeTalent, in.TalentID)
	skill := p.optKey("skillId", relay.TypeSkill, in.SkillID)
	var org int64
	switch {
	case in.OrganizationID != nil:
		org = p.key("organizationId", relay.TypeOrganization, *in.OrganizationID)
	case v.Role == auth.RoleMember:
		org = v.OrganizationID
	case !v.Anonymous():
		p.add(Required, "organizationId", "names the member entering the talent; only a MEMBER's token implies it")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	if err := policy.ActFor(v, "register talents for competitions", org); err != nil {
		return nil, err
	}
	var reg *store.Registration
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.LockCompetition(ctx, comp)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(NotFound, "competitionId", "no competition has this ID")
		} else if err != nil {
			return err
		}
		t, err := tx.Person(ctx, talent)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return refuse(NotFound, "talentId", "no talent has this ID")
		case err != nil:
			return err
		case !isIn(org, t.SchoolID, t.EmployerID):
			return refuse(Invalid, "talentId", "is neither a student nor an employee of the member entering it")
		case t.AllianceID != c.AllianceID:
			return refuse(Invalid, "talentId", "belongs to another alliance than the competition")
		}
		prior, err := tx.RegistrationOf(ctx, comp, talent)
		switch {
		case err == nil && prior.State == competition.Registered:
			reg = prior
			return nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
		today := s.today()
		if !c.Days().Open(today) {
			if c.RegistrationDeadline == nil {
				return refuse(InvalidTransition, "competitionId", "takes no registrations through the alliance")
			}
			return refuse(InvalidTransition, "competitionId", "registration closed: the deadline was %s and the contest starts on %s",
				c.RegistrationDeadline.Format(time.DateOnly), c.StartsOn.Format(time.DateOnly))
		}
		if skill != nil {
			// An edition naming no skills takes any skill, but only one that exists.
			if err := p.exist(ctx, tx, "skill", "skillId", []int64{*skill}); err != nil {
				return err
			}
			if err := p.err(); err != nil {
				return err
			}
			ok, err := tx.CompetitionHasSkill(ctx, comp, *skill)
			if err != nil {
				return err
			}
			if !ok {
				return refuse(Invalid, "skillId", "is not a skill this competition contests")
			}
		}
		id, err := tx.Register(ctx, &store.Registration{CompetitionID: comp, TalentID: talent, OrganizationID: org, SkillID: skill, RegisteredBy: actor(v)})
		if err != nil {
			return err
		}
		gid := relay.ID(relay.TypeRegistration, id)
		if err := s.event(ctx, tx, store.EventCompetitionRegistered, &c.AllianceID, gid, registrationPayload(comp, talent, org)); err != nil {
			return err
		}
		reg, err = tx.Registration(ctx, id)
		return err
	})
	return reg, err
}

func isIn(org int64, ids ...*int64) bool {
	for _, id := range ids {
		if id != nil && *id == org {
			return true
		}
	}
	return false
}

func registrationPayload(comp, talent, org int64) map[string]any {
	return map[string]any{"competition": relay.ID(relay.TypeCompetition, comp), "talent": relay.ID(relay.TypeTalent, talent),
		"organization": relay.ID(relay.TypeOrganization, org)}
}

// WithdrawCompetitionRegistration withdraws an entry before its contest starts: the
// member that made it may, and ADMIN.
func (s *Service) WithdrawCompetitionRegistration(ctx context.Context, in WithdrawCompetitionRegistrationInput) (*store.Registration, error) {
	var p problems
	id := p.key("id", relay.TypeRegistration, in.ID)
	if err := p.err(); err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	var reg *store.Registration
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if reg, err = tx.LockRegistration(ctx, policy.RegistrationScope(v), id); err != nil {
			return err
		}
		if err := policy.ActFor(v, "withdraw competition entries", reg.OrganizationID); err != nil {
			return err
		}
		c, err := tx.LockCompetition(ctx, reg.CompetitionID)
		if err != nil {
			return err
		}
		switch {
		case reg.State != competition.Registered:
			return refuse(InvalidTransition, "id", "is %s already", reg.State)
		case !s.today().Before(c.StartsOn):
			return refuse(InvalidTransition, "id", "the contest started on %s", c.StartsOn.Format(time.DateOnly))
		}
		if err := tx.WithdrawRegistration(ctx, id, in.Version); err != nil {
			return err
		}
		if err := s.event(ctx, tx, store.EventCompetitionEntryWithdrawn, &c.AllianceID, in.ID,
			registrationPayload(reg.CompetitionID, reg.TalentID, reg.OrganizationID)); err != nil {
			return err
		}
		reg, err = tx.Registration(ctx, id)
		return err
	})
	return reg, err
}
