package server

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/icalendar"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

const (
	// icsPast and icsAhead are the window a feed covers unless asked otherwise: the
	// month behind, for what just happened, and the rest of a year ahead.
	icsPast  = 30 * 24 * time.Hour
	icsAhead = calendar.MaxEntriesWindow - icsPast
	// icsMaxEntries bounds one feed; a wider one is refused before anything is written,
	// asking for a narrower window.
	icsMaxEntries = 10_000
	icsPage       = 500
)

// withTokenParameter lets a calendar application, which cannot set headers, pass its
// credential as ?token=: it becomes the request's Authorization header, so that the
// same authentication, rate limits and refusals apply as to /query. The request log
// records paths without their query, so the token is not written down.
func withTokenParameter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token := r.URL.Query().Get("token"); token != "" {
			if r.Header.Get("Authorization") != "" {
				writeGraphQLError(w, r, http.StatusBadRequest, errcode.BadRequest, "send the credential once: as the token parameter or in the Authorization header, not both", nil)
				return
			}
			r = r.Clone(r.Context())
			r.Header.Set("Authorization", "Bearer "+token)
		}
		next.ServeHTTP(w, r)
	})
}

// calendarFeed serves GET /calendar.ics: the entries Query.calendar lists, for the same
// viewer with the same visibility, as iCalendar. Parameters: from and to (RFC 3339
// instants or dates, at most 366 days apart; by default the past 30 days and the
// rest of a year ahead), kinds (comma-separated CalendarEntryKind values), organization
// (a global ID), lang (en or zh, the language of titles) and token. Cancelled entries
// are included, marked CANCELLED, so that subscribed applications remove them.
func calendarFeed(s *store.Store, clock calendar.Clock, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := clock()
		f, lang, bad := feedFilter(r, now)
		if bad != nil {
			writeGraphQLError(w, r, http.StatusBadRequest, bad.Code, bad.Message, map[string]any{"field": bad.Field})
			return
		}
		v := auth.ViewerFrom(r.Context())
		f.Visibility = policy.Visibility(v)
		var entries []store.CalendarEntry
		p := store.Page{Limit: icsPage}
		for {
			res, err := s.Calendar(r.Context(), f, p)
			if err != nil {
				log.ErrorContext(r.Context(), "calendar feed", "error", err)
				writeGraphQLError(w, r, http.StatusInternalServerError, errcode.Internal, "internal server error while reading the calendar", nil)
				return
			}
			entries = append(entries, res.Rows...)
			if len(entries) > icsMaxEntries {
				writeGraphQLError(w, r, http.StatusUnprocessableEntity, errcode.BadUserInput,
					fmt.Sprintf("the window holds more than %d entries: ask for a narrower one (from, to), fewer kinds or one organization", icsMaxEntries),
					map[string]any{"limit": icsMaxEntries})
				return
			}
			if !res.HasNext {
				break
			}
			last := res.Keys[len(res.Keys)-1]
			p.After = &last
		}
		names, err := feedNames(r, s, entries, f.Visibility.Resources, lang == "zh")
		if err != nil {
			log.ErrorContext(r.Context(), "calendar feed names", "error", err)
			writeGraphQLError(w, r, http.StatusInternalServerError, errcode.Internal, "internal server error while reading the calendar", nil)
			return
		}
		name := "Alliance calendar"
		if lang == "zh" {
			name = "联盟日历"
		}
		var buf bytes.Buffer
		if err := icalendar.Write(&buf, entries, names, icalendar.Options{Name: name, Chinese: lang == "zh", Now: now}); err != nil {
			log.ErrorContext(r.Context(), "calendar feed", "error", err)
			writeGraphQLError(w, r, http.StatusInternalServerError, errcode.Internal, "internal server error while writing the calendar", nil)
			return
		}
		w.Header().Set("Content-Type", icalendar.ContentType)
		w.Header().Set("Content-Disposition", `inline; filename="alliance.ics"`)
		// A feed with private entries is its viewer's alone.
		if v.Anonymous() {
			w.Header().Set("Cache-Control", "public, max-age=300")
		} else {
			w.Header().Set("Cache-Control", "private, no-store")
		}
		_, _ = w.Write(buf.Bytes())
	})
}

