package store

import (
	"context"
	"fmt"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/enrolment"
)

// Enrollment is a row of enrollment: a talent's place on a course, or on its waitlist.
type Enrollment struct {
	Keyset
	ID       int64           `db:"id"`
	TalentID int64           `db:"talent_id"`
	CourseID int64           `db:"course_id"`
	State    enrolment.State `db:"state"`
	// AppliedOn is the day the talent asked for a seat, AppliedAt the moment, which
	// orders the waitlist.
	AppliedOn   time.Time         `db:"enrolled_on"`
	AppliedAt   time.Time         `db:"applied_at"`
	SeatedOn    *time.Time        `db:"seated_on"`
	CompletedOn *time.Time        `db:"completed_on"`
	DroppedOn   *time.Time        `db:"dropped_on"`
	Result      *enrolment.Result `db:"result"`
	Score       *int              `db:"score"`
	Version     int               `db:"version"`
}

// Certificate is a row of certificate: a national vocational skill certificate issued
// on a passed enrolment.
type Certificate struct {
	Keyset
	ID           int64 `db:"id"`
	EnrollmentID int64 `db:"enrollment_id"`
	TalentID     int64 `db:"talent_id"`
	SkillID      int64 `db:"skill_id"`
	// Rank is the vocational level as the alliance's skill levels count it, 1 to 5.
	Rank     int       `db:"level"`
	Number   string    `db:"number"`
	IssuerID int64     `db:"issuer_id"`
	IssuedOn time.Time `db:"issued_on"`
	IssuedBy string    `db:"issued_by"`
}

// EnrollmentScope is whose enrolments a viewer may read, since an enrolment tells about
// a person: every one (All), those of the courses an organization provides and of the
// talents it schools or employs (Organization), or none (the zero value).
type EnrollmentScope struct {
	All          bool
	Organization int64
}

// condition is the scope's condition on an enrolment's course aliased r and talent
// aliased t.
func (s EnrollmentScope) condition(r, t string, arg func(any) string) string {
	switch {
	case s.All:
		return "true"
	case s.Organization == 0:
		return "false"
	}
	o := arg(s.Organization)
	return "(" + r + ".provider_id = " + o + " OR " + t + ".school_id = " + o + " OR " + t + ".employer_id = " + o + ")"
}

const enrollmentCols = "en.id, en.talent_id, en.course_id, en.state, en.enrolled_on, en.applied_at, en.seated_on, en.completed_on, en.dropped_on, en.result, en.score, en.version"

func enrollmentID(e *Enrollment) int64   { return e.ID }
func certificateID(c *Certificate) int64 { return c.ID }

// EnrollmentFilter selects a course's trainees.
type EnrollmentFilter struct {
	// Visibility is the reader's: its resource scope and its enrolment scope.
	Visibility Visibility
	States     []enrolment.State
}

var enrollmentOrders = map[string]sortKey{"APPLIED_AT": {"en.applied_at", "timestamptz"}}

// visibleEnrollment is the condition that v sees an enrolment whose course is aliased r
// and talent t: the course within its resource scope, the enrolment within its
// enrolment scope.
func visibleEnrollment(v Visibility, arg func(any) string) string {
	return v.Resources.condition("r", arg) + " AND " + v.Enrollments.condition("r", "t", arg)
}

// enrollmentFrom reads enrolments with their course (r) and talent (t).
const enrollmentFrom = " FROM enrollment en JOIN resource r ON r.id = en.course_id JOIN talent t ON t.id = en.talent_id"

// enrollmentList is the enrolments the filter's visibility sees.
func enrollmentList(parent string, f EnrollmentFilter, o Order) *list {
	l := &list{cols: enrollmentCols, from: enrollmentFrom[len(" FROM "):], id: "en.id", parent: parent, orders: enrollmentOrders, order: o}
	l.where(visibleEnrollment(f.Visibility, l.arg))
	in(l, "en.state", f.States)
	return l
}

// afterOwners is the condition that v sees an enrolment, in a statement whose $1 is the
// owners' ids, and the arguments it adds after them.
func afterOwners(v Visibility) (string, []any) {
	args := make(bound, 1)
	cond := visibleEnrollment(v, args.arg)
	return cond, args[1:]
}

// CourseTrainees pages each course's enrolments in the order the talents asked.
func (s *Store) CourseTrainees(ctx context.Context, courses []int64, f EnrollmentFilter, o Order, p Page) (map[int64]Result[Enrollment], error) {
	return pages(ctx, s, "course trainees", enrollmentList("en.course_id", f, o), courses, p, enrollmentID)
}

