package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	hsapp "github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/github"
	"github.com/hindsight-retro/hindsight/app/sso"
)

// envPrefix starts the environment variable of every flag: --data-dir is
// HINDSIGHT_DATA_DIR.
const envPrefix = "HINDSIGHT_"

// Event store backends --eventstore accepts.
const (
	backendNATS    = "natsjs"
	backendKurrent = "kurrent"
)

// maxReplicas is JetStream's limit on stream replicas.
const maxReplicas = 5

// serveConfig is everything `hindsight serve` is told by flags and environment.
type serveConfig struct {
	Addr       string
	DataDir    string
	EventStore string
	NATSURL    string
	// NATSReplicas is the replica count of the EVENTS stream when this node
	// creates it; 0 lets the store choose (1 embedded, 3 on a cluster).
	NATSReplicas int
	// SyncInterval is the embedded server's fsync policy; 0 means fsync
	// before acknowledging every write.
	SyncInterval    time.Duration
	KurrentURL      string
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
	// RateLimit is how many requests one client (a signed-in person or
	// token, else an IP address) may make per minute; 0 turns limiting off.
	RateLimit int
	// MinGroupSize is the fewest respondents a health aggregate (heat map,
	// eNPS, dashboard) is shown for, so nobody's answer can be singled out.
	MinGroupSize int
	// AcceptDataLoss starts on a damaged data folder (logged loudly)
	// instead of refusing.
	AcceptDataLoss bool
	// MetricsAddr is a separate listener for /metrics; empty serves none.
	MetricsAddr string
	// MetricsToken is the bearer token /metrics requires; with it, /metrics
	// is served on the API's listener too.
	MetricsToken string
	// Pprof serves net/http/pprof on the metrics listener.
	Pprof bool
	// WebhookAllowPrivate lets webhooks reach loopback, private and
	// link-local receivers; WebhookAllowCIDR allows only the listed
	// prefixes (comma-separated) beside public addresses.
	WebhookAllowPrivate bool
	WebhookAllowCIDR    string
	// WebhookMaxFailures failed attempts in a row disable a webhook.
	WebhookMaxFailures int
	// GitHubAPI is the GitHub REST API teams' issues are made through
	// (GitHub Enterprise Server: https://<host>/api/v3); only the operator
	// sets it, never a team.
	GitHubAPI string
	// PublicURL is the server's address as browsers reach it, for the
	// single sign-on callback; empty takes each request's host.
	PublicURL string
	// The server-wide OpenID provider: a preset (google, entra with a
	// tenant) or an issuer, and the client registered there.
	OIDCPreset       string
	OIDCTenant       string
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	// QuickRetrosPerHour is how many quick retros one client address may
	// start per hour; 0 turns quick retros off.
	QuickRetrosPerHour int
	// QuickRetroTTL is how long an unclaimed quick retro lives before its
	// content is erased.
	QuickRetroTTL time.Duration
	// SMTP is where mail goes (mail.go); no host means mail is off.
	SMTP smtpConfig
	// GCPercent and MemoryLimit set the garbage collector (gc.go).
	GCPercent   int
	MemoryLimit string
	// GuestsByAddress: without mail, a guest joining by invite with an
	// address is that address's one guest at once, as before mail existed.
	GuestsByAddress bool
}

func defaultServeConfig() serveConfig {
	return serveConfig{
		Addr:            ":8080",
		DataDir:         "./data",
		EventStore:      backendNATS,
		LogLevel:        slog.LevelInfo,
		ShutdownTimeout: 20 * time.Second,
		RateLimit:       600,
		MinGroupSize:    3,

		WebhookMaxFailures: 10,
		GitHubAPI:          github.DefaultAPI,
		QuickRetrosPerHour: 10,
		QuickRetroTTL:      hsapp.DefaultQuickRetroTTL,
		GCPercent:          defaultGCPercent,
		MemoryLimit:        memoryLimitAuto,
	}
}

// minMetricsToken is the shortest metrics token taken.
const minMetricsToken = 16

