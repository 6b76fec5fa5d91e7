package main

import (
	"flag"
	"fmt"
	"net/mail"
	"os"
	"strings"

	hsapp "github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	hsmail "github.com/hindsight-retro/hindsight/app/mail"
)

// smtpConfig is where mail goes (--smtp-*); no host means mail is off.
type smtpConfig struct {
	Host string
	// Port 0 takes the TLS mode's usual port: 587, 465 or 25.
	Port int
	// TLS is starttls (the default), tls or none.
	TLS          string
	User         string
	PasswordFile string
	From         string
}

func smtpFlags(fs *flag.FlagSet, c *smtpConfig) {
	fs.StringVar(&c.Host, "smtp-host", c.Host,
		"SMTP server `host` mail is sent through; empty turns mail off (the server logs that once at start)")
	fs.IntVar(&c.Port, "smtp-port", c.Port,
		"SMTP server `port`; 0 takes the TLS mode's usual port (587 starttls, 465 tls, 25 none)")
	fs.StringVar(&c.TLS, "smtp-tls", c.TLS,
		"how the SMTP connection is secured: starttls (the default; refuses a server without it), tls (from the first byte) or none (a relay on loopback only)")
	fs.StringVar(&c.User, "smtp-user", c.User, "SMTP user `name` for PLAIN authentication; empty sends without authenticating")
	fs.StringVar(&c.PasswordFile, "smtp-password-file", c.PasswordFile,
		"`file` holding the SMTP password (its first line), so the password is neither in ps nor in the environment")
	fs.StringVar(&c.From, "smtp-from", c.From, "sender `address` of every mail (Hindsight <retro@example.com>); needed with --smtp-host")
}

// check reports a configuration that cannot send.
func (c smtpConfig) check() error {
	if c.Host == "" {
		if c.From != "" || c.User != "" || c.PasswordFile != "" || c.Port != 0 || c.TLS != "" {
			return usagef("--smtp-* given without --smtp-host: mail needs a server to go through")
		}
		return nil
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return usagef("--smtp-host needs --smtp-from, a sender address such as retro@example.com (got %q)", c.From)
	}
	switch hsmail.TLS(c.tls()) {
	case hsmail.TLSStartTLS, hsmail.TLSImplicit, hsmail.TLSNone:
	default:
		return usagef("invalid --smtp-tls %q: want starttls, tls or none", c.TLS)
	}
	if c.Port < 0 || c.Port > 65535 {
		return usagef("invalid --smtp-port %d", c.Port)
	}
	if (c.User == "") != (c.PasswordFile == "") {
		return usagef("--smtp-user and --smtp-password-file go together")
	}
	return nil
}

func (c smtpConfig) tls() string {
	if c.TLS == "" {
		return string(hsmail.TLSStartTLS)
	}
	return c.TLS
}

// guestJoin is how guests join by invite: through a mailed link with mail,
// else as a new guest each time, unless the operator links them by address.
func (c serveConfig) guestJoin() identity.GuestJoin {
	switch {
	case c.SMTP.Host != "":
		return identity.GuestJoinProof
	case c.GuestsByAddress:
		return identity.GuestJoinByAddress
	}
	return identity.GuestJoinFresh
}

// mailConfig is the app's mail configuration: no transport when mail is off.
func (c smtpConfig) mailConfig(publicURL string) (hsapp.MailConfig, error) {
	if c.Host == "" {
		return hsapp.MailConfig{}, nil
	}
	port := c.Port
	if port == 0 {
		port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[c.tls()]
	}
	var password string
	if c.PasswordFile != "" {
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return hsapp.MailConfig{}, fmt.Errorf("read --smtp-password-file: %w", err)
		}
		password, _, _ = strings.Cut(string(b), "\n")
		password = strings.TrimRight(password, "\r")
	}
	tr, err := hsmail.NewSMTP(hsmail.SMTPConfig{Host: c.Host, Port: port, TLS: hsmail.TLS(c.tls()),
		User: c.User, Password: password, From: c.From})
	if err != nil {
		return hsapp.MailConfig{}, fmt.Errorf("mail: %w", err)
	}
	return hsapp.MailConfig{Transport: tr, From: c.From, BaseURL: strings.TrimRight(publicURL, "/")}, nil
}