// CountCourseTrainees counts each course's enrolments the filter selects.
func (s *Store) CountCourseTrainees(ctx context.Context, courses []int64, f EnrollmentFilter) (map[int64]int, error) {
	return counts(ctx, s, "course trainees", enrollmentList("en.course_id", f, Order{}), courses)
}

// EnrollmentsOfTalents lists each talent's enrolments that v sees, latest first.
func (s *Store) EnrollmentsOfTalents(ctx context.Context, v Visibility, talents []int64) (map[int64][]Enrollment, error) {
	cond, args := afterOwners(v)
	q := "SELECT " + enrollmentCols + enrollmentFrom + " WHERE en.talent_id = ANY($1) AND " + cond + " ORDER BY en.talent_id, en.applied_at DESC, en.id DESC"
	return groupBy(ctx, s, "talent enrolments", q, talents, func(e *Enrollment) int64 { return e.TalentID }, args...)
}

// EnrollmentsByID loads the enrolments among ids that v sees.
func (s *Store) EnrollmentsByID(ctx context.Context, v Visibility, ids []int64) (map[int64]*Enrollment, error) {
	cond, args := afterOwners(v)
	return byID(ctx, s, "enrolments", "SELECT "+enrollmentCols+enrollmentFrom+" WHERE en.id = ANY($1) AND "+cond, ids, enrollmentID, args...)
}

const certificateCols = "c.id, c.enrollment_id, c.talent_id, c.skill_id, c.level, c.number, c.issuer_id, c.issued_on, c.issued_by"

// certificateFrom reads certificates with the enrolment's course (r) and talent (t), so
// that a certificate is seen by whoever sees its enrolment.
const certificateFrom = " FROM certificate c JOIN enrollment en ON en.id = c.enrollment_id JOIN resource r ON r.id = en.course_id JOIN talent t ON t.id = c.talent_id"

// CertificatesOfTalents lists each talent's certificates that v sees, latest first.
func (s *Store) CertificatesOfTalents(ctx context.Context, v Visibility, talents []int64) (map[int64][]Certificate, error) {
	cond, args := afterOwners(v)
	q := "SELECT " + certificateCols + certificateFrom + " WHERE c.talent_id = ANY($1) AND " + cond + " ORDER BY c.talent_id, c.issued_on DESC, c.id DESC"
	return groupBy(ctx, s, "talent certificates", q, talents, func(c *Certificate) int64 { return c.TalentID }, args...)
}

// CertificatesOfEnrollments lists each enrolment's certificates that v sees.
func (s *Store) CertificatesOfEnrollments(ctx context.Context, v Visibility, enrollments []int64) (map[int64][]Certificate, error) {
	cond, args := afterOwners(v)
	q := "SELECT " + certificateCols + certificateFrom + " WHERE c.enrollment_id = ANY($1) AND " + cond + " ORDER BY c.enrollment_id, c.id"
	return groupBy(ctx, s, "enrolment certificates", q, enrollments, func(c *Certificate) int64 { return c.EnrollmentID }, args...)
}

// CertificatesByID loads the certificates among ids that v sees.
func (s *Store) CertificatesByID(ctx context.Context, v Visibility, ids []int64) (map[int64]*Certificate, error) {
	cond, args := afterOwners(v)
	return byID(ctx, s, "certificates", "SELECT "+certificateCols+certificateFrom+" WHERE c.id = ANY($1) AND "+cond, ids, certificateID, args...)
}

