package model

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/alliance-graph/alliance-graph/internal/errcode"
)

// MarshalDate writes a calendar date as YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads a calendar date given as YYYY-MM-DD.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, &errcode.Error{Code: errcode.BadUserInput, Message: fmt.Sprintf("a Date must be a string in the form YYYY-MM-DD, got %T", v)}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, &errcode.Error{Code: errcode.BadUserInput, Message: fmt.Sprintf("%q is not a date in the form YYYY-MM-DD", s)}
	}
	return t, nil
}

// MarshalDateTime writes a DateTime in RFC 3339, as gqlgen's Time does.
func MarshalDateTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalDateTime reads an RFC 3339 DateTime. A value that is not one is the caller's
// mistake (BAD_USER_INPUT at the argument's path), not an internal error.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, &errcode.Error{Code: errcode.BadUserInput, Message: fmt.Sprintf("a DateTime must be a string in RFC 3339 form such as 2026-12-03T08:00:00Z, got %T", v)}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, &errcode.Error{Code: errcode.BadUserInput, Message: fmt.Sprintf("%q is not a DateTime in RFC 3339 form such as 2026-12-03T08:00:00Z", s)}
	}
	return t, nil
}
