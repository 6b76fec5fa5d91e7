package main

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
)

// envOf turns a map into an environment lookup.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestServeDefaults(t *testing.T) {
	cfg, _, err := parseServeConfig(nil, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := serveConfig{
		Addr:            ":8080",
		DataDir:         "./data",
		EventStore:      "natsjs",
		LogLevel:        slog.LevelInfo,
		ShutdownTimeout: 20 * time.Second,
		RateLimit:       600,
		MinGroupSize:    3,

		WebhookMaxFailures: 10,
		GitHubAPI:          "https://api.github.com",
		QuickRetrosPerHour: 10,
		QuickRetroTTL:      24 * time.Hour,
		GCPercent:          100,
		MemoryLimit:        "auto",
	}
	if cfg != want {
		t.Fatalf("defaults = %+v, want %+v", cfg, want)
	}
	if cfg.SyncInterval != 0 {
		t.Errorf("default sync interval = %s, want 0 (fsync every write)", cfg.SyncInterval)
	}
}

func TestEveryFlagHasAnEnvironmentVariable(t *testing.T) {
	env := map[string]string{
		"HINDSIGHT_ADDR":             "127.0.0.1:9000",
		"HINDSIGHT_DATA_DIR":         "/var/lib/hindsight",
		"HINDSIGHT_EVENTSTORE":       "natsjs",
		"HINDSIGHT_NATS_URL":         "nats://n1:4222,nats://n2:4222",
		"HINDSIGHT_NATS_REPLICAS":    "3",
		"HINDSIGHT_LOG_LEVEL":        "debug",
		"HINDSIGHT_SHUTDOWN_TIMEOUT": "5s",
		"HINDSIGHT_RATE_LIMIT":       "0",
		"HINDSIGHT_MIN_GROUP_SIZE":   "5",
		"HINDSIGHT_ACCEPT_DATA_LOSS": "true",
		"HINDSIGHT_METRICS_ADDR":     "127.0.0.1:9090",
		"HINDSIGHT_METRICS_TOKEN":    "a-long-scrape-token-1234",
		"HINDSIGHT_PPROF":            "true",

		"HINDSIGHT_WEBHOOK_ALLOW_PRIVATE": "true",
		"HINDSIGHT_WEBHOOK_ALLOW_CIDR":    "10.1.2.0/24",
		"HINDSIGHT_WEBHOOK_MAX_FAILURES":  "4",
		"HINDSIGHT_PUBLIC_URL":            "https://retro.example.com",
		"HINDSIGHT_OIDC_PRESET":           "entra",
		"HINDSIGHT_OIDC_TENANT":           "0b5e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b",
		"HINDSIGHT_OIDC_CLIENT_ID":        "hindsight",
		"HINDSIGHT_OIDC_CLIENT_SECRET":    "s3cret",
		"HINDSIGHT_QUICK_RETROS_PER_HOUR": "3",
		"HINDSIGHT_QUICK_RETRO_TTL":       "90s",
		"HINDSIGHT_GITHUB_API_URL":        "https://github.acme.test/api/v3",

		"HINDSIGHT_SMTP_HOST":          "smtp.example.com",
		"HINDSIGHT_SMTP_PORT":          "2525",
		"HINDSIGHT_SMTP_TLS":           "tls",
		"HINDSIGHT_SMTP_USER":          "retro",
		"HINDSIGHT_SMTP_PASSWORD_FILE": "/run/secrets/smtp",
		"HINDSIGHT_SMTP_FROM":          "retro@example.com",

		"HINDSIGHT_GC_PERCENT":   "150",
		"HINDSIGHT_MEMORY_LIMIT": "1GiB",
	}
	cfg, fs, err := parseServeConfig(nil, envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	want := serveConfig{
		Addr:            "127.0.0.1:9000",
		DataDir:         "/var/lib/hindsight",
		EventStore:      "natsjs",
		NATSURL:         "nats://n1:4222,nats://n2:4222",
		NATSReplicas:    3,
		LogLevel:        slog.LevelDebug,
		ShutdownTimeout: 5 * time.Second,
		RateLimit:       0,
		MinGroupSize:    5,
		AcceptDataLoss:  true,
		MetricsAddr:     "127.0.0.1:9090",
		MetricsToken:    "a-long-scrape-token-1234",
		Pprof:           true,

		WebhookAllowPrivate: true,
		WebhookAllowCIDR:    "10.1.2.0/24",
		WebhookMaxFailures:  4,
		GitHubAPI:           "https://github.acme.test/api/v3",
		PublicURL:           "https://retro.example.com",
		OIDCPreset:          "entra",
		OIDCTenant:          "0b5e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b",
		OIDCClientID:        "hindsight",
		OIDCClientSecret:    "s3cret",
		QuickRetrosPerHour:  3,
		QuickRetroTTL:       90 * time.Second,
		SMTP: smtpConfig{Host: "smtp.example.com", Port: 2525, TLS: "tls", User: "retro",
			PasswordFile: "/run/secrets/smtp", From: "retro@example.com"},
		GCPercent:   150,
		MemoryLimit: "1GiB",
	}
	if cfg != want {
		t.Fatalf("from environment = %+v, want %+v", cfg, want)
	}

	// The two left out above conflict with --nats-url; check them on their own.
	cfg, _, err = parseServeConfig(nil, envOf(map[string]string{"HINDSIGHT_SYNC": "250ms"}))
	if err != nil || cfg.SyncInterval != 250*time.Millisecond {
		t.Errorf("HINDSIGHT_SYNC=250ms gave %s, %v", cfg.SyncInterval, err)
	}
	cfg, _, err = parseServeConfig(nil, envOf(map[string]string{
		"HINDSIGHT_EVENTSTORE": "kurrent", "HINDSIGHT_KURRENT_URL": "esdb://k1:2113?tls=false",
	}))
	if err != nil || cfg.EventStore != "kurrent" || cfg.KurrentURL != "esdb://k1:2113?tls=false" {
		t.Errorf("kurrent from environment gave %+v, %v", cfg, err)
	}

	// The issuer excludes the preset; checked on its own.
	cfg, _, err = parseServeConfig(nil, envOf(map[string]string{
		"HINDSIGHT_OIDC_ISSUER": "https://id.example.com/", "HINDSIGHT_OIDC_CLIENT_ID": "c", "HINDSIGHT_OIDC_CLIENT_SECRET": "s",
	}))
	if name, p, ok, perr := cfg.oidcProvider(); err != nil || perr != nil || !ok || name != "oidc" || p.Issuer != "https://id.example.com" {
		t.Errorf("a generic issuer from environment gave %q %+v %v, %v %v", name, p, ok, err, perr)
	}

	// Linking guests by address is for servers without mail; checked on its own.
	cfg, _, err = parseServeConfig(nil, envOf(map[string]string{"HINDSIGHT_GUESTS_BY_ADDRESS": "true"}))
	if err != nil || !cfg.GuestsByAddress || cfg.guestJoin() != identity.GuestJoinByAddress {
		t.Errorf("HINDSIGHT_GUESTS_BY_ADDRESS=true gave %v, %v", cfg.GuestsByAddress, err)
	}
	if _, _, err := parseServeConfig([]string{"--guests-by-address", "--smtp-host", "smtp.example.com", "--smtp-from", "r@example.com",
		"--public-url", "https://retro.example.com"}, envOf(nil)); err == nil {
		t.Error("--guests-by-address with mail was accepted: with mail guests prove their address")
	}
	if _, _, err := parseServeConfig([]string{"--smtp-host", "smtp.example.com", "--smtp-from", "r@example.com"}, envOf(nil)); err == nil {
		t.Error("mail without --public-url was accepted: its links would lead nowhere")
	}

	// Every declared flag is covered, so a new flag cannot skip its variable.
	covered := map[string]bool{"HINDSIGHT_SYNC": true, "HINDSIGHT_KURRENT_URL": true, "HINDSIGHT_OIDC_ISSUER": true,
		"HINDSIGHT_GUESTS_BY_ADDRESS": true}
	for k := range env {
		covered[k] = true
	}
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		if !covered[envName(f.Name)] {
			t.Errorf("flag --%s: its variable %s is not tested", f.Name, envName(f.Name))
		}
	})
	if n != len(covered) {
		t.Errorf("serve has %d flags, test covers %d variables", n, len(covered))
	}
}

