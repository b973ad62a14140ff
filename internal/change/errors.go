// Package change applies writes to the alliance graph: it checks the caller's right to
// make the change, validates the input, and runs the change with its event in one
// transaction, so a change happens completely or not at all.
package change

import (
	"fmt"
	"strings"
)

// Code says why input was refused, for programs.
type Code string

// The codes of user errors, as in the GraphQL contract.
const (
	Required          Code = "REQUIRED"
	TooLong           Code = "TOO_LONG"
	OutOfRange        Code = "OUT_OF_RANGE"
	Invalid           Code = "INVALID"
	NotFound          Code = "NOT_FOUND"
	InvalidTransition Code = "INVALID_TRANSITION"
	DatesOutOfOrder   Code = "DATES_OUT_OF_ORDER"
	Duplicate         Code = "DUPLICATE"
	Conflict          Code = "CONFLICT"
	Full              Code = "FULL"
	// PendingInvitations: organizations named in the partnership have not answered, so it
	// cannot be signed or started yet.
	PendingInvitations Code = "PENDING_INVITATIONS"
	// EnrolmentClosed: the course takes no enrolments on this day: its enrolment window
	// has not opened yet, or the course has started or ended.
	EnrolmentClosed Code = "ENROLMENT_CLOSED"
	// Overlap: the facility is booked for part of the time asked for; the message names
	// the booking in the way.
	Overlap Code = "OVERLAP"
)

// UserError is one reason why input was refused.
type UserError struct {
	Field   []string
	Message string
	Code    Code
}

// Refused carries the user errors of a refused change; nothing was written.
type Refused struct{ Errors []UserError }

func (r *Refused) Error() string {
	msgs := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		msgs[i] = strings.Join(e.Field, ".") + ": " + e.Message
	}
	return "refused: " + strings.Join(msgs, "; ")
}

// problems collects user errors while input is checked.
type problems struct{ list []UserError }

func (p *problems) add(code Code, field string, format string, args ...any) {
	p.list = append(p.list, UserError{Field: append([]string{"input"}, strings.Split(field, ".")...), Message: fmt.Sprintf(format, args...), Code: code})
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &Refused{Errors: p.list}
}
