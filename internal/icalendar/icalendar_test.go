package icalendar

import (
	"bytes"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/alliance-graph/alliance-graph/internal/store"
)

func ptr[T any](v T) *T { return &v }

// sample is one entry of each shape: whole days, a time of day, cancelled, and text
// that iCalendar must escape (commas, semicolons, a line break) in both languages.
func sample() []store.CalendarEntry {
	cst := time.FixedZone("CST", 8*3600)
	modified := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	return []store.CalendarEntry{
		{Kind: store.CalendarCourse, SourceID: 7, TitleEn: "CNC Machining, Advanced; Winter 2026", TitleZh: "数控加工高级工培训班",
			Start: time.Date(2026, 12, 7, 0, 0, 0, 0, cst), End: time.Date(2027, 1, 16, 0, 0, 0, 0, cst), AllDay: true,
			OrganizationID: ptr(int64(3)), Sequence: 2, Modified: &modified},
		{Kind: store.CalendarClassMeeting, SourceID: 41, TitleEn: "CNC Machining, Advanced; Winter 2026", TitleZh: "数控加工高级工培训班",
			Start: time.Date(2026, 12, 7, 0, 30, 0, 0, time.UTC), End: time.Date(2026, 12, 7, 3, 30, 0, 0, time.UTC),
			OrganizationID: ptr(int64(3)), FacilityID: ptr(int64(9)), CourseID: ptr(int64(7))},
		{Kind: store.CalendarBooking, SourceID: 42, TitleEn: "Assessment\nday", TitleZh: "Assessment\nday",
			Start: time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC),
			OrganizationID: ptr(int64(4)), FacilityID: ptr(int64(10)), Cancelled: true, Sequence: 1},
		{Kind: store.CalendarSecondment, SourceID: 5, TitleEn: "Secondment: Wang Lei", TitleZh: "借调：Wang Lei",
			Start: time.Date(2026, 12, 14, 0, 0, 0, 0, cst), End: time.Date(2026, 12, 19, 0, 0, 0, 0, cst), AllDay: true,
			OrganizationID: ptr(int64(3)), Tentative: true},
		{Kind: store.CalendarCompetition, SourceID: 2, TitleEn: "2027 Liaoning Vocational College Skills Competition", TitleZh: "2027年辽宁省职业院校技能大赛",
			Start: time.Date(2027, 4, 24, 16, 0, 0, 0, time.UTC), End: time.Date(2027, 4, 25, 16, 0, 0, 0, time.UTC), AllDay: true},
	}
}

var names = Names{
	Organizations: map[int64]string{3: "Shenyang University of Technology", 4: "Hunnan Industrial Park"},
	Facilities:    map[int64]string{9: "CNC Workshop, Building 2"}, // 10 is not the reader's to see
}

func render(t *testing.T, chinese bool) (string, *goical.Calendar) {
	t.Helper()
	var buf bytes.Buffer
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	if err := Write(&buf, sample(), names, Options{Name: "Alliance calendar", Chinese: chinese, Now: now}); err != nil {
		t.Fatal(err)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(buf.Bytes())).Decode()
	if err != nil {
		t.Fatalf("a maintained reader cannot parse the calendar: %v\n%s", err, buf.String())
	}
	return buf.String(), cal
}

func TestTheFeedIsWellFormedICalendar(t *testing.T) {
	text, cal := render(t, false)
	if !strings.HasSuffix(text, "END:VCALENDAR\r\n") || strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\n") {
		t.Error("lines must end with CRLF, and only so")
	}
	for _, line := range strings.Split(text, "\r\n") {
		if len(line) > 75 {
			t.Errorf("a line of %d octets (folded at 75): %q", len(line), line)
		}
	}
	for _, prop := range []string{"VERSION", "PRODID"} {
		if cal.Props.Get(prop) == nil {
			t.Errorf("the calendar has no %s", prop)
		}
	}
	if v, _ := cal.Props.Text("VERSION"); v != "2.0" {
		t.Errorf("VERSION %q", v)
	}
	if n := len(cal.Events()); n != len(sample()) {
		t.Fatalf("%d events, want %d", n, len(sample()))
	}
	for _, ev := range cal.Events() {
		for _, prop := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS"} {
			if ev.Props.Get(prop) == nil {
				t.Errorf("event %v has no %s", ev.Props.Get("UID"), prop)
			}
		}
	}
}

