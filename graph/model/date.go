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
