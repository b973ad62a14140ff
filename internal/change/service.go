package change

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/calendar"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// Service applies changes.
type Service struct {
	store *store.Store
	now   calendar.Clock
}

// New returns a Service writing through s; now gives the time of changes, and with it
// the alliance's day (time.Now when nil).
func New(s *store.Store, now calendar.Clock) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, now: now}
}

// today is the alliance's day (calendar.Today): the date changes are made on.
func (s *Service) today() time.Time { return calendar.Today(s.now()) }

// Bilingual is a name or title in both languages.
type Bilingual struct {
	En string
	Zh string
}

// SkillLevelInput is a skill at a level, as given.
type SkillLevelInput struct {
	SkillID string
	Level   int
}

// tx runs fn in one transaction. Refusals found inside fn (stale versions, missing rows,
// full openings) become user errors; anything else is an internal error.
func (s *Service) tx(ctx context.Context, fn func(*store.Tx) error) error {
	err := s.store.InTx(ctx, fn)
	switch {
	case errors.Is(err, store.ErrConflict):
		return refuse(Conflict, "version", "it changed since you read it; read it again and retry")
	case errors.Is(err, store.ErrNotFound):
		return refuse(NotFound, "id", "nothing you can change has this ID")
	}
	return err
}

func refuse(code Code, field, format string, args ...any) error {
	var p problems
	p.add(code, field, format, args...)
	return p.err()
}

// resourceScope is what the caller may see of the resources. Writes read resources
// through it, so a resource the caller may not see answers NOT_FOUND, as if it did not
// exist, and can be neither changed, nor applied for, nor enrolled in, nor linked to.
func resourceScope(ctx context.Context) store.Scope {
	return policy.ResourceScope(auth.ViewerFrom(ctx))
}

// event appends the change's event; the actor is the request's viewer.
func (s *Service) event(ctx context.Context, tx *store.Tx, kind store.EventKind, alliance *int64, subject string, payload map[string]any) error {
	return s.append(ctx, tx, store.Event{AllianceID: alliance, Kind: kind, SubjectID: subject}, payload)
}

// eventAbout appends an event that concerns r, as it is after the change, so that only
// those who may see the resource read it.
func (s *Service) eventAbout(ctx context.Context, tx *store.Tx, kind store.EventKind, subject string, r *store.Resource, payload map[string]any) error {
	return s.append(ctx, tx, about(kind, subject, r), payload)
}

// about is an event of kind about the resource r, restricted to those who may see r.
func about(kind store.EventKind, subject string, r *store.Resource) store.Event {
	return store.Event{AllianceID: &r.AllianceID, Kind: kind, SubjectID: subject, ResourceID: &r.ID, Restricted: !r.SharedWithAll}
}

func (s *Service) append(ctx context.Context, tx *store.Tx, e store.Event, payload map[string]any) error {
	v := auth.ViewerFrom(ctx)
	e.Actor, e.ActorRole = actor(v), store.ActorRole(v.Role)
	return write(ctx, tx, e, payload)
}

// write appends e with its payload, whoever made the change.
func write(ctx context.Context, tx *store.Tx, e store.Event, payload map[string]any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", e.Kind, err)
	}
	e.Payload = b
	if _, err := tx.AppendEvent(ctx, e); err != nil {
		return fmt.Errorf("append %s event: %w", e.Kind, err)
	}
	return nil
}

// Checks on input. Each records a user error at its field and returns a usable value,
// so that one pass finds every problem.

const (
	maxName        = 300
	maxDescription = 5000
	maxShort       = 200
	maxListItems   = 100
)

func (p *problems) text(field string, s string, required bool, max int) string {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		p.add(Required, field, "must not be empty")
	case utf8.RuneCountInString(s) > max:
		p.add(TooLong, field, "must be at most %d characters (got %d)", max, utf8.RuneCountInString(s))
	}
	return s
}

func (p *problems) optText(field string, s *string, max int) *string {
	if s == nil {
		return nil
	}
	t := p.text(field, *s, false, max)
	if t == "" {
		return nil
	}
	return &t
}

func (p *problems) bilingual(field string, b Bilingual) (en, zh string) {
	return p.text(field+".en", b.En, true, maxName), p.text(field+".zh", b.Zh, true, maxName)
}