func TestEachEntryReadsBackAsWritten(t *testing.T) {
	_, cal := render(t, false)
	events := cal.Events()
	cst := time.FixedZone("CST", 8*3600)
	cases := []struct {
		uid, summary, status, location string
		sequence                       int
		allDay                         bool
		start, end                     time.Time
	}{
		{"course-7@alliance-graph", "CNC Machining, Advanced; Winter 2026", "CONFIRMED", "", 2, true,
			time.Date(2026, 12, 7, 0, 0, 0, 0, cst), time.Date(2027, 1, 16, 0, 0, 0, 0, cst)},
		{"class-meeting-41@alliance-graph", "CNC Machining, Advanced; Winter 2026", "CONFIRMED", "CNC Workshop, Building 2", 0, false,
			time.Date(2026, 12, 7, 0, 30, 0, 0, time.UTC), time.Date(2026, 12, 7, 3, 30, 0, 0, time.UTC)},
		{"facility-booking-42@alliance-graph", "Assessment\nday", "CANCELLED", "", 1, false,
			time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC), time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)},
		{"secondment-5@alliance-graph", "Secondment: Wang Lei", "TENTATIVE", "", 0, true,
			time.Date(2026, 12, 14, 0, 0, 0, 0, cst), time.Date(2026, 12, 19, 0, 0, 0, 0, cst)},
		{"competition-2@alliance-graph", "2027 Liaoning Vocational College Skills Competition", "CONFIRMED", "", 0, true,
			time.Date(2027, 4, 25, 0, 0, 0, 0, cst), time.Date(2027, 4, 26, 0, 0, 0, 0, cst)},
	}
	for i, c := range cases {
		ev := events[i]
		text := func(name string) string {
			s, err := ev.Props.Text(name)
			if err != nil {
				t.Errorf("%s %s: %v", c.uid, name, err)
			}
			return s
		}
		if got := text("UID"); got != c.uid {
			t.Errorf("event %d: UID %q, want %q", i, got, c.uid)
		}
		if got := text("SUMMARY"); got != c.summary {
			t.Errorf("%s: SUMMARY %q, want %q", c.uid, got, c.summary)
		}
		if got := text("STATUS"); got != c.status {
			t.Errorf("%s: STATUS %q, want %q", c.uid, got, c.status)
		}
		if got, err := ev.Props.Get("SEQUENCE").Int(); err != nil || got != c.sequence {
			t.Errorf("%s: SEQUENCE %d (%v), want %d", c.uid, got, err, c.sequence)
		}
		if ev.Props.Get("LOCATION") != nil || c.location != "" {
			if got := text("LOCATION"); got != c.location {
				t.Errorf("%s: LOCATION %q, want %q", c.uid, got, c.location)
			}
		}
		if dateOnly := ev.Props.Get("DTSTART").ValueType() == goical.ValueDate; dateOnly != c.allDay {
			t.Errorf("%s: DTSTART is a date: %v, want %v", c.uid, dateOnly, c.allDay)
		}
		start, err := ev.DateTimeStart(cst)
		if err != nil || !start.Equal(c.start) {
			t.Errorf("%s: starts %v (%v), want %v", c.uid, start, err, c.start)
		}
		end, err := ev.DateTimeEnd(cst)
		if err != nil || !end.Equal(c.end) {
			t.Errorf("%s: ends %v (%v), want %v", c.uid, end, err, c.end)
		}
	}
	// The last change is the stamp when known, the feed's time otherwise.
	if s := events[0].Props.Get("DTSTAMP").Value; s != "20261201T093000Z" {
		t.Errorf("a changed entry's DTSTAMP %q, want its last change", s)
	}
	if s := events[1].Props.Get("DTSTAMP").Value; s != "20261203T040000Z" {
		t.Errorf("an entry's DTSTAMP without a known change %q, want the feed's time", s)
	}
}

func TestChineseFeedsTitleInChineseAndDescribeInEnglish(t *testing.T) {
	_, cal := render(t, true)
	ev := cal.Events()[0]
	if s, _ := ev.Props.Text("SUMMARY"); s != "数控加工高级工培训班" {
		t.Errorf("SUMMARY %q", s)
	}
	if s, _ := ev.Props.Text("DESCRIPTION"); !strings.Contains(s, "培训课程") || !strings.Contains(s, "CNC Machining, Advanced; Winter 2026") {
		t.Errorf("DESCRIPTION %q: want the kind in Chinese and the English title", s)
	}
	if name, _ := cal.Props.Text("X-WR-CALNAME"); name != "Alliance calendar" {
		t.Errorf("X-WR-CALNAME %q", name)
	}
}
