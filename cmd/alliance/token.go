package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/config"
	"github.com/alliance-graph/alliance-graph/internal/database"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

const tokenUsage = `usage: alliance token <subcommand> [flags]

subcommands:
  create --role ADMIN|MEMBER|ANALYST [--organization ID] [--ttl 24h] [--subject NAME]
            print a signed JWT (MEMBER needs --organization, a global ID or numeric key)
  create --api-key --name NAME --role ADMIN|MEMBER|ANALYST [--organization ID]
         [--expires-in 2160h | --expires-at 2027-06-30T00:00:00Z]
            create an API key and print it; it is shown this once only. It expires
            after 90 days unless told otherwise (--expires-in 0: never)
  revoke --prefix PREFIX
            revoke the API key whose prefix (ak_<prefix>_...) is given
  list      list API keys: prefix, name, role, organization, created, expires, revoked, last used

Run "alliance token <subcommand> -h" for its flags.
`

// tokenCommand runs `alliance token ...`: the token itself, or the API key, goes to
// stdout and nothing else does; notes and errors go to stderr.
func tokenCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, tokenUsage)
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("alliance token "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	databaseURL := settingFlag(fs, "database-url", getenv)
	// check validates the flags before the database is opened; run does the work.
	check := func() error { return nil }
	var run func(context.Context, *store.Store) error
	switch sub {
	case "create":
		c := &tokenCreate{jwtSecret: settingFlag(fs, "jwt-secret", getenv)}
		fs.StringVar(&c.role, "role", "", "ADMIN, MEMBER or ANALYST (required)")
		fs.StringVar(&c.organization, "organization", "", "organization a MEMBER acts for: its global ID or numeric key (required with MEMBER only)")
		fs.DurationVar(&c.ttl, "ttl", 24*time.Hour, "lifetime of the JWT")
		fs.StringVar(&c.subject, "subject", "cli", "who the JWT stands for (its sub claim)")
		fs.BoolVar(&c.apiKey, "api-key", false, "create an API key instead of a JWT")
		fs.StringVar(&c.name, "name", "", "name of the API key (required with --api-key)")
		fs.DurationVar(&c.expiresIn, "expires-in", DefaultAPIKeyLifetime, "lifetime of the API key, after which it is refused like a revoked one; 0: it never expires")
		fs.StringVar(&c.expiresAt, "expires-at", "", "when the API key expires, as RFC 3339 (2027-06-30T00:00:00Z) or a date (2027-06-30, midnight UTC); instead of --expires-in")
		check = func() error { return c.check(fs) }
		run = func(ctx context.Context, s *store.Store) error { return c.run(ctx, s, stdout, stderr) }
	case "revoke":
		var prefix string
		fs.StringVar(&prefix, "prefix", "", "prefix of the API key to revoke, as `alliance token list` shows it (required)")
		check = func() error { return checkPrefix(prefix) }
		run = func(ctx context.Context, s *store.Store) error { return revokeAPIKey(ctx, s, prefix, stdout) }
	case "list":
		run = func(ctx context.Context, s *store.Store) error { return listAPIKeys(ctx, s, stdout) }
	default:
		fmt.Fprintf(stderr, "alliance token: unknown subcommand %q\n\n%s", sub, tokenUsage)
		return errUsage
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintf(stderr, "usage: alliance token %s [flags]\n\nflags:\n", sub)
			fs.PrintDefaults()
			return errUsage
		}
		return fmt.Errorf("token %s: %w", sub, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("token %s: unexpected argument %q", sub, fs.Arg(0))
	}
	if err := check(); err != nil {
		return err
	}
	if _, err := database.ParseTarget(*databaseURL); err != nil {
		return fmt.Errorf("--database-url: %w", err)
	}
	db, err := database.Open(ctx, *databaseURL, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := database.Migrate(ctx, db.DB); err != nil {
		return err
	}
	return run(ctx, store.New(db, nil))
}

// settingFlag declares the flag of a shared setting (config.Settings), its value taken
// from the environment like the other commands'. Help shows the table's default, never
// the environment's value (a secret or a password).
func settingFlag(fs *flag.FlagSet, name string, getenv func(string) string) *string {
	for _, s := range config.Settings {
		if s.Flag == name {
			v := fs.String(name, s.Default, fmt.Sprintf("%s (env %s)", s.Usage, s.Env))
			if e := getenv(s.Env); e != "" {
				*v = e
			}
			return v
		}
	}
	panic("no setting " + name) // a programming error: the names above are constants
}

type tokenCreate struct {
	jwtSecret    *string
	role         string
	organization string
	ttl          time.Duration
	subject      string
	apiKey       bool
	name         string
	expiresIn    time.Duration
	expiresAt    string
	parsedRole   auth.Role // set by check
	expires      time.Time // set by check: when the API key expires; zero: never
}

// DefaultAPIKeyLifetime is how long a new API key lasts unless --expires-in or
// --expires-at says otherwise: a key forgotten in a script or a leaked config stops
// working on its own. Keys created before keys could expire keep no expiry.
const DefaultAPIKeyLifetime = 90 * 24 * time.Hour

// check validates the flags, all but the organization's existence.
func (c *tokenCreate) check(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if c.role == "" {
		return errors.New("token create: --role is required (ADMIN, MEMBER or ANALYST)")
	}
	role, err := auth.ParseRole(strings.ToUpper(c.role))
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	c.parsedRole = role
	if c.apiKey {
		for _, f := range []string{"ttl", "subject"} {
			if set[f] {
				return fmt.Errorf("--%s does not apply to API keys (they stand for apikey:<prefix>, and --expires-in or --expires-at sets when they expire)", f)
			}
		}
		if c.name == "" {
			return errors.New("token create --api-key: --name is required")
		}
		expires, err := c.expiry(set, time.Now())
		if err != nil {
			return err
		}
		c.expires = expires
	} else {
		if set["name"] {
			return errors.New("--name applies to API keys only; add --api-key, or use --subject to name who a JWT stands for")
		}
		for _, f := range []string{"expires-in", "expires-at"} {
			if set[f] {
				return fmt.Errorf("--%s applies to API keys only; a JWT's lifetime is --ttl", f)
			}
		}
		if c.ttl <= 0 {
			return fmt.Errorf("--ttl: %v is not a positive duration such as 1h or 720h", c.ttl)
		}
	}
	switch {
	case role == auth.RoleMember && c.organization == "":
		return errors.New("--organization is required with --role MEMBER: a member acts for one organization")
	case role != auth.RoleMember && c.organization != "":
		return fmt.Errorf("--organization applies to --role MEMBER only, not %s", role)
	}
	return nil
}

// expiry reads --expires-in or --expires-at (not both): when the key expires, the zero
// time for never.
func (c *tokenCreate) expiry(set map[string]bool, now time.Time) (time.Time, error) {
	if set["expires-in"] && set["expires-at"] {
		return time.Time{}, errors.New("--expires-in and --expires-at both say when the key expires; give one")
	}
	if set["expires-at"] {
		at, err := time.Parse(time.RFC3339, c.expiresAt)
		if err != nil {
			if at, err = time.Parse(time.DateOnly, c.expiresAt); err != nil {
				return time.Time{}, fmt.Errorf("--expires-at: %q is neither RFC 3339 (2027-06-30T00:00:00Z) nor a date (2027-06-30)", c.expiresAt)
			}
		}
		if !at.After(now) {
			return time.Time{}, fmt.Errorf("--expires-at: %s is not in the future", at.UTC().Format(time.RFC3339))
		}
		return at.UTC(), nil
	}
	switch {
	case c.expiresIn < 0:
		return time.Time{}, fmt.Errorf("--expires-in: %v is negative; give a duration such as 720h, or 0 for a key that never expires", c.expiresIn)
	case c.expiresIn == 0:
		return time.Time{}, nil
	}
	return now.Add(c.expiresIn).UTC().Truncate(time.Second), nil
}

func (c *tokenCreate) run(ctx context.Context, s *store.Store, stdout, stderr io.Writer) error {
	role := c.parsedRole
	org, err := c.organizationKey(ctx, s)
	if err != nil {
		return err
	}
	if c.apiKey {
		key, row, err := auth.CreateAPIKeyUntil(ctx, s, c.name, role, org, c.expires)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, key)
		expiry := "it never expires"
		if row.ExpiresAt != nil {
			expiry = "it expires at " + formatTime(row.ExpiresAt)
		}
		fmt.Fprintf(stderr, "Created API key %s (%q, %s; %s). This is the only time it is shown: store it now, it cannot be shown again.\n", row.Prefix, row.Name, row.Role, expiry)
		return nil
	}
	key, err := auth.SigningKey(ctx, s, *c.jwtSecret)
	if err != nil {
		return err
	}
	tok, err := auth.New(auth.Config{Key: key}, s).IssueToken(auth.Viewer{Role: role, OrganizationID: org, Subject: c.subject}, c.ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// organizationKey reads --organization, a global ID or a numeric store key, and checks
// that the organization exists; 0 if there is none.
func (c *tokenCreate) organizationKey(ctx context.Context, s *store.Store) (int64, error) {
	if c.organization == "" {
		return 0, nil
	}
	key, err := strconv.ParseInt(c.organization, 10, 64)
	if err != nil {
		key, err = relay.ParseIDOf(relay.TypeOrganization, c.organization)
		if err != nil {
			return 0, fmt.Errorf("--organization: %q is neither an organization's global ID nor its numeric key: %w", c.organization, err)
		}
	}
	if key <= 0 {
		return 0, fmt.Errorf("--organization: %d is not a valid key", key)
	}
	orgs, err := s.OrganizationsByID(ctx, []int64{key})
	if err != nil {
		return 0, fmt.Errorf("check --organization: %w", err)
	}
	if orgs[key] == nil {
		return 0, fmt.Errorf("--organization: no organization %s (key %d) exists", relay.ID(relay.TypeOrganization, key), key)
	}
	return key, nil
}

// validPrefix mirrors the api_key.prefix CHECK constraint.
func validPrefix(p string) bool {
	if len(p) < 8 || len(p) > 16 {
		return false
	}
	for _, c := range p {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func checkPrefix(prefix string) error {
	if prefix == "" {
		return errors.New("token revoke: --prefix is required (see `alliance token list`)")
	}
	if !validPrefix(prefix) {
		return fmt.Errorf("--prefix: %q is not an API key prefix (the lowercase letters and digits after ak_)", prefix)
	}
	return nil
}

func revokeAPIKey(ctx context.Context, s *store.Store, prefix string, stdout io.Writer) error {
	before, err := s.APIKeyByPrefix(ctx, prefix)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("--prefix: no API key has prefix %s", prefix)
	}
	if err != nil {
		return err
	}
	if before.RevokedAt != nil {
		fmt.Fprintf(stdout, "API key %s (%q) was already revoked at %s\n", prefix, before.Name, formatTime(before.RevokedAt))
		return nil
	}
	row, err := s.RevokeAPIKey(ctx, prefix)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked API key %s (%q) at %s\n", prefix, row.Name, formatTime(row.RevokedAt))
	return nil
}

func listAPIKeys(ctx context.Context, s *store.Store, stdout io.Writer) error {
	keys, err := s.APIKeys(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "PREFIX\tNAME\tROLE\tORGANIZATION\tCREATED\tEXPIRES\tREVOKED\tLAST USED")
	for _, k := range keys {
		org := "-"
		if k.OrganizationID != nil {
			org = relay.ID(relay.TypeOrganization, *k.OrganizationID)
		}
		expires := "never"
		if k.ExpiresAt != nil {
			expires = formatTime(k.ExpiresAt)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.Prefix, strconv.Quote(k.Name), k.Role, org,
			formatTime(&k.CreatedAt), expires, formatTime(k.RevokedAt), formatTime(k.LastUsedAt))
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write API key list: %w", err)
	}
	return nil
}

func formatTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
