// Package migrations embeds the numbered SQL migrations so that the binary carries its
// own schema and applies it on start-up.
package migrations

import "embed"

// FS holds every migration file, in goose's numbered-SQL format.
//
//go:embed *.sql
var FS embed.FS
