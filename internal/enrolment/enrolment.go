// Package enrolment holds the rules of a talent's way from enrolment to certificate that
// need no database: the states of an enrolment and the moves between them, assessment
// results, the national vocational skill levels a certificate attests, and how a
// certificate's number is made when the issuer gives none. The store keeps the one rule
// these cannot, that a course never seats more trainees than it has seats, by locking
// the course's row while an enrolment takes or frees a seat.
package enrolment

import (
	"fmt"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
)

// State is where an enrolment is in its life, value for value the EnrollmentState enum
// of the GraphQL contract.
type State string

// The states of an enrolment.
const (
	// Enrolled: the talent holds a seat.
	Enrolled State = "ENROLLED"
	// Waitlisted: the class was full when the talent asked; it takes the next seat that
	// frees, in the order the waitlisted asked.
	Waitlisted State = "WAITLISTED"
	// Completed: the talent finished the course, with an assessment result; it keeps its
	// seat in the course's count.
	Completed State = "COMPLETED"
	// Dropped: the talent left the course or its waitlist; a seat it held went to the
	// first on the waitlist.
	Dropped State = "DROPPED"
)

// States lists every state, in the contract's order.
var States = []State{Enrolled, Waitlisted, Completed, Dropped}

// HoldsSeat reports whether an enrolment in state s counts among the course's enrolled
// (TrainingCourse.enrolled): a seated talent, during or after the course.
func (s State) HoldsSeat() bool { return s == Enrolled || s == Completed }

// Result is the outcome of a trainee's assessment, value for value the
// AssessmentResult enum of the GraphQL contract.
type Result string

// The results of an assessment.
const (
	Passed Result = "PASSED"
	Failed Result = "FAILED"
)

// Results lists every result, in the contract's order.
var Results = []Result{Passed, Failed}

// MaxScore is the highest assessment score; scores run from 0.
const MaxScore = 100

// Level is a national vocational skill level (国家职业技能等级), value for value the
// VocationalLevel enum of the GraphQL contract, lowest first. The nation numbers them
// the other way round, level five (五级, 初级工) the lowest and level one (一级,
// 高级技师) the highest; the alliance's skill levels 1 to 5 count upwards, so a
// certificate at Level l raises the talent's skill to at least l.Rank().
type Level string

// The vocational levels, lowest first.
const (
	JuniorWorker       Level = "JUNIOR_WORKER"       // 初级工, national level five
	IntermediateWorker Level = "INTERMEDIATE_WORKER" // 中级工, national level four
	SeniorWorker       Level = "SENIOR_WORKER"       // 高级工, national level three
	Technician         Level = "TECHNICIAN"          // 技师, national level two
	SeniorTechnician   Level = "SENIOR_TECHNICIAN"   // 高级技师, national level one
)

// Levels lists the vocational levels lowest first, the contract's order.
var Levels = []Level{JuniorWorker, IntermediateWorker, SeniorWorker, Technician, SeniorTechnician}

var levelNamesZh = map[Level]string{JuniorWorker: "初级工", IntermediateWorker: "中级工", SeniorWorker: "高级工", Technician: "技师", SeniorTechnician: "高级技师"}

// Rank is the level as the alliance's skill levels count: 1 (初级工) to 5 (高级技师); 0
// for a value that is not a level.
func (l Level) Rank() int {
	for i, v := range Levels {
		if v == l {
			return i + 1
		}
	}
	return 0
}

// National is the level as the nation numbers it: 5 (初级工) to 1 (高级技师).
func (l Level) National() int {
	if r := l.Rank(); r > 0 {
		return len(Levels) + 1 - r
	}
	return 0
}

// NameZh is the level's Chinese name.
func (l Level) NameZh() string { return levelNamesZh[l] }

// LevelOfRank is the level of rank r, 1 to 5.
func LevelOfRank(r int) (Level, bool) {
	if r < 1 || r > len(Levels) {
		return "", false
	}
	return Levels[r-1], true
}

// Problem is why a move was refused, at the input field it concerns.
type Problem struct {
	Field   string
	Message string
}

// CheckDrop refuses to drop an enrolment in state s of a course in state c: only a
// seated or waitlisted talent can leave, and only before the course has ended. (Dropping
// a dropped enrolment again is a client's retry, which the caller answers with the
// enrolment as it is.)
func CheckDrop(s State, c calendar.CourseState) *Problem {
	switch {
	case s == Completed:
		return &Problem{"id", "the trainee completed the course; a completed enrolment cannot be dropped"}
	case c == calendar.Ended:
		return &Problem{"id", "the course has ended; its enrolments can be completed, not dropped"}
	}
	return nil
}

// CheckCompletion refuses to complete an enrolment in state s of a course in state c:
// only a seated trainee, and only once the course has started (RUNNING or ENDED), since
// there is nothing to assess before.
func CheckCompletion(s State, c calendar.CourseState) *Problem {
	switch {
	case s == Waitlisted:
		return &Problem{"id", "the talent is on the waitlist and never had a seat"}
	case s == Dropped:
		return &Problem{"id", "the enrolment was dropped"}
	case s == Completed:
		return &Problem{"id", "was completed already, with another result; a retry gives the same result and score"}
	case c != calendar.Running && c != calendar.Ended:
		return &Problem{"id", fmt.Sprintf("the course has not started (it is %s); trainees are assessed once it runs", c)}
	}
	return nil
}

// CheckCertificate refuses a certificate on an enrolment in state s with result r: only
// a completed, passed one earns one.
func CheckCertificate(s State, r *Result) *Problem {
	switch {
	case s != Completed:
		return &Problem{"enrollmentId", fmt.Sprintf("the enrolment is %s; certificates are issued on completed enrolments", s)}
	case r == nil || *r != Passed:
		return &Problem{"enrollmentId", "the trainee did not pass the assessment"}
	}
	return nil
}

// NumberPrefix starts every certificate number the server makes.
const NumberPrefix = "AG"

// Number is the certificate number the server gives when the issuer gives none:
// AG-<year issued>-<enrolment id, six digits at least>-<skill code>, for example
// AG-2026-000042-CNC.MILL. An enrolment has at most one certificate per skill, so the
// number is unique, and a retry without a number makes the same one, which makes it
// idempotent too.
func Number(issuedOn time.Time, enrollment int64, skillCode string) string {
	return fmt.Sprintf("%s-%d-%06d-%s", NumberPrefix, issuedOn.Year(), enrollment, skillCode)
}