// Enroll seats a talent on a course on the day on, or puts it on the waitlist when every
// seat is taken, and returns the enrolment. The course's row stays locked until the
// transaction ends, so concurrent enrolments and drops of one course take turns and
// never seat more than its seats. ErrNotEnrolling when the course's enrolment is not
// open that day (the caller checked, but its dates may have changed since);
// ErrDuplicate when the talent is enrolled or waitlisted already. A talent that dropped
// the course may ask again: its enrolment starts over at the end of the queue.
func (t *Tx) Enroll(ctx context.Context, course, talent int64, on time.Time) (*Enrollment, error) {
	var c struct {
		Seats    int  `db:"seats"`
		Enrolled int  `db:"enrolled"`
		Open     bool `db:"open"`
	}
	if err := t.get(ctx, &c, `SELECT r.seats, r.enrolled, `+courseState("r", "$2::date")+` = $3 AS open
		FROM resource r WHERE r.id = $1 AND r.category = 'TRAINING_COURSE' FOR UPDATE`, course, sqlDay(on), string(calendar.Enrolling)); err != nil {
		return nil, fmt.Errorf("lock course %d to enrol: %w", course, err)
	}
	if !c.Open {
		return nil, ErrNotEnrolling
	}
	var prior Enrollment
	err := t.get(ctx, &prior, "SELECT "+enrollmentCols+" FROM enrollment en WHERE en.course_id = $1 AND en.talent_id = $2", course, talent)
	switch {
	case err == nil && prior.State != enrolment.Dropped:
		return nil, ErrDuplicate
	case err != nil && err != ErrNotFound:
		return nil, fmt.Errorf("read enrolment of talent %d on course %d: %w", talent, course, err)
	}
	state, seated := enrolment.Waitlisted, (*string)(nil)
	if c.Enrolled < c.Seats {
		day := sqlDay(on)
		state, seated = enrolment.Enrolled, &day
		if _, err := t.exec(ctx, "UPDATE resource SET enrolled = enrolled + 1, version = version + 1 WHERE id = $1", course); err != nil {
			return nil, fmt.Errorf("take a seat on course %d: %w", course, err)
		}
	}
	var id int64
	if prior.ID != 0 {
		err = t.get(ctx, &id, `UPDATE enrollment SET state = $2, enrolled_on = $3, applied_at = now(), seated_on = $4, dropped_on = NULL,
			version = version + 1 WHERE id = $1 RETURNING id`, prior.ID, string(state), sqlDay(on), seated)
	} else {
		err = t.get(ctx, &id, `INSERT INTO enrollment (talent_id, course_id, enrolled_on, state, seated_on) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			talent, course, sqlDay(on), string(state), seated)
	}
	if err != nil {
		return nil, fmt.Errorf("enrol talent %d on course %d: %w", talent, course, unique(err))
	}
	return t.Enrollment(ctx, id)
}

// Enrollment reads an enrolment as it is now in the transaction; ErrNotFound if none.
func (t *Tx) Enrollment(ctx context.Context, id int64) (*Enrollment, error) {
	var e Enrollment
	if err := t.get(ctx, &e, "SELECT "+enrollmentCols+" FROM enrollment en WHERE en.id = $1", id); err != nil {
		return nil, fmt.Errorf("read enrolment %d: %w", id, err)
	}
	return &e, nil
}

// LockEnrollmentCourse locks the course of enrolment id, then the enrolment, in the
// order Enroll takes them (so that the two never wait for each other), and reads both
// through scope: ErrNotFound when either is outside it.
func (t *Tx) LockEnrollmentCourse(ctx context.Context, scope Scope, id int64) (*Enrollment, *Resource, error) {
	var course int64
	if err := t.get(ctx, &course, "SELECT course_id FROM enrollment WHERE id = $1", id); err != nil {
		return nil, nil, fmt.Errorf("find the course of enrolment %d: %w", id, err)
	}
	r, err := t.LockResource(ctx, scope, course)
	if err != nil {
		return nil, nil, err
	}
	var e Enrollment
	if err := t.get(ctx, &e, "SELECT "+enrollmentCols+" FROM enrollment en WHERE en.id = $1 FOR UPDATE", id); err != nil {
		return nil, nil, fmt.Errorf("lock enrolment %d: %w", id, err)
	}
	return &e, r, nil
}

// DropEnrollment drops enrolment e on the day on. A seat it held goes, in the same
// transaction, to the first waitlisted talent (by the time it asked), whose enrolment
// is returned; nil when none waited or no seat was freed. The caller holds the course's
// lock (LockEnrollmentCourse).
func (t *Tx) DropEnrollment(ctx context.Context, e *Enrollment, on time.Time) (*Enrollment, error) {
	if _, err := t.exec(ctx, "UPDATE enrollment SET state = 'DROPPED', dropped_on = $2, version = version + 1 WHERE id = $1",
		e.ID, sqlDay(on)); err != nil {
		return nil, fmt.Errorf("drop enrolment %d: %w", e.ID, err)
	}
	if !e.State.HoldsSeat() {
		return nil, nil
	}
	var next int64
	err := t.get(ctx, &next, `UPDATE enrollment SET state = 'ENROLLED', seated_on = $2, version = version + 1
		WHERE id = (SELECT id FROM enrollment WHERE course_id = $1 AND state = 'WAITLISTED' ORDER BY applied_at, id LIMIT 1) RETURNING id`,
		e.CourseID, sqlDay(on))
	switch {
	case err == ErrNotFound:
		if _, err := t.exec(ctx, "UPDATE resource SET enrolled = enrolled - 1, version = version + 1 WHERE id = $1", e.CourseID); err != nil {
			return nil, fmt.Errorf("free a seat on course %d: %w", e.CourseID, err)
		}
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("promote the waitlist of course %d: %w", e.CourseID, err)
	}
	return t.Enrollment(ctx, next)
}

// CompleteEnrollment records enrolment id's completion on the day on with its result.
func (t *Tx) CompleteEnrollment(ctx context.Context, id int64, on time.Time, result enrolment.Result, score *int) error {
	if _, err := t.exec(ctx, `UPDATE enrollment SET state = 'COMPLETED', completed = true, completed_on = GREATEST($2::date, seated_on),
		result = $3, score = $4, version = version + 1 WHERE id = $1`, id, sqlDay(on), string(result), score); err != nil {
		return fmt.Errorf("complete enrolment %d: %w", id, err)
	}
	return nil
}

// CertificateByNumber reads the certificate with a number; ErrNotFound if none.
func (t *Tx) CertificateByNumber(ctx context.Context, number string) (*Certificate, error) {
	var c Certificate
	if err := t.get(ctx, &c, "SELECT "+certificateCols+" FROM certificate c WHERE c.number = $1", number); err != nil {
		return nil, fmt.Errorf("read certificate %q: %w", number, err)
	}
	return &c, nil
}

// CertificateOf reads the certificate of an enrolment for a skill; ErrNotFound if none.
func (t *Tx) CertificateOf(ctx context.Context, enrollment, skill int64) (*Certificate, error) {
	var c Certificate
	if err := t.get(ctx, &c, "SELECT "+certificateCols+" FROM certificate c WHERE c.enrollment_id = $1 AND c.skill_id = $2", enrollment, skill); err != nil {
		return nil, fmt.Errorf("read the certificate of enrolment %d in skill %d: %w", enrollment, skill, err)
	}
	return &c, nil
}

// IssueCertificate inserts c and raises the talent's level in the skill to at least the
// certificate's, certified on the day it was issued. ErrDuplicate when its number is
// taken or the enrolment has a certificate in the skill: a concurrent twin won.
func (t *Tx) IssueCertificate(ctx context.Context, c *Certificate) (int64, error) {
	if _, err := t.exec(ctx, "SAVEPOINT certify"); err != nil {
		return 0, fmt.Errorf("issue certificate %q: %w", c.Number, err)
	}
	var id int64
	err := t.get(ctx, &id, `INSERT INTO certificate (enrollment_id, talent_id, skill_id, level, number, issuer_id, issued_on, issued_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		c.EnrollmentID, c.TalentID, c.SkillID, c.Rank, c.Number, c.IssuerID, sqlDay(c.IssuedOn), c.IssuedBy)
	if err != nil {
		if _, rerr := t.exec(ctx, "ROLLBACK TO SAVEPOINT certify"); rerr != nil {
			return 0, fmt.Errorf("issue certificate %q: %w", c.Number, rerr)
		}
		if unique(err) == ErrDuplicate {
			return 0, ErrDuplicate
		}
		return 0, fmt.Errorf("issue certificate %q: %w", c.Number, err)
	}
	if _, err := t.exec(ctx, `INSERT INTO talent_skill (talent_id, skill_id, level, certified_on) VALUES ($1, $2, $3, $4)
		ON CONFLICT (talent_id, skill_id) DO UPDATE SET level = GREATEST(talent_skill.level, EXCLUDED.level), certified_on = EXCLUDED.certified_on`,
		c.TalentID, c.SkillID, c.Rank, sqlDay(c.IssuedOn)); err != nil {
		return 0, fmt.Errorf("raise talent %d's level in skill %d: %w", c.TalentID, c.SkillID, err)
	}
	return id, nil
}

// Certificate reads a certificate as it is now in the transaction.
func (t *Tx) Certificate(ctx context.Context, id int64) (*Certificate, error) {
	var c Certificate
	if err := t.get(ctx, &c, "SELECT "+certificateCols+" FROM certificate c WHERE c.id = $1", id); err != nil {
		return nil, fmt.Errorf("read certificate %d: %w", id, err)
	}
	return &c, nil
}

// CourseSkill reads the code of a skill the course teaches and the level it teaches it
// to; ErrNotFound when the course does not teach it.
func (t *Tx) CourseSkill(ctx context.Context, course, skill int64) (code string, level int, err error) {
	var row struct {
		Code  string `db:"code"`
		Level int    `db:"level"`
	}
	if err := t.get(ctx, &row, "SELECT k.code, rs.level FROM resource_skill rs JOIN skill k ON k.id = rs.skill_id WHERE rs.resource_id = $1 AND rs.skill_id = $2",
		course, skill); err != nil {
		return "", 0, fmt.Errorf("read skill %d of course %d: %w", skill, course, err)
	}
	return row.Code, row.Level, nil
}

// CourseSkillIDs lists the skills a course teaches.
func (t *Tx) CourseSkillIDs(ctx context.Context, course int64) ([]int64, error) {
	var ids []int64
	if err := t.selectRows(ctx, &ids, "SELECT skill_id FROM resource_skill WHERE resource_id = $1 ORDER BY skill_id", course); err != nil {
		return nil, fmt.Errorf("list skills of course %d: %w", course, err)
	}
	return ids, nil
}