func TestFlagBeatsEnvironmentBeatsDefault(t *testing.T) {
	env := envOf(map[string]string{"HINDSIGHT_ADDR": ":9000", "HINDSIGHT_DATA_DIR": "/from-env"})
	cfg, _, err := parseServeConfig([]string{"--addr", "127.0.0.1:7000"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7000" {
		t.Errorf("addr = %q, want the flag's 127.0.0.1:7000", cfg.Addr)
	}
	if cfg.DataDir != "/from-env" {
		t.Errorf("data dir = %q, want the environment's /from-env", cfg.DataDir)
	}
	if cfg.ShutdownTimeout != 20*time.Second {
		t.Errorf("shutdown timeout = %s, want the default 20s", cfg.ShutdownTimeout)
	}

	// A bad variable is reported even when a flag overrides it, so a broken
	// environment is fixed rather than lurking until the flag is dropped.
	_, _, err = parseServeConfig([]string{"--sync", "always"}, envOf(map[string]string{"HINDSIGHT_SYNC": "sometimes"}))
	if err == nil || !strings.Contains(err.Error(), "HINDSIGHT_SYNC") {
		t.Errorf("bad HINDSIGHT_SYNC under a good flag: err = %v, want it named", err)
	}
}

func TestBadValuesAreRejectedWithAClearMessage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want []string // substrings of the message
	}{
		{"unknown backend", []string{"--eventstore", "postgres"}, nil, []string{"-eventstore", "natsjs, kurrent"}},
		{"unknown backend in env", nil, map[string]string{"HINDSIGHT_EVENTSTORE": "mongo"}, []string{"HINDSIGHT_EVENTSTORE", `"mongo"`}},
		{"sync word", []string{"--sync", "sometimes"}, nil, []string{"-sync", "always or a positive duration"}},
		{"sync zero", []string{"--sync", "0s"}, nil, []string{"-sync", "positive duration"}},
		{"sync negative", []string{"--sync", "-1s"}, nil, []string{"-sync"}},
		{"timeout", []string{"--shutdown-timeout", "soon"}, nil, []string{"-shutdown-timeout", "duration such as"}},
		{"timeout zero", []string{"--shutdown-timeout", "0s"}, nil, []string{"--shutdown-timeout must be positive"}},
		{"rate limit negative", []string{"--rate-limit", "-5"}, nil, []string{"--rate-limit must be 0 (off)"}},
		{"group of one", []string{"--min-group-size", "1"}, nil, []string{"--min-group-size must be at least 2"}},
		{"quick retro gone at once", []string{"--quick-retro-ttl", "0s"}, nil, []string{"--quick-retro-ttl must be at least 1s"}},
		{"rate limit word", nil, map[string]string{"HINDSIGHT_RATE_LIMIT": "lots"}, []string{"HINDSIGHT_RATE_LIMIT"}},
		{"level", []string{"--log-level", "loud"}, nil, []string{"-log-level", "debug, info, warn or error"}},
		{"replicas word", []string{"--nats-replicas", "three"}, nil, []string{"-nats-replicas"}},
		{"replicas too many", []string{"--nats-url", "nats://n1:4222", "--nats-replicas", "7"}, nil, []string{"between 1 and 5"}},
		{"replicas embedded", []string{"--nats-replicas", "3"}, nil, []string{"embedded server is a single node"}},
		{"addr", []string{"--addr", "8080"}, nil, []string{"invalid --addr", "host:port"}},
		{"empty addr", nil, map[string]string{"HINDSIGHT_ADDR": ""}, nil}, // empty variable = unset: valid
		{"kurrent without url", []string{"--eventstore", "kurrent"}, nil, []string{"needs --kurrent-url", "HINDSIGHT_KURRENT_URL"}},
		{"kurrent bad scheme", []string{"--eventstore", "kurrent", "--kurrent-url", "http://admin:secret@k:2113"}, nil, []string{"esdb://", "xxxxx"}},
		{"kurrent url without kurrent", []string{"--kurrent-url", "esdb://k:2113"}, nil, []string{"--eventstore kurrent"}},
		{"nats url with kurrent", []string{"--eventstore", "kurrent", "--kurrent-url", "esdb://k:2113", "--nats-url", "nats://n:4222"}, nil, []string{"--nats-url applies to --eventstore natsjs"}},
		{"sync with cluster", []string{"--nats-url", "nats://n:4222", "--sync", "1s"}, nil, []string{"sync_interval"}},
		{"metrics addr", []string{"--metrics-addr", "9090"}, nil, []string{"invalid --metrics-addr", "host:port"}},
		{"metrics on the API's address", []string{"--addr", "127.0.0.1:8080", "--metrics-addr", "127.0.0.1:8080"}, nil, []string{"--metrics-addr must differ"}},
		{"profiles without a metrics listener", []string{"--pprof"}, nil, []string{"--pprof needs --metrics-addr"}},
		{"github api with credentials", []string{"--github-api-url", "https://u:p@github.acme.test/api/v3"}, nil, []string{"--github-api-url must be an http(s) URL"}},
		{"github api not a URL", []string{"--github-api-url", "github.acme.test"}, nil, []string{"--github-api-url must be an http(s) URL"}},
		{"oidc preset and issuer", []string{"--oidc-preset", "google", "--oidc-issuer", "https://id.example.com", "--oidc-client-id", "c", "--oidc-client-secret", "s"}, nil, []string{"--oidc-preset and --oidc-issuer exclude each other"}},
		{"oidc without a secret", []string{"--oidc-preset", "google", "--oidc-client-id", "c"}, nil, []string{"HINDSIGHT_OIDC_CLIENT_SECRET"}},
		{"oidc over plain http", []string{"--oidc-issuer", "http://id.example.com", "--oidc-client-id", "c", "--oidc-client-secret", "s"}, nil, []string{"https"}},
		{"entra without a tenant", []string{"--oidc-preset", "entra", "--oidc-client-id", "c", "--oidc-client-secret", "s"}, nil, []string{"tenant"}},
		{"negative quick retros", []string{"--quick-retros-per-hour", "-1"}, nil, []string{"--quick-retros-per-hour must be 0 (off)"}},
		{"public url without a scheme", []string{"--public-url", "retro.example.com"}, nil, []string{"invalid --public-url"}},
		{"short metrics token", nil, map[string]string{"HINDSIGHT_METRICS_TOKEN": "guessable"}, []string{"--metrics-token must be at least 16"}},
		{"unknown flag", []string{"--port", "80"}, nil, []string{"-port"}},
		{"positional", []string{"now"}, nil, []string{`unexpected argument "now"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := parseServeConfig(c.args, envOf(c.env))
			if c.want == nil {
				if err != nil {
					t.Fatalf("want no error, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error, got none")
			}
			if _, ok := err.(*usageError); !ok {
				t.Errorf("error %v is a %T, want a usage error (exit 2)", err, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows a password", err)
			}
		})
	}
}

func TestBadValuesExitWithStatus2(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--sync", "sometimes"}, envOf(nil), &stdout, &stderr)
	if code != 2 {
		t.Errorf("exit status = %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "-sync") || !strings.Contains(stderr.String(), "hindsight serve --help") {
		t.Errorf("stderr = %q, want the bad flag and a pointer to --help", stderr.String())
	}

	stderr.Reset()
	if code := run(context.Background(), []string{"frobnicate"}, envOf(nil), &stdout, &stderr); code != 2 {
		t.Errorf("unknown command: exit status = %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: stderr = %q", stderr.String())
	}
	if code := run(context.Background(), nil, envOf(nil), &stdout, &stderr); code != 2 {
		t.Errorf("no command: exit status = %d, want 2", code)
	}
}

func TestServeHelpListsEveryFlagWithItsVariableAndDefault(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--help"}, envOf(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("serve --help: exit status %d, stderr %q", code, stderr.String())
	}
	// Compare with lines joined: the help wraps long text anywhere.
	help := strings.Join(strings.Fields(stdout.String()), " ")
	for _, want := range []string{
		"--addr", "HINDSIGHT_ADDR", `default ":8080"`,
		"--data-dir", "HINDSIGHT_DATA_DIR", `default "./data"`,
		"--eventstore", "HINDSIGHT_EVENTSTORE", `default "natsjs"`,
		"--nats-url", "HINDSIGHT_NATS_URL",
		"--nats-replicas", "HINDSIGHT_NATS_REPLICAS",
		"--sync", "HINDSIGHT_SYNC", `default "always"`, "Jepsen", "NATS 2.12.1", "lost",
		"--kurrent-url", "HINDSIGHT_KURRENT_URL",
		"--log-level", "HINDSIGHT_LOG_LEVEL", `default "info"`,
		"--shutdown-timeout", "HINDSIGHT_SHUTDOWN_TIMEOUT", `default "20s"`,
		"--rate-limit", "HINDSIGHT_RATE_LIMIT", `default "600"`,
		"--min-group-size", "HINDSIGHT_MIN_GROUP_SIZE", `default "3"`,
		"--quick-retro-ttl", "HINDSIGHT_QUICK_RETRO_TTL", `default "24h0m0s"`,
		"--metrics-addr", "HINDSIGHT_METRICS_ADDR", "--metrics-token", "HINDSIGHT_METRICS_TOKEN", "no metrics are served",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("serve --help does not mention %q", want)
		}
	}
	// The help describes the defaults, not values picked up from this environment.
	stdout.Reset()
	run(context.Background(), []string{"serve", "--help"}, envOf(map[string]string{"HINDSIGHT_ADDR": ":1"}), &stdout, &stderr)
	if strings.Contains(stdout.String(), `default ":1"`) {
		t.Error("serve --help shows a variable's value as the default")
	}
}

func TestVersionPrintsSomething(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"version"}, envOf(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("version: exit status %d", code)
	}
	if !strings.HasPrefix(stdout.String(), "hindsight ") || !strings.Contains(stdout.String(), "go1.") {
		t.Errorf("version = %q, want the name and the Go version", stdout.String())
	}
}

func TestRedactURLs(t *testing.T) {
	cases := map[string]string{
		"esdb://admin:changeit@k1:2113,k2:2113?tls=true": "esdb://admin:xxxxx@k1:2113,k2:2113?tls=true",
		"nats://u:p@n1:4222,nats://u:p@n2:4222":          "nats://u:xxxxx@n1:4222,nats://u:xxxxx@n2:4222",
		"nats://s3cr3ttoken@n1:4222":                     "nats://xxxxx@n1:4222",
		"nats://n1:4222":                                 "nats://n1:4222",
		"esdb://k1:2113?tls=false&x=a@b":                 "esdb://k1:2113?tls=false&x=a@b",
	}
	for in, want := range cases {
		if got := redactURLs(in); got != want {
			t.Errorf("redactURLs(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, envOf(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("--help: exit status %d", code)
	}
	for _, cmd := range []string{"serve", "replay", "export", "demo", "version"} {
		if !strings.Contains(stdout.String(), "\n  "+cmd+" ") {
			t.Errorf("hindsight --help does not list %q:\n%s", cmd, stdout.String())
		}
		stdout.Reset()
		if code := run(context.Background(), []string{cmd, "--help"}, envOf(nil), &stdout, &stderr); code != 0 {
			t.Errorf("%s --help: exit status %d, stderr %q", cmd, code, stderr.String())
		}
		stdout.Reset()
		run(context.Background(), []string{"--help"}, envOf(nil), &stdout, &stderr)
	}
}
