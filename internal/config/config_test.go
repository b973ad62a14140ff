package config

import (
	"errors"
	"flag"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// env is a fake environment: Parse must read variables only through the getenv it is
// given, never from the process.
type env map[string]string

func (e env) get(name string) string { return e[name] }

var commands = []string{"serve", "migrate", "seed"}

// defaults is the Config every command yields with no flags and an empty environment.
func defaults() Config {
	return Config{
		Addr:           ":8080",
		DatabaseURL:    DefaultDatabaseURL,
		NoDemo:         false,
		OneStatement:   true,
		BatchIdle:      time.Millisecond,
		BatchMaxWait:   25 * time.Millisecond,
		RequestTimeout: 30 * time.Second,
		ShutdownGrace:  15 * time.Second,
		LogLevel:       slog.LevelInfo,
		Scale:          1,
		Reset:          false,

		Playground:           true,
		Dashboard:            true,
		APQCacheSize:         1000,
		FreeFormRoles:        []string{"ADMIN", "ANALYST"},
		MetricsMaxOperations: 200,
		ReadyTimeout:         2 * time.Second,
		DatabaseWait:         5 * time.Minute,
		MaxDepth:             20,
		MaxComplexity:        50000,
		MaxComplexityMember:  100000,
		MaxComplexityAnalyst: 300000,
		MaxComplexityAdmin:   300000,
		MaxInFlight:          8,
		MaxWorkInFlight:      60000,
		CostRate:             25000,
		CostBurst:            150000,
		DocumentCacheBytes:   64 << 20,
		APQCacheBytes:        16 << 20,
		MaxTokens:            15000,
		MaxRepeats:           30,
		MaxBodyBytes:         1 << 20,
		RateLimit:            20,
		RateBurst:            60,
		Introspection:        true,
		WSMaxOperations:      100,
		MaxConnections:       32,
		StreamWriteTimeout:   10 * time.Second,
		CredentialCheck:      2 * time.Second,
	}
}

// cmpConfig treats a nil and an empty Args alike.
var cmpConfig = cmpopts.EquateEmpty()

func TestParseDefaults(t *testing.T) {
	for _, command := range commands {
		t.Run(command, func(t *testing.T) {
			got, err := Parse(command, nil, env{}.get)
			if err != nil {
				t.Fatalf("Parse(%s) with no flags and no environment: %v", command, err)
			}
			if diff := cmp.Diff(defaults(), got, cmpConfig); diff != "" {
				t.Errorf("defaults differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultsMatchSettingsTable(t *testing.T) {
	// The Settings table feeds --help and the README, so its defaults must be those Parse
	// applies: feeding every default back in as a flag changes nothing.
	for _, command := range commands {
		t.Run(command, func(t *testing.T) {
			var args []string
			for _, s := range Settings {
				for _, c := range s.Commands {
					if c == command {
						args = append(args, "--"+s.Flag+"="+s.Default)
					}
				}
			}
			got, err := Parse(command, args, env{}.get)
			if err != nil {
				t.Fatalf("Parse(%s, %q): %v", command, args, err)
			}
			if diff := cmp.Diff(defaults(), got, cmpConfig); diff != "" {
				t.Errorf("Settings defaults differ from Parse's (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		command string
		env     env
		want    func(*Config)
	}{
		{"serve reads every serve variable", "serve", env{
			"ADDR":            "127.0.0.1:9000",
			"DATABASE_URL":    "postgres://u@db:6543/other?sslmode=require",
			"NO_DEMO":         "true",
			"BATCH_IDLE":      "3ms",
			"BATCH_MAX_WAIT":  "40ms",
			"REQUEST_TIMEOUT": "1m",
			"SHUTDOWN_GRACE":  "2s",
			"LOG_LEVEL":       "debug",
		}, func(c *Config) {
			c.Addr = "127.0.0.1:9000"
			c.DatabaseURL = "postgres://u@db:6543/other?sslmode=require"
			c.NoDemo = true
			c.BatchIdle = 3 * time.Millisecond
			c.BatchMaxWait = 40 * time.Millisecond
			c.RequestTimeout = time.Minute
			c.ShutdownGrace = 2 * time.Second
			c.LogLevel = slog.LevelDebug
		}},
		{"boolean variable as 1", "serve", env{"NO_DEMO": "1"}, func(c *Config) { c.NoDemo = true }},
		{"read replica from environment", "serve", env{"READ_DATABASE_URL": "postgres://r@replica/alliance"}, func(c *Config) { c.ReadDatabaseURL = "postgres://r@replica/alliance" }},
		{"log level warn", "serve", env{"LOG_LEVEL": "warn"}, func(c *Config) { c.LogLevel = slog.LevelWarn }},
		{"log level in capitals", "migrate", env{"LOG_LEVEL": "ERROR"}, func(c *Config) { c.LogLevel = slog.LevelError }},
		{"postgresql scheme", "migrate", env{"DATABASE_URL": "postgresql://h/db"}, func(c *Config) { c.DatabaseURL = "postgresql://h/db" }},
		{"migrate reads its variables", "migrate", env{"DATABASE_URL": "postgres://h/m", "LOG_LEVEL": "warn"}, func(c *Config) {
			c.DatabaseURL = "postgres://h/m"
			c.LogLevel = slog.LevelWarn
		}},
		{"seed reads its variables", "seed", env{"DATABASE_URL": "postgres://h/s", "SEED_SCALE": "50", "SEED_RESET": "true", "LOG_LEVEL": "error"}, func(c *Config) {
			c.DatabaseURL = "postgres://h/s"
			c.Scale = 50
			c.Reset = true
			c.LogLevel = slog.LevelError
		}},
		{"scale at its maximum", "seed", env{"SEED_SCALE": "10000"}, func(c *Config) { c.Scale = 10000 }},
		{"standards settings", "serve", env{"PLAYGROUND": "false", "DASHBOARD": "false", "APQ_CACHE_SIZE": "0", "TRUSTED_DOCUMENTS": "/etc/alliance/docs.json", "FREE_FORM_ROLES": " analyst "}, func(c *Config) {
			c.Playground = false
			c.Dashboard = false
			c.APQCacheSize = 0
			c.TrustedDocuments = "/etc/alliance/docs.json"
			c.FreeFormRoles = []string{"ANALYST"}
		}},
		{"no free-form roles", "serve", env{"FREE_FORM_ROLES": "NONE"}, func(c *Config) { c.FreeFormRoles = []string{} }},
		{"repeated free-form roles count once", "serve", env{"FREE_FORM_ROLES": "admin,MEMBER,Admin"}, func(c *Config) { c.FreeFormRoles = []string{"ADMIN", "MEMBER"} }},
		{"empty variable means unset", "serve", env{"ADDR": "", "BATCH_IDLE": "", "NO_DEMO": ""}, func(*Config) {}},
		// A variable of a setting the command does not have is ignored, even if invalid.
		{"serve ignores seed variables", "serve", env{"SEED_SCALE": "x", "SEED_RESET": "maybe"}, func(*Config) {}},
		{"migrate ignores serve variables", "migrate", env{"ADDR": "no-colon", "BATCH_IDLE": "0", "NO_DEMO": "maybe"}, func(*Config) {}},
		{"seed ignores serve variables", "seed", env{"ADDR": "no-colon", "REQUEST_TIMEOUT": "-1s"}, func(*Config) {}},
		{"variables under other names are ignored", "serve", env{"PORT": "1", "addr": ":1", "SCALE": "x"}, func(*Config) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.command, nil, tt.env.get)
			if err != nil {
				t.Fatalf("Parse(%s) with %v: %v", tt.command, tt.env, err)
			}
			want := defaults()
			tt.want(&want)
			if diff := cmp.Diff(want, got, cmpConfig); diff != "" {
				t.Errorf("config differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFlagsOverrideEnvironment(t *testing.T) {
	serveEnv := env{
		"ADDR":            ":1111",
		"DATABASE_URL":    "postgres://env@envhost/envdb",
		"NO_DEMO":         "true",
		"BATCH_IDLE":      "9ms",
		"BATCH_MAX_WAIT":  "90ms",
		"REQUEST_TIMEOUT": "9s",
		"SHUTDOWN_GRACE":  "9s",
		"LOG_LEVEL":       "error",
	}
	tests := []struct {
		name    string
		command string
		env     env
		args    []string
		want    func(*Config)
	}{
		{"every serve flag", "serve", serveEnv, []string{
			"--addr", ":2222",
			"--database-url=postgres://flag@flaghost/flagdb",
			"--no-demo=false",
			"-batch-idle", "2ms",
			"-batch-max-wait=20ms",
			"--request-timeout", "5s",
			"--shutdown-grace", "1s",
			"--log-level", "debug",
		}, func(c *Config) {
			c.Addr = ":2222"
			c.DatabaseURL = "postgres://flag@flaghost/flagdb"
			c.NoDemo = false
			c.BatchIdle = 2 * time.Millisecond
			c.BatchMaxWait = 20 * time.Millisecond
			c.RequestTimeout = 5 * time.Second
			c.ShutdownGrace = time.Second
			c.LogLevel = slog.LevelDebug
		}},
		{"one flag leaves the other variables applied", "serve", serveEnv, []string{"--addr=:3333"}, func(c *Config) {
			c.Addr = ":3333"
			c.DatabaseURL = "postgres://env@envhost/envdb"
			c.NoDemo = true
			c.BatchIdle = 9 * time.Millisecond
			c.BatchMaxWait = 90 * time.Millisecond
			c.RequestTimeout = 9 * time.Second
			c.ShutdownGrace = 9 * time.Second
			c.LogLevel = slog.LevelError
		}},
		{"flag repairs an invalid variable", "serve", env{"BATCH_IDLE": "nonsense"}, []string{"--batch-idle", "4ms"}, func(c *Config) {
			c.BatchIdle = 4 * time.Millisecond
		}},
		{"bare boolean flag overrides false variable", "serve", env{"NO_DEMO": "false"}, []string{"--no-demo"}, func(c *Config) { c.NoDemo = true }},
		{"bare boolean flag", "seed", env{}, []string{"--reset"}, func(c *Config) { c.Reset = true }},
		{"seed flags", "seed", env{"SEED_SCALE": "7", "SEED_RESET": "true", "DATABASE_URL": "postgres://h/e"}, []string{"--scale", "3", "--reset=false", "--database-url", "postgres://h/f"}, func(c *Config) {
			c.Scale = 3
			c.Reset = false
			c.DatabaseURL = "postgres://h/f"
		}},
		{"migrate flags", "migrate", env{"LOG_LEVEL": "error", "DATABASE_URL": "postgres://h/e"}, []string{"--log-level=warn", "--database-url=postgres://h/f"}, func(c *Config) {
			c.LogLevel = slog.LevelWarn
			c.DatabaseURL = "postgres://h/f"
		}},
		{"last repetition of a flag wins", "serve", env{}, []string{"--addr", ":1", "--addr", ":2"}, func(c *Config) { c.Addr = ":2" }},
		{"standards flags", "serve", env{"PLAYGROUND": "false", "DASHBOARD": "false", "APQ_CACHE_SIZE": "5", "FREE_FORM_ROLES": "none"}, []string{"--playground", "--dashboard", "--apq-cache-size=20", "--trusted-documents", "docs.json", "--free-form-roles", "ADMIN"}, func(c *Config) {
			c.Playground = true
			c.APQCacheSize = 20
			c.TrustedDocuments = "docs.json"
			c.FreeFormRoles = []string{"ADMIN"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.command, tt.args, tt.env.get)
			if err != nil {
				t.Fatalf("Parse(%s, %q) with %v: %v", tt.command, tt.args, tt.env, err)
			}
			want := defaults()
			tt.want(&want)
			if diff := cmp.Diff(want, got, cmpConfig); diff != "" {
				t.Errorf("config differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRejectsInvalidValues(t *testing.T) {
	tests := []struct {
		name    string
		command string
		args    []string
		env     env
		flag    string // the flag the error must name, without dashes
	}{
		{"duration without unit", "serve", []string{"--batch-idle", "10"}, nil, "batch-idle"},
		{"duration word", "serve", []string{"--batch-max-wait=soon"}, nil, "batch-max-wait"},
		{"empty duration flag", "serve", []string{"--request-timeout="}, nil, "request-timeout"},
		{"zero duration", "serve", []string{"--request-timeout", "0s"}, nil, "request-timeout"},
		{"bare zero duration", "serve", []string{"--shutdown-grace", "0"}, nil, "shutdown-grace"},
		{"negative duration", "serve", []string{"--shutdown-grace", "-1s"}, nil, "shutdown-grace"},
		{"negative idle", "serve", []string{"--batch-idle=-1ms"}, nil, "batch-idle"},
		{"overflowing duration", "serve", []string{"--request-timeout", "9999999999h"}, nil, "request-timeout"},
		{"bad duration from environment", "serve", nil, env{"BATCH_IDLE": "fast"}, "batch-idle"},
		{"zero duration from environment", "serve", nil, env{"SHUTDOWN_GRACE": "0s"}, "shutdown-grace"},
		{"bad boolean", "serve", []string{"--no-demo=yes"}, nil, "no-demo"},
		{"empty boolean", "seed", []string{"--reset="}, nil, "reset"},
		{"bad boolean from environment", "seed", nil, env{"SEED_RESET": "maybe"}, "reset"},
		{"bad log level", "serve", []string{"--log-level", "verbose"}, nil, "log-level"},
		{"empty log level", "migrate", []string{"--log-level="}, nil, "log-level"},
		{"bad log level from environment", "seed", nil, env{"LOG_LEVEL": "trace"}, "log-level"},
		{"scale 0", "seed", []string{"--scale", "0"}, nil, "scale"},
		{"scale 10001", "seed", []string{"--scale", "10001"}, nil, "scale"},
		{"scale x", "seed", []string{"--scale", "x"}, nil, "scale"},
		{"scale negative", "seed", []string{"--scale=-3"}, nil, "scale"},
		{"scale fractional", "seed", []string{"--scale=1.5"}, nil, "scale"},
		{"scale from environment", "seed", nil, env{"SEED_SCALE": "10001"}, "scale"},
		{"database URL without database", "serve", []string{"--database-url", "postgres://postgres@127.0.0.1:5432"}, nil, "database-url"},
		{"database URL with empty path", "migrate", []string{"--database-url", "postgres://postgres@127.0.0.1:5432/?sslmode=disable"}, nil, "database-url"},
		{"database URL of another scheme", "seed", []string{"--database-url", "mysql://root@127.0.0.1:3306/alliance"}, nil, "database-url"},
		{"database URL without scheme", "serve", []string{"--database-url", "127.0.0.1:5432/alliance"}, nil, "database-url"},
		{"database URL unparsable", "serve", []string{"--database-url", "postgres://[::1/alliance"}, nil, "database-url"},
		{"empty database URL", "migrate", []string{"--database-url="}, nil, "database-url"},
		{"bad database URL from environment", "migrate", nil, env{"DATABASE_URL": "sqlite:///tmp/a.db"}, "database-url"},
		{"read replica URL without database", "serve", []string{"--read-database-url", "postgres://r@replica:5432"}, nil, "read-database-url"},
		{"read replica URL of another scheme", "serve", nil, env{"READ_DATABASE_URL": "mysql://r@replica/alliance"}, "read-database-url"},
		{"addr without colon", "serve", []string{"--addr", "8080"}, nil, "addr"},
		{"addr host without port", "serve", []string{"--addr", "localhost"}, nil, "addr"},
		{"empty addr", "serve", []string{"--addr="}, nil, "addr"},
		{"addr from environment", "serve", nil, env{"ADDR": "8080"}, "addr"},
		{"flag without value", "serve", []string{"--addr"}, nil, "addr"},
		{"bad playground boolean", "serve", []string{"--playground=on"}, nil, "playground"},
		{"negative APQ cache", "serve", []string{"--apq-cache-size=-1"}, nil, "apq-cache-size"},
		{"APQ cache word", "serve", nil, env{"APQ_CACHE_SIZE": "big"}, "apq-cache-size"},
		{"huge APQ cache", "serve", []string{"--apq-cache-size", "1000001"}, nil, "apq-cache-size"},
		{"unknown role", "serve", []string{"--free-form-roles", "ADMIN,BOSS"}, nil, "free-form-roles"},
		{"empty role in list", "serve", []string{"--free-form-roles", "ADMIN,"}, nil, "free-form-roles"},
		{"empty roles flag", "serve", []string{"--free-form-roles="}, nil, "free-form-roles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.command, tt.args, tt.env.get)
			if err == nil {
				t.Fatalf("Parse(%s, %q) with %v succeeded; want an error naming --%s", tt.command, tt.args, tt.env, tt.flag)
			}
			if !mentionsFlag(err, tt.flag) {
				t.Errorf("error %q does not name the flag %s", err, tt.flag)
			}
			for _, s := range Settings {
				if s.Flag != tt.flag && !strings.Contains(tt.flag, s.Flag) && mentionsFlag(err, s.Flag) {
					t.Errorf("error %q also blames the valid flag %s", err, s.Flag)
				}
			}
		})
	}
}

// mentionsFlag reports whether err names flag as -flag or --flag, not merely as part of
// a longer flag name.
func mentionsFlag(err error, flag string) bool {
	msg := err.Error()
	for i := 0; ; {
		j := strings.Index(msg[i:], "-"+flag)
		if j < 0 {
			return false
		}
		end := i + j + 1 + len(flag)
		if end == len(msg) || !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz-", rune(msg[end])) {
			return true
		}
		i = end
	}
}

func TestParseReportsEveryInvalidValue(t *testing.T) {
	_, err := Parse("serve", []string{"--batch-idle=0", "--log-level=loud", "--addr=8080"}, env{"NO_DEMO": "perhaps"}.get)
	if err == nil {
		t.Fatal("Parse succeeded; want errors")
	}
	for _, f := range []string{"batch-idle", "log-level", "addr", "no-demo"} {
		if !mentionsFlag(err, f) {
			t.Errorf("error %q does not report --%s", err, f)
		}
	}
}

func TestParseRejectsFlagsOfOtherCommands(t *testing.T) {
	tests := []struct {
		command string
		args    []string
		flag    string
	}{
		{"migrate", []string{"--addr", ":1"}, "addr"},
		{"migrate", []string{"--scale", "2"}, "scale"},
		{"migrate", []string{"--reset"}, "reset"},
		{"migrate", []string{"--no-demo"}, "no-demo"},
		{"migrate", []string{"--batch-idle=1ms"}, "batch-idle"},
		{"seed", []string{"--addr=:1"}, "addr"},
		{"seed", []string{"--no-demo"}, "no-demo"},
		{"seed", []string{"--request-timeout", "1s"}, "request-timeout"},
		{"seed", []string{"--shutdown-grace", "1s"}, "shutdown-grace"},
		{"serve", []string{"--scale", "3"}, "scale"},
		{"serve", []string{"--reset"}, "reset"},
		{"serve", []string{"--port", "8080"}, "port"},
		{"migrate", []string{"--database-url=postgres://h/d", "--addr", ":1", "up"}, "addr"},
	}
	for _, tt := range tests {
		t.Run(tt.command+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			c, err := Parse(tt.command, tt.args, env{}.get)
			if err == nil {
				t.Fatalf("Parse(%s, %q) = %+v, nil; want an error for --%s", tt.command, tt.args, c, tt.flag)
			}
			if !mentionsFlag(err, tt.flag) {
				t.Errorf("error %q does not name the flag %s", err, tt.flag)
			}
		})
	}
}

func TestParseKeepsPositionalArgs(t *testing.T) {
	tests := []struct {
		command string
		args    []string
		want    []string
	}{
		{"migrate", []string{"down"}, []string{"down"}},
		{"migrate", []string{"up"}, []string{"up"}},
		{"migrate", []string{"--log-level", "debug", "down"}, []string{"down"}},
		{"migrate", []string{"--database-url=postgres://h/d", "status", "extra"}, []string{"status", "extra"}},
		{"migrate", []string{"--", "--not-a-flag"}, []string{"--not-a-flag"}},
		{"seed", []string{"--reset", "now"}, []string{"now"}},
		{"serve", []string{"--no-demo", "x"}, []string{"x"}},
		{"serve", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.command+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			c, err := Parse(tt.command, tt.args, env{}.get)
			if err != nil {
				t.Fatalf("Parse(%s, %q): %v", tt.command, tt.args, err)
			}
			if diff := cmp.Diff(tt.want, c.Args, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Args differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseHelp(t *testing.T) {
	for _, command := range commands {
		for _, arg := range []string{"-h", "--help"} {
			if _, err := Parse(command, []string{arg}, env{}.get); !errors.Is(err, flag.ErrHelp) {
				t.Errorf("Parse(%s, %s) error = %v, want flag.ErrHelp", command, arg, err)
			}
		}
	}
}

func TestParseReadsOnlyItsCommandsVariables(t *testing.T) {
	for _, command := range commands {
		t.Run(command, func(t *testing.T) {
			asked := map[string]bool{}
			getenv := func(name string) string { asked[name] = true; return "" }
			if _, err := Parse(command, nil, getenv); err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, s := range Settings {
				for _, c := range s.Commands {
					if c == command {
						want[s.Env] = true
					}
				}
			}
			if diff := cmp.Diff(want, asked); diff != "" {
				t.Errorf("variables read differ (-want +got):\n%s", diff)
			}
		})
	}
}

// --addr promises "host:port or :port"; a colon alone does not make one. These addresses
// pass the check today and only fail later, in net.Listen, after the database is opened.
func TestParseRejectsAddrsThatAreNotHostPort(t *testing.T) {
	for _, addr := range []string{"::1", "[::1]", "a:b:c", ":99999", ":-1"} {
		t.Run(addr, func(t *testing.T) {
			_, err := Parse("serve", []string{"--addr", addr}, env{}.get)
			if err == nil || !mentionsFlag(err, "addr") {
				t.Errorf("Parse(serve, --addr %q) error = %v, want one naming --addr", addr, err)
			}
		})
	}
}

func TestParseAcceptsHostPortAddrs(t *testing.T) {
	for _, addr := range []string{":8080", ":0", "127.0.0.1:8080", "localhost:8080", "[::1]:8080", "[::]:80", "0.0.0.0:65535"} {
		t.Run(addr, func(t *testing.T) {
			c, err := Parse("serve", []string{"--addr", addr}, env{}.get)
			if err != nil {
				t.Fatalf("Parse(serve, --addr %q): %v", addr, err)
			}
			if c.Addr != addr {
				t.Errorf("Addr = %q, want %q", c.Addr, addr)
			}
		})
	}
}

func TestObservabilitySettings(t *testing.T) {
	c, err := Parse("serve", []string{"--metrics-addr", "127.0.0.1:9090", "--ready-timeout=500ms"},
		env{"METRICS_MAX_OPERATIONS": "50", "DATABASE_WAIT": "30s", "READY_TIMEOUT": "9s"}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "127.0.0.1:9090" || c.MetricsMaxOperations != 50 || c.ReadyTimeout != 500*time.Millisecond || c.DatabaseWait != 30*time.Second {
		t.Errorf("parsed %+v", c)
	}
	for _, tt := range []struct{ flag, value string }{
		{"metrics-addr", "9090"},
		{"metrics-max-operations", "0"},
		{"metrics-max-operations", "many"},
		{"ready-timeout", "0s"},
		{"database-wait", "forever"},
	} {
		if _, err := Parse("serve", []string{"--" + tt.flag, tt.value}, env{}.get); err == nil || !mentionsFlag(err, tt.flag) {
			t.Errorf("--%s %q: error %v, want one naming the flag", tt.flag, tt.value, err)
		}
	}
}

func TestParseLimits(t *testing.T) {
	got, err := Parse("serve", []string{"--max-depth=12", "--max-complexity=0", "--max-complexity-member=7000", "--max-in-flight=3", "--max-work-in-flight=40000", "--document-cache-bytes=1024", "--rate-limit=2.5", "--introspection=false",
		"--cors-origins", " https://app.example.org/ , https://*.example.com,http://localhost:5173", "--ws-max-operations=0", "--stream-write-timeout=3s"}, env{
		"MAX_CONNECTIONS": "4", "CREDENTIAL_CHECK": "500ms",
		"MAX_TOKENS": "9000", "MAX_BODY_BYTES": "65536", "RATE_BURST": "5", "CLIENT_IP_HEADER": "X-Forwarded-For", "MAX_REPEATS": "7",
		"MAX_COMPLEXITY_ANALYST": "8000", "MAX_COMPLEXITY_ADMIN": "9000", "APQ_CACHE_BYTES": "2048"}.get)
	if err != nil {
		t.Fatal(err)
	}
	want := defaults()
	want.MaxDepth, want.MaxComplexity, want.MaxTokens, want.MaxRepeats, want.MaxBodyBytes = 12, 0, 9000, 7, 65536
	want.RateLimit, want.RateBurst, want.ClientIPHeader, want.Introspection = 2.5, 5, "X-Forwarded-For", false
	want.MaxComplexityMember, want.MaxComplexityAnalyst, want.MaxComplexityAdmin, want.MaxInFlight = 7000, 8000, 9000, 3
	want.DocumentCacheBytes, want.APQCacheBytes, want.MaxWorkInFlight = 1024, 2048, 40000
	want.CORSOrigins = []string{"https://app.example.org", "https://*.example.com", "http://localhost:5173"}
	want.WSMaxOperations, want.MaxConnections, want.StreamWriteTimeout, want.CredentialCheck = 0, 4, 3*time.Second, 500*time.Millisecond
	if diff := cmp.Diff(want, got, cmpConfig); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, args := range [][]string{
		{"--max-depth=-1"}, {"--max-complexity=lots"}, {"--max-complexity-admin=-3"}, {"--max-in-flight=x"}, {"--document-cache-bytes=-1"}, {"--max-body-bytes=1.5"}, {"--rate-limit=-2"}, {"--rate-limit=NaN"},
		{"--rate-burst=0"}, {"--introspection=maybe"}, {"--cors-origins=app.example.org"}, {"--cors-origins=https://a.org/path"}, {"--max-repeats=x"},
		{"--ws-max-operations=-1"}, {"--max-connections=many"}, {"--stream-write-timeout=0s"}, {"--credential-check=often"},
	} {
		if _, err := Parse("serve", args, env{}.get); err == nil || !strings.Contains(err.Error(), strings.SplitN(strings.TrimPrefix(args[0], "--"), "=", 2)[0]) {
			t.Errorf("Parse(%q) = %v, want an error naming the flag", args, err)
		}
	}
}

// --dev (or DEV) adds the localhost origins to whatever --cors-origins lists.
func TestDevAddsLocalhostOrigins(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  env
		want []string
	}{
		{"flag alone", []string{"--dev"}, env{}, DevOrigins},
		{"environment", nil, env{"DEV": "true"}, DevOrigins},
		{"beside an allow-list", []string{"--dev", "--cors-origins=https://app.example.org"}, env{}, append([]string{"https://app.example.org"}, DevOrigins...)},
		{"off", []string{"--cors-origins=https://app.example.org"}, env{}, []string{"https://app.example.org"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse("serve", tc.args, tc.env.get)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.CORSOrigins); diff != "" {
				t.Errorf("origins (-want +got):\n%s", diff)
			}
		})
	}
}