// usageError is bad input on the command line or in the environment; it
// makes the process exit with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// envName is the environment variable that sets the flag called name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// newServeFlags declares serve's flags on a fresh FlagSet writing into cfg.
// The help text of every flag is what `hindsight serve --help` shows.
func newServeFlags(cfg *serveConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	// Errors and help are printed by the caller, which knows where they go.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}

	fs.StringVar(&cfg.Addr, "addr", cfg.Addr,
		"`address` the HTTP API listens on, host:port; port 0 picks a free port")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir,
		"`folder` where the embedded NATS server keeps its JetStream files, created if missing; unused with --nats-url or --eventstore kurrent")
	fs.Var(&choiceValue{p: &cfg.EventStore, choices: []string{backendNATS, backendKurrent}}, "eventstore",
		"event store `backend`: natsjs (NATS JetStream, embedded unless --nats-url is set) or kurrent (KurrentDB, needs --kurrent-url)")
	fs.StringVar(&cfg.NATSURL, "nats-url", cfg.NATSURL,
		"`URLs` of an existing NATS JetStream cluster, comma-separated (nats://n1:4222,nats://n2:4222); empty runs the embedded server")
	fs.IntVar(&cfg.NATSReplicas, "nats-replicas", cfg.NATSReplicas,
		"`replicas` of the EVENTS stream when this node creates it, 1 to 5; 0 means 1 embedded and 3 with --nats-url")
	fs.Var(&syncValue{p: &cfg.SyncInterval}, "sync",
		"embedded server's fsync `policy`: always (fsync every write before acknowledging it) or an interval such as 1s. "+
			"RISK: with an interval, writes acknowledged during the last interval can be lost on power failure, an OS crash or a killed process; "+
			"Jepsen's analysis of NATS 2.12.1 found acknowledged writes lost under NATS's default two-minute interval. "+
			"On a cluster (--nats-url) set sync_interval in the servers' configuration instead")
	fs.StringVar(&cfg.KurrentURL, "kurrent-url", cfg.KurrentURL,
		"KurrentDB connection `string`, esdb://host:2113 or esdb+discover://host:2113, for --eventstore kurrent")
	fs.Var(&levelValue{p: &cfg.LogLevel}, "log-level",
		"lowest `level` logged: debug, info, warn or error")
	fs.Var(&durationValue{p: &cfg.ShutdownTimeout}, "shutdown-timeout",
		"on SIGINT or SIGTERM, how long in-flight requests may take to finish (a `duration` such as 20s) before they are cut off")
	fs.IntVar(&cfg.RateLimit, "rate-limit", cfg.RateLimit,
		"`requests` per minute one client (a signed-in person or token, else an IP address) may make before getting 429; 0 turns limiting off")
	minGroupFlag(fs, &cfg.MinGroupSize)
	fs.BoolVar(&cfg.AcceptDataLoss, "accept-data-loss", cfg.AcceptDataLoss,
		"start although the start-up check found the data damaged (commits missing or unreadable in the log, keys missing from the key store, "+
			"read-model snapshots past the end of the log): serve what is left, rebuild the read models from the log, and remember the accepted loss. "+
			"Logged as an error. Without it such a start is refused with a message naming what is missing")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr,
		"`address` of a separate listener serving only /metrics, host:port (keep it off the public network); empty serves none")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", cfg.MetricsToken,
		"bearer `token` /metrics requires (at least 16 characters); with it /metrics is served on --addr too. "+
			"Without --metrics-addr or --metrics-token no metrics are served")
	fs.BoolVar(&cfg.Pprof, "pprof", cfg.Pprof,
		"serve Go's profiles (net/http/pprof) under /debug/pprof/ on the --metrics-addr listener, behind --metrics-token if set; "+
			"needs --metrics-addr. Off by default: a profile shows what the process holds and costs CPU while it runs")
	fs.BoolVar(&cfg.WebhookAllowPrivate, "webhook-allow-private", cfg.WebhookAllowPrivate,
		"let webhooks, Slack, Jira and GitHub reach receivers on loopback, private, link-local and other non-public addresses. "+
			"Off by default: a team admin chooses a webhook's URL, and without this check it could reach the server's own network (SSRF)")
	fs.StringVar(&cfg.WebhookAllowCIDR, "webhook-allow-cidr", cfg.WebhookAllowCIDR,
		"comma-separated `prefixes` (10.1.2.0/24,fd00::/64) webhooks may reach although not public; checked when connecting, after DNS")
	fs.IntVar(&cfg.WebhookMaxFailures, "webhook-max-failures", cfg.WebhookMaxFailures,
		"failed delivery `attempts` in a row (with exponential backoff between them) after which a webhook is disabled until a team admin enables it")
	fs.StringVar(&cfg.GitHubAPI, "github-api-url", cfg.GitHubAPI,
		"the GitHub REST API `URL` teams' GitHub issues are made through; for GitHub Enterprise Server https://<host>/api/v3 "+
			"(a private address also needs --webhook-allow-cidr)")
	fs.IntVar(&cfg.QuickRetrosPerHour, "quick-retros-per-hour", cfg.QuickRetrosPerHour,
		"quick retros (started with only a display name, no account) one client `address` may start per hour; 0 turns quick retros off")
	fs.Var(&durationValue{p: &cfg.QuickRetroTTL}, "quick-retro-ttl",
		"how long an unclaimed quick retro lives (a `duration` such as 24h); at its end every text written in it is erased "+
			"(its keys are destroyed) and it answers 404 quick-retro-expired")
	fs.StringVar(&cfg.PublicURL, "public-url", cfg.PublicURL,
		"the server's `URL` as browsers reach it (https://retro.example.com); the single sign-on callback is <URL>/v1/auth/oidc/callback. "+
			"Empty takes the scheme and host of each request")
	fs.StringVar(&cfg.OIDCPreset, "oidc-preset", cfg.OIDCPreset,
		"server-wide OpenID provider `preset`: google or entra (with --oidc-tenant); or leave it empty and set --oidc-issuer")
	fs.StringVar(&cfg.OIDCTenant, "oidc-tenant", cfg.OIDCTenant,
		"Microsoft Entra ID directory (tenant) `ID` for --oidc-preset entra")
	fs.StringVar(&cfg.OIDCIssuer, "oidc-issuer", cfg.OIDCIssuer,
		"issuer `URL` of a server-wide OpenID provider with discovery (https), when no preset is given")
	fs.StringVar(&cfg.OIDCClientID, "oidc-client-id", cfg.OIDCClientID,
		"client `ID` registered at the server-wide OpenID provider")
	fs.StringVar(&cfg.OIDCClientSecret, "oidc-client-secret", cfg.OIDCClientSecret,
		"client `secret` registered at the server-wide OpenID provider; prefer the environment variable, which ps does not show")
	smtpFlags(fs, &cfg.SMTP)
	fs.Var(&gcPercentValue{p: &cfg.GCPercent}, "gc-percent",
		"garbage collector's target `percent` (GOGC): how much the heap may grow over what a collection left before the next; off turns collection off "+
			"(only with a --memory-limit). Unset, Go's GOGC variable applies if set, else 100")
	fs.Var(&memoryLimitValue{p: &cfg.MemoryLimit}, "memory-limit",
		"soft memory `limit` of the Go runtime (GOMEMLIMIT), such as 768MiB or 2GiB; none for no limit; "+
			"auto takes 80% of the container's limit (cgroup v2 memory.max), or none outside a container. Unset, Go's GOMEMLIMIT applies if set, else auto")
	fs.BoolVar(&cfg.GuestsByAddress, "guests-by-address", cfg.GuestsByAddress,
		"without mail only: a guest joining by invite with an e-mail address becomes that address's one guest (the same across retros) without proving it, "+
			"so anyone who knows a guest's address can act as them. Off by default: each join is a new guest")
	return fs
}

