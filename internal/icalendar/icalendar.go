// Package icalendar renders the alliance's calendar as iCalendar (RFC 5545), the form
// calendar applications subscribe to. Every entry keeps its UID across reads and counts
// its changes in SEQUENCE, so that a subscribed application updates the events it shows
// instead of adding new ones; cancelled entries stay in the feed as CANCELLED.
package icalendar

import (
	"fmt"
	"io"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// ContentType is the media type of a rendered calendar.
const ContentType = "text/calendar; charset=utf-8"

// Names are the names the entries' ids stand for, in the feed's language: the
// organizations that hold entries and the facilities they take place in. An id without
// a name (a row the reader may not see) is left out of the entry.
type Names struct {
	Organizations map[int64]string
	Facilities    map[int64]string
}

// Options are what a feed says of itself.
type Options struct {
	// Name is the calendar's display name (X-WR-CALNAME).
	Name string
	// Chinese titles the entries in Chinese rather than English; the other language
	// goes in each description.
	Chinese bool
	// Now stamps entries whose last change is unknown.
	Now time.Time
}

// shenyang is the zone whole-day entries are dated in.
var shenyang = time.FixedZone("CST", int(calendar.UTCOffset/time.Second))

// kindNames are how each kind reads in a description.
var kindNames = map[store.CalendarKind][2]string{
	store.CalendarCourse:       {"Training course", "培训课程"},
	store.CalendarClassMeeting: {"Class meeting", "课堂"},
	store.CalendarBooking:      {"Facility booking", "场地预约"},
	store.CalendarCompetition:  {"Skills competition", "技能竞赛"},
	store.CalendarSecondment:   {"Teacher secondment", "教师借调"},
	store.CalendarDeadline:     {"Competition registration deadline", "竞赛报名截止"},
}

// Write renders entries as one VCALENDAR to w.
func Write(w io.Writer, entries []store.CalendarEntry, names Names, o Options) error {
	cal := ics.NewCalendarFor("alliance-graph")
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	if o.Name != "" {
		cal.SetName(o.Name)
		cal.SetXWRCalName(o.Name)
	}
	cal.SetXWRTimezone("Asia/Shanghai")
	for i := range entries {
		e := &entries[i]
		ev := cal.AddEvent(store.CalendarUID(e))
		stamp := o.Now
		if e.Modified != nil {
			stamp = *e.Modified
			ev.SetLastModifiedAt(*e.Modified)
		}
		ev.SetDtStampTime(stamp)
		ev.SetSequence(e.Sequence)
		if e.AllDay {
			ev.SetAllDayStartAt(e.Start.In(shenyang))
			ev.SetAllDayEndAt(e.End.In(shenyang))
		} else {
			ev.SetStartAt(e.Start)
			ev.SetEndAt(e.End)
		}
		title, other := e.TitleEn, e.TitleZh
		kind := kindNames[e.Kind]
		label := kind[0]
		if o.Chinese {
			title, other, label = e.TitleZh, e.TitleEn, kind[1]
		}
		ev.SetSummary(title)
		desc := []string{label}
		if other != title {
			desc = append(desc, other)
		}
		if e.OrganizationID != nil {
			if name, ok := names.Organizations[*e.OrganizationID]; ok {
				desc = append(desc, name)
			}
		}
		ev.SetDescription(strings.Join(desc, "\n"))
		ev.AddCategory(string(e.Kind))
		if e.FacilityID != nil {
			if name, ok := names.Facilities[*e.FacilityID]; ok {
				ev.SetLocation(name)
			}
		}
		status := ics.ObjectStatusConfirmed
		switch {
		case e.Cancelled:
			status = ics.ObjectStatusCancelled
		case e.Tentative:
			status = ics.ObjectStatusTentative
		}
		ev.SetStatus(status)
		// Bookings hold their facility; courses and competitions span days without
		// making anyone busy all day.
		transparency := ics.TransparencyOpaque
		if e.AllDay {
			transparency = ics.TransparencyTransparent
		}
		ev.SetTimeTransparency(transparency)
	}
	// RFC 5545 ends lines with CRLF; the library's default is a bare LF.
	if err := cal.SerializeTo(w, ics.WithNewLine("\r\n")); err != nil {
		return fmt.Errorf("write the calendar: %w", err)
	}
	return nil
}
