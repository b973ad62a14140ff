package enrolment

import (
	"testing"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
)

func TestLevelsCountUpwardsWhileTheNationCountsDown(t *testing.T) {
	cases := []struct {
		level          Level
		rank, national int
		zh             string
	}{
		{JuniorWorker, 1, 5, "初级工"},
		{IntermediateWorker, 2, 4, "中级工"},
		{SeniorWorker, 3, 3, "高级工"},
		{Technician, 4, 2, "技师"},
		{SeniorTechnician, 5, 1, "高级技师"},
		{"MASTER", 0, 0, ""},
	}
	for _, c := range cases {
		if c.level.Rank() != c.rank || c.level.National() != c.national || c.level.NameZh() != c.zh {
			t.Errorf("%s: rank %d national %d %q, want %d %d %q", c.level, c.level.Rank(), c.level.National(), c.level.NameZh(), c.rank, c.national, c.zh)
		}
		if l, ok := LevelOfRank(c.rank); c.rank > 0 && (!ok || l != c.level) {
			t.Errorf("LevelOfRank(%d) = %s, %v; want %s", c.rank, l, ok, c.level)
		}
	}
	for _, r := range []int{0, 6, -1} {
		if _, ok := LevelOfRank(r); ok {
			t.Errorf("LevelOfRank(%d) is a level", r)
		}
	}
}

func TestOnlySeatedStatesHoldASeat(t *testing.T) {
	want := map[State]bool{Enrolled: true, Completed: true, Waitlisted: false, Dropped: false}
	for _, s := range States {
		if s.HoldsSeat() != want[s] {
			t.Errorf("%s.HoldsSeat() = %v", s, s.HoldsSeat())
		}
	}
}

func TestMoves(t *testing.T) {
	passed, failed := Passed, Failed
	cases := []struct {
		name  string
		check func() *Problem
		ok    bool
	}{
		{"drop a seated trainee of a running course", func() *Problem { return CheckDrop(Enrolled, calendar.Running) }, true},
		{"drop a waitlisted talent before the start", func() *Problem { return CheckDrop(Waitlisted, calendar.Enrolling) }, true},
		{"drop after the end", func() *Problem { return CheckDrop(Enrolled, calendar.Ended) }, false},
		{"drop a completed trainee", func() *Problem { return CheckDrop(Completed, calendar.Running) }, false},
		{"complete a running course's trainee", func() *Problem { return CheckCompletion(Enrolled, calendar.Running) }, true},
		{"complete an ended course's trainee", func() *Problem { return CheckCompletion(Enrolled, calendar.Ended) }, true},
		{"complete before the start", func() *Problem { return CheckCompletion(Enrolled, calendar.Enrolling) }, false},
		{"complete a waitlisted talent", func() *Problem { return CheckCompletion(Waitlisted, calendar.Ended) }, false},
		{"complete a dropped talent", func() *Problem { return CheckCompletion(Dropped, calendar.Ended) }, false},
		{"certify a pass", func() *Problem { return CheckCertificate(Completed, &passed) }, true},
		{"certify a failure", func() *Problem { return CheckCertificate(Completed, &failed) }, false},
		{"certify a completion without result", func() *Problem { return CheckCertificate(Completed, nil) }, false},
		{"certify a seated trainee", func() *Problem { return CheckCertificate(Enrolled, &passed) }, false},
	}
	for _, c := range cases {
		if p := c.check(); (p == nil) != c.ok {
			t.Errorf("%s: %+v, want ok=%v", c.name, p, c.ok)
		}
	}
}

func TestNumberIsTheSameForARetry(t *testing.T) {
	on := calendar.Date(2026, time.December, 3)
	if n := Number(on, 42, "CNC.MILL"); n != "AG-2026-000042-CNC.MILL" {
		t.Errorf("Number = %q", n)
	}
	if Number(on, 42, "CNC") == Number(on, 43, "CNC") || Number(on, 42, "CNC") == Number(on, 42, "WELD") {
		t.Error("two enrolments or skills share a number")
	}
}