// oidcProvider is the server-wide provider the flags describe, its name
// (the preset, or "oidc"), and whether there is one at all.
func (c serveConfig) oidcProvider() (string, sso.Provider, bool, error) {
	if c.OIDCPreset == "" && c.OIDCIssuer == "" && c.OIDCClientID == "" && c.OIDCClientSecret == "" && c.OIDCTenant == "" {
		return "", sso.Provider{}, false, nil
	}
	name, issuer := "oidc", strings.TrimRight(c.OIDCIssuer, "/")
	switch {
	case c.OIDCPreset != "" && c.OIDCIssuer != "":
		return "", sso.Provider{}, false, usagef("--oidc-preset and --oidc-issuer exclude each other: a preset names its issuer")
	case c.OIDCPreset != "":
		var err error
		if issuer, err = sso.PresetIssuer(c.OIDCPreset, c.OIDCTenant); err != nil {
			return "", sso.Provider{}, false, usagef("--oidc-preset %s: %v", c.OIDCPreset, err)
		}
		name = c.OIDCPreset
	case c.OIDCTenant != "":
		return "", sso.Provider{}, false, usagef("--oidc-tenant applies to --oidc-preset entra only")
	}
	if c.OIDCClientID == "" || c.OIDCClientSecret == "" {
		return "", sso.Provider{}, false, usagef("a server-wide OpenID provider needs --oidc-client-id and HINDSIGHT_OIDC_CLIENT_SECRET (or its flag)")
	}
	p := sso.Provider{Issuer: issuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret, Preset: c.OIDCPreset}
	if err := p.Check(true); err != nil {
		return "", sso.Provider{}, false, usagef("server-wide OpenID provider (--oidc-*): %v", err)
	}
	return name, p, true, nil
}

