// Package relay implements the Relay server conventions the API follows: opaque global
// IDs, opaque cursors and the limits on page sizes.
package relay

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxPageSize caps first and last, so that no single page can be made arbitrarily costly.
const MaxPageSize = 100

// DefaultPageSize applies when a connection is asked for without first or last.
const DefaultPageSize = 20

// Type names the kind of object a global ID refers to: one per table of the store.
type Type string

// The types of global ID.
const (
	TypeAlliance       Type = "Alliance"
	TypeOrganization   Type = "Organization"
	TypeMembership     Type = "Membership"
	TypePartnership    Type = "Partnership"
	TypeTrainingCenter Type = "TrainingCenter"
	TypeResource       Type = "Resource"
	TypeSkill          Type = "Skill"
	TypeTalent         Type = "Talent"
	TypePlacement      Type = "Placement"
	TypeEvent          Type = "Event"
	TypeBooking        Type = "FacilityBooking"
	TypeSecondment     Type = "Secondment"
	TypeEnrollment     Type = "Enrollment"
	TypeCertificate    Type = "Certificate"
	TypeCompetition    Type = "Competition"
	TypeRegistration   Type = "CompetitionRegistration"
)

var knownTypes = map[Type]bool{
	TypeAlliance: true, TypeOrganization: true, TypeMembership: true, TypePartnership: true,
	TypeTrainingCenter: true, TypeResource: true, TypeSkill: true, TypeTalent: true, TypePlacement: true, TypeEvent: true,
	TypeBooking:    true,
	TypeSecondment: true,
	TypeEnrollment: true, TypeCertificate: true, TypeCompetition: true, TypeRegistration: true,
}

// ErrMalformedID reports an ID that this server did not issue.
var ErrMalformedID = errors.New("not an ID issued by this API")

// ID returns the global ID of the row key of type t.
func ID(t Type, key int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(string(t) + ":" + strconv.FormatInt(key, 10)))
}

// ParseID splits a global ID into its type and row key.
func ParseID(id string) (Type, int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return "", 0, ErrMalformedID
	}
	t, k, ok := strings.Cut(string(raw), ":")
	if !ok || !knownTypes[Type(t)] {
		return "", 0, ErrMalformedID
	}
	key, err := strconv.ParseInt(k, 10, 64)
	if err != nil || key <= 0 {
		return "", 0, ErrMalformedID
	}
	// One object, one ID: refuse spellings that decode to the same key (leading zeros,
	// signs, stray newlines, non-canonical base64), so IDs can be compared as strings.
	if ID(Type(t), key) != id {
		return "", 0, ErrMalformedID
	}
	return Type(t), key, nil
}

// ParseIDOf parses a global ID that must be of type want.
func ParseIDOf(want Type, id string) (int64, error) {
	t, key, err := ParseID(id)
	if err != nil {
		return 0, err
	}
	if t != want {
		return 0, fmt.Errorf("is the ID of a %s, not of a %s", t, want)
	}
	return key, nil
}

// Cursor is a position in a sorted list. It records the order it was issued for, so that
// a cursor reused with another orderBy is refused rather than silently misread.
type Cursor struct {
	Order string `json:"o"`
	Sort  string `json:"s"`
	ID    int64  `json:"i"`
}

// String encodes the cursor opaquely.
func (c Cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor decodes a cursor issued for order.
func ParseCursor(s, order string) (Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, errors.New("is not a cursor issued by this API")
	}
	var c Cursor
	if err := json.Unmarshal(raw, &c); err != nil || c.ID <= 0 {
		return Cursor{}, errors.New("is not a cursor issued by this API")
	}
	if c.Order != order {
		return Cursor{}, fmt.Errorf("was issued for a list sorted by %s, not by %s", c.Order, order)
	}
	return c, nil
}

// PageArgs are the paging arguments of a connection field.
type PageArgs struct {
	First  *int
	After  *string
	Last   *int
	Before *string
}

// ArgError names the argument that is wrong and why.
type ArgError struct {
	Arg    string
	Reason string
}

func (e *ArgError) Error() string { return fmt.Sprintf("argument %q %s", e.Arg, e.Reason) }

// Window is a validated page request.
type Window struct {
	Limit    int
	Backward bool
	After    *Cursor
	Before   *Cursor
}

// Given is the cursor argument c, or nil when it asks for none: absent, or empty, which is
// how clients without optional values (genqlient, for one) send "no cursor".
func Given(c *string) *string {
	if c == nil || *c == "" {
		return nil
	}
	return c
}

// Validate checks the paging arguments for a list sorted by order.
func (a PageArgs) Validate(order string) (Window, error) {
	a.After, a.Before = Given(a.After), Given(a.Before)
	if a.First != nil && a.Last != nil {
		return Window{}, &ArgError{"last", "cannot be combined with \"first\"; page forwards with first/after or backwards with last/before"}
	}
	w := Window{Limit: DefaultPageSize}
	for _, n := range []struct {
		name string
		v    *int
	}{{"first", a.First}, {"last", a.Last}} {
		if n.v == nil {
			continue
		}
		if *n.v < 0 {
			return Window{}, &ArgError{n.name, fmt.Sprintf("must not be negative (got %d)", *n.v)}
		}
		if *n.v > MaxPageSize {
			return Window{}, &ArgError{n.name, fmt.Sprintf("must be at most %d (got %d); page with cursors to read more", MaxPageSize, *n.v)}
		}
		w.Limit = *n.v
	}
	// A lone before reads backwards from it, as the Relay specification's algorithm does.
	w.Backward = a.Last != nil || (a.First == nil && a.Before != nil && a.After == nil)
	for _, c := range []struct {
		name string
		v    *string
		dst  **Cursor
	}{{"after", a.After, &w.After}, {"before", a.Before, &w.Before}} {
		if c.v == nil {
			continue
		}
		cur, err := ParseCursor(*c.v, order)
		if err != nil {
			return Window{}, &ArgError{c.name, err.Error()}
		}
		*c.dst = &cur
	}
	return w, nil
}
