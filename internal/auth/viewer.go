// Package auth tells who is calling: it verifies the bearer credential of a request, a
// JWT signed with the server's HS256 key or an API key kept in the database, and puts the
// resulting Viewer in the request's context.
package auth

import (
	"context"
	"fmt"
	"time"
)

// Role is what a viewer may do. The values mirror the api_key.role CHECK constraint.
type Role string

// The roles.
const (
	RoleAdmin   Role = "ADMIN"   // runs the alliance: may change anything
	RoleMember  Role = "MEMBER"  // acts for one member organization
	RoleAnalyst Role = "ANALYST" // reads everything, changes nothing
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleMember || r == RoleAnalyst
}

// ParseRole reads a role name such as "ADMIN".
func ParseRole(s string) (Role, error) {
	if r := Role(s); r.Valid() {
		return r, nil
	}
	return "", fmt.Errorf("role %q is not ADMIN, MEMBER or ANALYST", s)
}

// checkOrganization enforces that a MEMBER acts for exactly one organization and the
// other roles for none.
func checkOrganization(r Role, org int64) error {
	switch {
	case r == RoleMember && org <= 0:
		return fmt.Errorf("role MEMBER needs an organization")
	case r != RoleMember && org != 0:
		return fmt.Errorf("role %s cannot be bound to an organization; only MEMBER is", r)
	}
	return nil
}

// Viewer is who makes a request.
type Viewer struct {
	Role           Role
	OrganizationID int64     // store key of the organization a MEMBER acts for, 0 if none
	Subject        string    // who: a JWT's sub, or "apikey:<prefix>"
	ExpiresAt      time.Time // when the credential expires; zero for API keys without an expiry
}

// Anonymous reports whether the request carried no credential.
func (v Viewer) Anonymous() bool { return v.Role == "" }

type viewerKey struct{}

// WithViewer returns ctx carrying v.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer ctx carries; anonymous when it carries none.
func ViewerFrom(ctx context.Context) Viewer {
	v, _ := ctx.Value(viewerKey{}).(Viewer)
	return v
}