// parseServeConfig reads serve's configuration: a flag on the command line
// beats its environment variable, which beats the default.
func parseServeConfig(args []string, env func(string) string) (serveConfig, *flag.FlagSet, error) {
	cfg := defaultServeConfig()
	fs := newServeFlags(&cfg)

	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		v := env(name)
		if v == "" || envErr != nil {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			envErr = usagef("invalid value %q for %s: %v", v, name, err)
		}
	})
	if envErr != nil {
		return cfg, fs, envErr
	}

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, fs, err
		}
		return cfg, fs, &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return cfg, fs, usagef("unexpected argument %q: serve takes only flags", fs.Arg(0))
	}

	// A flag counts as chosen when a command-line flag or its variable set it.
	chosen := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { chosen[f.Name] = true })
	return cfg, fs, cfg.validate(chosen)
}

// validate rejects combinations that cannot work, so a mistake is reported
// at start-up rather than silently ignored.
func (c serveConfig) validate(chosen map[string]bool) error {
	if c.Addr == "" {
		return usagef("--addr must not be empty")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return usagef("invalid --addr %q: want host:port, e.g. :8080 or 127.0.0.1:8080", c.Addr)
	}
	if c.RateLimit < 0 {
		return usagef("--rate-limit must be 0 (off) or a positive number of requests per minute, got %d", c.RateLimit)
	}
	if err := checkMinGroup(c.MinGroupSize); err != nil {
		return err
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return usagef("invalid --metrics-addr %q: want host:port, e.g. 127.0.0.1:9090", c.MetricsAddr)
		}
		if _, port, _ := net.SplitHostPort(c.MetricsAddr); c.MetricsAddr == c.Addr && port != "0" {
			return usagef("--metrics-addr must differ from --addr (%s)", c.Addr)
		}
	}
	if c.Pprof && c.MetricsAddr == "" {
		return usagef("--pprof needs --metrics-addr: profiles are served only on that listener, never on --addr")
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < minMetricsToken {
		return usagef("--metrics-token must be at least %d characters, so it cannot be guessed", minMetricsToken)
	}
	if _, err := c.webhookCIDRs(); err != nil {
		return err
	}
	if u, err := url.Parse(c.GitHubAPI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return usagef("--github-api-url must be an http(s) URL without credentials or query, such as %s", github.DefaultAPI)
	}
	if c.WebhookMaxFailures < 1 {
		return usagef("--webhook-max-failures must be at least 1, got %d", c.WebhookMaxFailures)
	}
	if c.QuickRetroTTL < time.Second {
		return usagef("--quick-retro-ttl must be at least 1s, got %s", c.QuickRetroTTL)
	}
	if c.QuickRetrosPerHour < 0 {
		return usagef("--quick-retros-per-hour must be 0 (off) or a positive number, got %d", c.QuickRetrosPerHour)
	}
	if _, _, _, err := c.oidcProvider(); err != nil {
		return err
	}
	if c.SMTP.Host != "" && c.PublicURL == "" {
		return usagef("--smtp-host needs --public-url: mails carry links back to the server")
	}
	if c.SMTP.Host != "" && c.GuestsByAddress {
		return usagef("--guests-by-address is for servers without mail: with --smtp-host a guest proves their address by a mailed link")
	}
	if err := c.SMTP.check(); err != nil {
		return err
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
			return usagef("invalid --public-url %q: want the server's address, e.g. https://retro.example.com", c.PublicURL)
		}
	}
	if c.ShutdownTimeout <= 0 {
		return usagef("--shutdown-timeout must be positive, got %s", c.ShutdownTimeout)
	}
	switch c.EventStore {
	case backendKurrent:
		if c.KurrentURL == "" {
			return usagef("--eventstore kurrent needs --kurrent-url (%s), e.g. esdb://localhost:2113?tls=false", envName("kurrent-url"))
		}
		if !strings.HasPrefix(c.KurrentURL, "esdb://") && !strings.HasPrefix(c.KurrentURL, "esdb+discover://") {
			return usagef("invalid --kurrent-url %q: want esdb://host:port or esdb+discover://host:port", redactURLs(c.KurrentURL))
		}
		for _, name := range []string{"nats-url", "nats-replicas", "sync"} {
			if chosen[name] {
				return usagef("--%s applies to --eventstore natsjs only, not kurrent", name)
			}
		}
	case backendNATS:
		if c.KurrentURL != "" {
			return usagef("--kurrent-url is set but --eventstore is natsjs; add --eventstore kurrent to use KurrentDB")
		}
		if c.NATSReplicas < 0 || c.NATSReplicas > maxReplicas {
			return usagef("--nats-replicas must be between 1 and %d (or 0 for the default), got %d", maxReplicas, c.NATSReplicas)
		}
		if c.NATSURL == "" {
			if c.NATSReplicas > 1 {
				return usagef("--nats-replicas %d needs a cluster: the embedded server is a single node; set --nats-url", c.NATSReplicas)
			}
			if c.DataDir == "" {
				return usagef("--data-dir must not be empty: the embedded server needs a folder for its files")
			}
		} else if chosen["sync"] {
			return usagef("--sync sets the embedded server's fsync policy; with --nats-url set sync_interval in the NATS servers' configuration")
		}
	default:
		// choiceValue already refuses other names; this guards a new default.
		return usagef("unknown --eventstore %q", c.EventStore)
	}
	return nil
}

