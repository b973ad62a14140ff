package change

import (
	"context"
	"errors"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/enrolment"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// DropEnrollmentInput drops an enrolment or a place on a waitlist.
type DropEnrollmentInput struct {
	ID string
}

// CompleteEnrollmentInput records a trainee's assessment.
type CompleteEnrollmentInput struct {
	ID     string
	Result enrolment.Result
	Score  *int
}

// IssueCertificateInput issues a vocational skill certificate on a passed enrolment.
type IssueCertificateInput struct {
	EnrollmentID string
	// SkillID is the skill certified, one the course teaches; it may be omitted when the
	// course teaches one skill.
	SkillID *string
	// Level is the vocational level certified; the level the course teaches the skill
	// to when omitted.
	Level *enrolment.Level
	// Number is the certificate's number; made by enrolment.Number when omitted.
	Number *string
	// IssuedOn is the day of issue, today when omitted.
	IssuedOn *time.Time
}

const maxCertificateNumber = 64

// lockEnrollment locks an enrolment and its course, read through the caller's scope,
// and the enrolment's talent.
func lockEnrollment(ctx context.Context, tx *store.Tx, field string, id int64) (*store.Enrollment, *store.Resource, *store.Person, error) {
	e, c, err := tx.LockEnrollmentCourse(ctx, resourceScope(ctx), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, refuse(NotFound, field, "no enrolment you can see has this ID")
	} else if err != nil {
		return nil, nil, nil, err
	}
	t, err := tx.Person(ctx, e.TalentID)
	if err != nil {
		return nil, nil, nil, err
	}
	return e, c, t, nil
}

// DropEnrollment takes a talent off a course or its waitlist (ADMIN, the talent's school
// or employer, or the course's provider). A seat it held goes, in the same change, to
// the first waitlisted talent by the time it asked, with its own WAITLIST_PROMOTED
// event. Dropping a dropped enrolment again returns it and writes nothing, so that a
// client may retry.
func (s *Service) DropEnrollment(ctx context.Context, in DropEnrollmentInput) (*store.Enrollment, error) {
	var p problems
	id := p.key("id", relay.TypeEnrollment, in.ID)
	if err := p.err(); err != nil {
		return nil, err
	}
	var out *store.Enrollment
	err := s.tx(ctx, func(tx *store.Tx) error {
		e, c, t, err := lockEnrollment(ctx, tx, "id", id)
		if err != nil {
			return err
		}
		if err := policy.ActFor(auth.ViewerFrom(ctx), "drop enrolments of other organizations", append(talentOrgs(&t.Talent), c.ProviderID)...); err != nil {
			return err
		}
		if e.State == enrolment.Dropped {
			out = e
			return nil
		}
		today := s.today()
		if pr := enrolment.CheckDrop(e.State, calendar.StateOf(c.StartsOn, c.EndsOn, today)); pr != nil {
			return refuse(InvalidTransition, pr.Field, "%s", pr.Message)
		}
		promoted, err := tx.DropEnrollment(ctx, e, today)
		if err != nil {
			return err
		}
		course := relay.ID(relay.TypeResource, c.ID)
		if err := s.eventAbout(ctx, tx, store.EventEnrollmentDropped, in.ID, c, map[string]any{
			"course": course, "talent": relay.ID(relay.TypeTalent, e.TalentID), "state": e.State,
		}); err != nil {
			return err
		}
		if promoted != nil {
			if err := s.eventAbout(ctx, tx, store.EventWaitlistPromoted, relay.ID(relay.TypeEnrollment, promoted.ID), c, map[string]any{
				"course": course, "talent": relay.ID(relay.TypeTalent, promoted.TalentID), "seatOf": in.ID,
			}); err != nil {
				return err
			}
		}
		out, err = tx.Enrollment(ctx, id)
		return err
	})
	return out, err
}

// CompleteEnrollment records that a seated trainee finished the course, with its
// assessment result and score (ADMIN or the course's provider), once the course has
// started by the server's clock. Completing it again with the same result and score
// returns it and writes nothing.
func (s *Service) CompleteEnrollment(ctx context.Context, in CompleteEnrollmentInput) (*store.Enrollment, error) {
	var p problems
	id := p.key("id", relay.TypeEnrollment, in.ID)
	score := p.between("score", in.Score, 0, enrolment.MaxScore)
	if err := p.err(); err != nil {
		return nil, err
	}
	var out *store.Enrollment
	err := s.tx(ctx, func(tx *store.Tx) error {
		e, c, _, err := lockEnrollment(ctx, tx, "id", id)
		if err != nil {
			return err
		}
		if err := policy.ActFor(auth.ViewerFrom(ctx), "assess the trainees of other organizations' courses", c.ProviderID); err != nil {
			return err
		}
		if e.State == enrolment.Completed && e.Result != nil && *e.Result == in.Result && equalInts(e.Score, score) {
			out = e
			return nil
		}
		today := s.today()
		if pr := enrolment.CheckCompletion(e.State, calendar.StateOf(c.StartsOn, c.EndsOn, today)); pr != nil {
			return refuse(InvalidTransition, pr.Field, "%s", pr.Message)
		}
		if err := tx.CompleteEnrollment(ctx, id, today, in.Result, score); err != nil {
			return err
		}
		// The score stays with the enrolment, which only its scope reads; every signed-in
		// caller reads events.
		payload := map[string]any{"course": relay.ID(relay.TypeResource, c.ID), "talent": relay.ID(relay.TypeTalent, e.TalentID), "result": in.Result}
		if err := s.eventAbout(ctx, tx, store.EventEnrollmentCompleted, in.ID, c, payload); err != nil {
			return err
		}
		out, err = tx.Enrollment(ctx, id)
		return err
	})
	return out, err
}

func equalInts(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// IssueCertificate issues a national vocational skill certificate on a completed,
// passed enrolment (ADMIN or the course's provider, which is its issuer), for a skill
// the course teaches, and raises the talent's level in that skill to at least the
// certificate's, certified on its day of issue, in the same change. Issuing again with
// the same number (or, without a number, for the same enrolment and skill, whose made
// number is the same) returns the certificate and writes nothing; a number used for
// another certificate is refused.
func (s *Service) IssueCertificate(ctx context.Context, in IssueCertificateInput) (*store.Certificate, error) {
	v := auth.ViewerFrom(ctx)
	var p problems
	id := p.key("enrollmentId", relay.TypeEnrollment, in.EnrollmentID)
	skill := p.optKey("skillId", relay.TypeSkill, in.SkillID)
	number := p.optText("number", in.Number, maxCertificateNumber)
	today := s.today()
	issuedOn := today
	if in.IssuedOn != nil {
		issuedOn = calendar.Today(*in.IssuedOn)
		if issuedOn.After(today) {
			p.add(OutOfRange, "issuedOn", "is after today, %s; a certificate is issued once it is", today.Format(time.DateOnly))
		}
	}
	if in.Level != nil && in.Level.Rank() == 0 {
		p.add(Invalid, "level", "is not a vocational level")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	var out *store.Certificate
	err := s.tx(ctx, func(tx *store.Tx) error {
		e, c, _, err := lockEnrollment(ctx, tx, "enrollmentId", id)
		if err != nil {
			return err
		}
		if err := policy.ActFor(v, "issue certificates for other organizations' courses", c.ProviderID); err != nil {
			return err
		}
		if pr := enrolment.CheckCertificate(e.State, e.Result); pr != nil {
			return refuse(InvalidTransition, pr.Field, "%s", pr.Message)
		}
		if e.CompletedOn != nil && issuedOn.Before(*e.CompletedOn) {
			return refuse(DatesOutOfOrder, "issuedOn", "is before the enrolment was completed, on %s", e.CompletedOn.Format(time.DateOnly))
		}
		if skill == nil {
			taught, err := tx.CourseSkillIDs(ctx, c.ID)
			if err != nil {
				return err
			}
			if len(taught) != 1 {
				return refuse(Required, "skillId", "the course teaches %d skills; name the one certified", len(taught))
			}
			skill = &taught[0]
		}
		code, taughtLevel, err := tx.CourseSkill(ctx, c.ID, *skill)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(Invalid, "skillId", "is not a skill the course teaches")
		} else if err != nil {
			return err
		}
		level, _ := enrolment.LevelOfRank(taughtLevel)
		if in.Level != nil {
			level = *in.Level
		}
		cert := &store.Certificate{EnrollmentID: e.ID, TalentID: e.TalentID, SkillID: *skill, Rank: level.Rank(),
			IssuerID: c.ProviderID, IssuedOn: issuedOn, IssuedBy: actor(v)}
		if number != nil {
			cert.Number = *number
		} else {
			cert.Number = enrolment.Number(issuedOn, e.ID, code)
		}
		if done, err := replayCertificate(ctx, tx, cert); done != nil || err != nil {
			out = done
			return err
		}
		certID, err := tx.IssueCertificate(ctx, cert)
		if errors.Is(err, store.ErrDuplicate) {
			// A twin of this request may have won the race; otherwise the enrolment has a
			// certificate in the skill under another number.
			if done, rerr := replayCertificate(ctx, tx, cert); done != nil || rerr != nil {
				out = done
				return rerr
			}
			prior, rerr := tx.CertificateOf(ctx, e.ID, *skill)
			if rerr != nil {
				return rerr
			}
			return refuse(Duplicate, "skillId", "the enrolment has a certificate in this skill, number %s (%s)", prior.Number, relay.ID(relay.TypeCertificate, prior.ID))
		} else if err != nil {
			return err
		}
		// Not the number: a certificate number looked up in the national register names
		// the person, and every signed-in caller reads events.
		gid := relay.ID(relay.TypeCertificate, certID)
		if err := s.eventAbout(ctx, tx, store.EventCertificateIssued, gid, c, map[string]any{
			"enrollment": in.EnrollmentID, "talent": relay.ID(relay.TypeTalent, e.TalentID), "skill": relay.ID(relay.TypeSkill, *skill), "level": level,
		}); err != nil {
			return err
		}
		out, err = tx.Certificate(ctx, certID)
		return err
	})
	return out, err
}

// replayCertificate returns the certificate issued before under cert's number when it
// certifies the same thing; a number used for another certificate is refused.
func replayCertificate(ctx context.Context, tx *store.Tx, cert *store.Certificate) (*store.Certificate, error) {
	prior, err := tx.CertificateByNumber(ctx, cert.Number)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case prior.EnrollmentID != cert.EnrollmentID || prior.SkillID != cert.SkillID || prior.Rank != cert.Rank:
		return nil, refuse(Duplicate, "number", "is the number of another certificate, %s; use a new number for a new certificate", relay.ID(relay.TypeCertificate, prior.ID))
	}
	return prior, nil
}
