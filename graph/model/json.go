package model

import (
	"encoding/json"
	"errors"
	"io"
)

// JSON is a small JSON value passed through as it is stored.
type JSON json.RawMessage

// MarshalGQL writes the JSON as it is.
func (j JSON) MarshalGQL(w io.Writer) {
	if len(j) == 0 {
		io.WriteString(w, "{}")
		return
	}
	w.Write(j)
}

// UnmarshalGQL refuses input: JSON is an output-only scalar.
func (j *JSON) UnmarshalGQL(any) error { return errors.New("JSON is an output-only scalar") }