// writeServeUsage prints serve's help: every flag with its variable and default.
func writeServeUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, `Usage: hindsight serve [flags]

Serve the Hindsight API. By default the event log lives in an embedded NATS
JetStream server writing to --data-dir; --nats-url points at an existing NATS
cluster instead, --eventstore kurrent at KurrentDB. The listener opens once the
event store is open; SIGINT or SIGTERM drain requests, close the store and exit.

Every flag can also be set by the environment variable shown beside it.
A flag on the command line beats its variable, which beats the default.

Flags:
`)
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		def := f.DefValue
		if def == "" {
			def = "none"
		} else {
			def = fmt.Sprintf("%q", def)
		}
		fmt.Fprintf(w, "  --%s %s\n", f.Name, arg)
		fmt.Fprintf(w, "      env %s, default %s\n", envName(f.Name), def)
		for _, line := range wrap(usage, 72) {
			fmt.Fprintf(w, "      %s\n", line)
		}
	})
}

// wrap breaks s into lines of at most width characters at spaces.
func wrap(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(s) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// choiceValue is a string flag limited to a fixed set of names.
type choiceValue struct {
	p       *string
	choices []string
}

func (v *choiceValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v *choiceValue) Set(s string) error {
	if !slices.Contains(v.choices, s) {
		return fmt.Errorf("want one of %s", strings.Join(v.choices, ", "))
	}
	*v.p = s
	return nil
}

// syncValue is the fsync policy: "always" (stored as 0) or a positive interval.
type syncValue struct{ p *time.Duration }

func (v *syncValue) String() string {
	if v.p == nil || *v.p == 0 {
		return "always"
	}
	return v.p.String()
}

func (v *syncValue) Set(s string) error {
	if s == "always" {
		*v.p = 0
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("want always or a positive duration such as 1s")
	}
	*v.p = d
	return nil
}

// durationValue reports time.ParseDuration's reason, where the standard
// flag.Duration only says "parse error".
type durationValue struct{ p *time.Duration }

func (v *durationValue) String() string {
	if v.p == nil {
		return ""
	}
	return v.p.String()
}

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 20s or 1m30s")
	}
	*v.p = d
	return nil
}

// levelValue is a log level spelled in lower case, as operators type it.
type levelValue struct{ p *slog.Level }

func (v *levelValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.ToLower(v.p.String())
}

func (v *levelValue) Set(s string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return fmt.Errorf("want debug, info, warn or error")
	}
	*v.p = l
	return nil
}

// redactURLs hides the passwords in a comma-separated list of URLs, so a
// connection string can appear in logs and error messages.
func redactURLs(s string) string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = redactURL(p)
	}
	return strings.Join(parts, ",")
}

func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		scheme, rest = "", s
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return s
	}
	// Without a colon the user info may be a bare token (nats://TOKEN@host).
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		user = "xxxxx"
	} else {
		user += ":xxxxx"
	}
	out := user + rest[at:]
	if ok {
		out = scheme + "://" + out
	}
	return out
}

// webhookCIDRs parses --webhook-allow-cidr.
func (c serveConfig) webhookCIDRs() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(c.WebhookAllowCIDR, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, usagef("invalid --webhook-allow-cidr %q: want prefixes such as 10.1.2.0/24,fd00::/64", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
