package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS is how the connection to the SMTP server is secured.
type TLS string

// The TLS modes.
const (
	// TLSStartTLS upgrades the connection with STARTTLS and refuses to
	// send if the server does not offer it.
	TLSStartTLS TLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (port 465).
	TLSImplicit TLS = "tls"
	// TLSNone sends in the clear: for a relay on loopback only.
	TLSNone TLS = "none"
)

// SMTPConfig says where and as whom mail is sent.
type SMTPConfig struct {
	Host     string
	Port     int
	TLS      TLS
	User     string
	Password string
	// From is the sender's address.
	From    string
	Timeout time.Duration
}

// SMTP sends through an SMTP server with go-mail: one connection per
// message, so a broken connection never holds a later mail.
type SMTP struct{ cfg SMTPConfig }

// NewSMTP checks cfg and makes the transport.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" || cfg.From == "" {
		return nil, errors.New("mail: SMTP needs a host and a from address")
	}
	switch cfg.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("mail: unknown TLS mode %q (starttls, tls or none)", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg}, nil
}

// From is the sender's address.
func (s *SMTP) From() string { return s.cfg.From }

// Send delivers m. A 5xx answer is wrapped in ErrPermanent.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("mail: from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail: recipient address: %w: %w", ErrPermanent, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID)
	msg.SetDate()
	if m.Unsubscribe != "" {
		if err := msg.SetListUnsubscribeOneClick(m.Unsubscribe); err != nil {
			msg.SetListUnsubscribe(m.Unsubscribe)
		}
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: SMTP client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return fmt.Errorf("mail: send %s: %w: %w", m.ID, ErrPermanent, err)
		}
		return fmt.Errorf("mail: send %s: %w", m.ID, err)
	}
	return nil
}