// feedFilter reads a feed's parameters.
func feedFilter(r *http.Request, now time.Time) (store.CalendarFilter, string, *errcode.Error) {
	q := r.URL.Query()
	from := calendar.Today(now).Add(-calendar.UTCOffset).Add(-icsPast)
	if s := q.Get("from"); s != "" {
		t, err := feedTime(s)
		if err != nil {
			return store.CalendarFilter{}, "", errcode.BadInput("from", "%s", err)
		}
		from = t
	}
	to := from.Add(calendar.MaxEntriesWindow)
	if q.Get("from") == "" {
		to = from.Add(icsPast + icsAhead)
	}
	if s := q.Get("to"); s != "" {
		t, err := feedTime(s)
		if err != nil {
			return store.CalendarFilter{}, "", errcode.BadInput("to", "%s", err)
		}
		to = t
	}
	if field, msg, ok := calendar.CheckEntriesWindow(from, to); !ok {
		return store.CalendarFilter{}, "", errcode.BadInput(field, "%s", msg)
	}
	f := store.CalendarFilter{From: from, To: to, Cancelled: true}
	if s := q.Get("kinds"); s != "" {
		for _, k := range strings.Split(s, ",") {
			kind := store.CalendarKind(strings.TrimSpace(k))
			if !kindKnown(kind) {
				return store.CalendarFilter{}, "", errcode.BadInput("kinds", "%q is not a kind of entry; the kinds are %s", k, kindList())
			}
			f.Kinds = append(f.Kinds, kind)
		}
	}
	if s := q.Get("organization"); s != "" {
		id, err := relay.ParseIDOf(relay.TypeOrganization, s)
		if err != nil {
			return store.CalendarFilter{}, "", errcode.BadInput("organization", "%s", err)
		}
		f.Organization = &id
	}
	lang := q.Get("lang")
	switch lang {
	case "", "en":
		lang = "en"
	case "zh":
	default:
		return store.CalendarFilter{}, "", errcode.BadInput("lang", "must be en or zh (got %q)", lang)
	}
	return f, lang, nil
}

// feedTime reads an RFC 3339 instant or a date, which begins at midnight in Shenyang.
func feedTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 instant (2026-12-01T08:00:00+08:00) nor a date (2026-12-01)", s)
	}
	return d.Add(-calendar.UTCOffset), nil
}

func kindKnown(k store.CalendarKind) bool {
	for _, c := range store.CalendarKinds {
		if c == k {
			return true
		}
	}
	return false
}

func kindList() string {
	names := make([]string, len(store.CalendarKinds))
	for i, k := range store.CalendarKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// feedNames reads the names of the organizations and facilities the entries name, in
// two statements whatever their number; facilities only as scope sees them.
func feedNames(r *http.Request, s *store.Store, entries []store.CalendarEntry, scope store.Scope, chinese bool) (icalendar.Names, error) {
	var orgs, facilities []int64
	for _, e := range entries {
		if e.OrganizationID != nil {
			orgs = append(orgs, *e.OrganizationID)
		}
		if e.FacilityID != nil {
			facilities = append(facilities, *e.FacilityID)
		}
	}
	names := icalendar.Names{Organizations: map[int64]string{}, Facilities: map[int64]string{}}
	if len(orgs) > 0 {
		rows, err := s.OrganizationsByID(r.Context(), orgs)
		if err != nil {
			return names, err
		}
		for id, o := range rows {
			names.Organizations[id] = pick(chinese, o.NameEn, o.NameZh)
		}
	}
	if len(facilities) > 0 {
		rows, err := s.ResourcesByID(r.Context(), scope, facilities)
		if err != nil {
			return names, err
		}
		for id, f := range rows {
			names.Facilities[id] = pick(chinese, f.TitleEn, f.TitleZh)
		}
	}
	return names, nil
}

func pick(chinese bool, en, zh string) string {
	if chinese && zh != "" {
		return zh
	}
	return en
}
