package competition

import (
	"testing"
	"time"
)

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func dp(s string) *time.Time { t := d(s); return &t }

func TestCheckRefusesDaysAnEditionCannotHave(t *testing.T) {
	today := d("2026-12-03")
	all := func(string) bool { return true }
	cases := []struct {
		name       string
		days       Days
		changed    func(string) bool
		field      string // "" when nothing is wrong
		outOfOrder bool
	}{
		{"a contest ahead with a deadline before it", Days{First: d("2027-03-20"), Last: d("2027-03-21"), Deadline: dp("2027-02-28")}, all, "", false},
		{"a one-day contest today", Days{First: today, Last: today}, all, "", false},
		{"last day before the first", Days{First: d("2027-03-20"), Last: d("2027-03-19")}, all, "endsOn", true},
		{"first day passed", Days{First: d("2026-12-02"), Last: d("2026-12-05")}, all, "startsOn", false},
		{"first day passed but kept", Days{First: d("2026-12-02"), Last: d("2026-12-05")}, func(f string) bool { return f != "startsOn" }, "", false},
		{"too far ahead", Days{First: d("2029-01-01"), Last: d("2029-01-02")}, all, "startsOn", false},
		{"longer than two months", Days{First: d("2027-01-01"), Last: d("2027-03-05")}, all, "endsOn", false},
		{"exactly the longest", Days{First: d("2027-01-01"), Last: d("2027-03-02")}, all, "", false},
		{"deadline on the first day", Days{First: d("2027-03-20"), Last: d("2027-03-21"), Deadline: dp("2027-03-20")}, all, "registrationDeadline", true},
		{"deadline passed", Days{First: d("2027-03-20"), Last: d("2027-03-21"), Deadline: dp("2026-12-01")}, all, "registrationDeadline", false},
		{"deadline passed but kept", Days{First: d("2027-03-20"), Last: d("2027-03-21"), Deadline: dp("2026-12-01")}, func(f string) bool { return f == "name" }, "", false},
		{"first day moved to the deadline kept", Days{First: d("2027-02-28"), Last: d("2027-03-21"), Deadline: dp("2027-02-28")}, func(f string) bool { return f == "startsOn" }, "startsOn", true},
		{"first day moved before the deadline kept", Days{First: d("2027-02-20"), Last: d("2027-03-21"), Deadline: dp("2027-02-28")}, func(f string) bool { return f == "startsOn" }, "startsOn", true},
		{"first day moved past the deadline kept, which has passed", Days{First: d("2026-12-20"), Last: d("2026-12-21"), Deadline: dp("2026-12-01")}, func(f string) bool { return f == "startsOn" }, "", false},
		{"first day moved into the past and before the deadline", Days{First: d("2026-12-01"), Last: d("2026-12-21"), Deadline: dp("2026-12-10")}, func(f string) bool { return f == "startsOn" }, "startsOn", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Check(c.days, today, c.changed)
			if c.field == "" {
				if len(got) != 0 {
					t.Fatalf("Check = %+v, want no problem", got)
				}
				return
			}
			if len(got) != 1 || got[0].Field != c.field || got[0].OutOfOrder != c.outOfOrder {
				t.Fatalf("Check = %+v, want one problem at %s (out of order %v)", got, c.field, c.outOfOrder)
			}
		})
	}
}

func TestRegistrationIsOpenUntilTheDeadlineAndBeforeTheContest(t *testing.T) {
	days := Days{First: d("2027-03-20"), Last: d("2027-03-21"), Deadline: dp("2027-02-28")}
	cases := []struct {
		today string
		open  bool
	}{{"2026-12-03", true}, {"2027-02-28", true}, {"2027-03-01", false}, {"2027-03-20", false}}
	for _, c := range cases {
		if got := days.Open(d(c.today)); got != c.open {
			t.Errorf("Open(%s) = %v, want %v", c.today, got, c.open)
		}
	}
	if (Days{First: d("2027-03-20"), Last: d("2027-03-21")}).Open(d("2026-12-03")) {
		t.Error("an edition without a deadline takes registrations")
	}
	if !days.Upcoming(d("2027-03-20")) || days.Upcoming(d("2027-03-21")) {
		t.Error("an edition is upcoming until its last day, when results are announced")
	}
}

func TestStatesAreTheContractsTwo(t *testing.T) {
	for _, s := range States {
		if !s.Valid() {
			t.Errorf("%s is not valid", s)
		}
	}
	if State("CANCELLED").Valid() {
		t.Error("CANCELLED is valid")
	}
}