func (p *problems) between(field string, n *int, lo, hi int) *int {
	if n != nil && (*n < lo || *n > hi) {
		p.add(OutOfRange, field, "must be between %d and %d (got %d)", lo, hi, *n)
	}
	return n
}

func (p *problems) ordered(field string, start, end *time.Time) {
	if start != nil && end != nil && end.Before(*start) {
		p.add(DatesOutOfOrder, field, "%s is before %s", end.Format(time.DateOnly), start.Format(time.DateOnly))
	}
}

func (p *problems) url(field string, s *string) *string {
	s = p.optText(field, s, maxShort)
	if s != nil {
		if u, err := url.Parse(*s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.add(Invalid, field, "must be an http or https URL")
		}
	}
	return s
}

func (p *problems) texts(field string, items []string, max int) []string {
	if len(items) > maxListItems {
		p.add(OutOfRange, field, "must hold at most %d items (got %d)", maxListItems, len(items))
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		if t := p.text(fmt.Sprintf("%s.%d", field, i), it, true, max); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// key parses a global ID of type t.
func (p *problems) key(field string, t relay.Type, id string) int64 {
	k, err := relay.ParseIDOf(t, id)
	if err != nil {
		p.add(Invalid, field, "is not the ID of a %s", t)
	}
	return k
}

func (p *problems) optKey(field string, t relay.Type, id *string) *int64 {
	if id == nil {
		return nil
	}
	k := p.key(field, t, *id)
	return &k
}

func (p *problems) keys(field string, t relay.Type, ids []string) []int64 {
	if len(ids) > maxListItems {
		p.add(OutOfRange, field, "must hold at most %d IDs (got %d)", maxListItems, len(ids))
	}
	out := make([]int64, 0, len(ids))
	seen := map[int64]bool{}
	for i, id := range ids {
		k := p.key(fmt.Sprintf("%s.%d", field, i), t, id)
		if seen[k] {
			p.add(Duplicate, fmt.Sprintf("%s.%d", field, i), "names the same object twice")
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}

func (p *problems) skillLevels(field string, in []SkillLevelInput) []store.SkillLevel {
	if len(in) > maxListItems {
		p.add(OutOfRange, field, "must hold at most %d skills (got %d)", maxListItems, len(in))
	}
	out := make([]store.SkillLevel, 0, len(in))
	seen := map[int64]bool{}
	for i, s := range in {
		f := fmt.Sprintf("%s.%d", field, i)
		k := p.key(f+".skillId", relay.TypeSkill, s.SkillID)
		if seen[k] {
			p.add(Duplicate, f+".skillId", "names the same skill twice")
		}
		seen[k] = true
		p.between(f+".level", &s.Level, 1, 5)
		out = append(out, store.SkillLevel{SkillID: k, Level: s.Level})
	}
	return out
}

// Existence checks run inside the transaction, after the input passed the checks above.

func (p *problems) exist(ctx context.Context, tx *store.Tx, what, field string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := tx.Existing(ctx, what, ids)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if !found[id] {
			f := field
			if len(ids) > 1 {
				f = fmt.Sprintf("%s.%d", field, i)
			}
			p.add(NotFound, f, "no %s has this ID", strings.ReplaceAll(what, "_", " "))
		}
	}
	return nil
}

// organizations checks that ids name organizations, of one of kinds when given.
func (p *problems) organizations(ctx context.Context, tx *store.Tx, field string, ids []int64, kinds ...store.OrganizationKind) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := tx.OrganizationKinds(ctx, ids)
	if err != nil {
		return err
	}
	for i, id := range ids {
		f := field
		if len(ids) > 1 || strings.HasSuffix(field, "sharedWith") {
			f = fmt.Sprintf("%s.%d", field, i)
		}
		kind, ok := found[id]
		switch {
		case !ok:
			p.add(NotFound, f, "no organization has this ID")
		case len(kinds) > 0 && !containsKind(kinds, kind):
			p.add(Invalid, f, "is a %s, not a %s", kind, kinds[0])
		}
	}
	return nil
}

func containsKind(kinds []store.OrganizationKind, k store.OrganizationKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
