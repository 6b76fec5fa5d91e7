// Package mailtest is a real SMTP server on loopback for tests
// (emersion/go-smtp): it accepts mail as a relay would, answers 550 for
// the addresses it is told to refuse, and hands the delivered messages
// back decoded.
package mailtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one delivered mail, its body parts decoded.
type Message struct {
	To     string
	Header mail.Header
	Text   string
	HTML   string
	Raw    []byte
}

// ID is the message's Message-ID without angle brackets.
func (m Message) ID() string { return strings.Trim(m.Header.Get("Message-Id"), "<> ") }

// Server is the running SMTP server.
type Server struct {
	Host string
	Port int

	mu      sync.Mutex
	got     []Message
	refuse  map[string]bool
	tried   map[string]int
	hold    *hold
	srv     *smtp.Server
	sessErr error
}

// Start listens on a loopback port until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{refuse: map[string]bool{}, tried: map[string]int{}}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	addr := l.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", addr.Port
	done := make(chan struct{})
	go func() { defer close(done); _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close(); <-done })
	return s
}

// Refuse makes the server answer 550 to RCPT TO this address.
func (s *Server) Refuse(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse[strings.ToLower(addr)] = true
}

// hold is a DATA answer held back: the message is kept (delivered), but
// the client hears nothing until the test releases it.
type hold struct {
	at, seen int
	match    func(Message) bool
	reached  chan struct{}
	release  chan struct{}
}

// HoldReply makes the server keep the n-th message from now on that
// match accepts (counting from 1) and hold back its answer to the client until release
// is called; reached is closed once that message is in. A client killed
// in the meantime never learns that it was delivered, as when a sender
// dies mid-send. Release is also called when the test ends.
func (s *Server) HoldReply(t testing.TB, n int, match func(Message) bool) (reached <-chan struct{}, release func()) {
	s.mu.Lock()
	h := &hold{at: n, match: match, reached: make(chan struct{}), release: make(chan struct{})}
	s.hold = h
	s.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(h.release) }) }
	t.Cleanup(release)
	return h.reached, release
}

// Tried is how many times a client named addr in RCPT TO, refused or not.
func (s *Server) Tried(addr string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tried[strings.ToLower(addr)]
}

// Messages are the messages delivered so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.got...)
}

// Wait polls until ok holds for the delivered messages, failing the test
// after the deadline.
func (s *Server) Wait(t testing.TB, what string, ok func([]Message) bool) []Message {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := s.Messages()
		if ok(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("SMTP server: waited 30s for %s; got %d messages", what, len(got))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// To are the messages delivered to addr.
func To(ms []Message, addr string) []Message {
	var out []Message
	for _, m := range ms {
		if strings.EqualFold(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

type session struct {
	s  *Server
	to []string
}

func (*session) Reset()                               {}
func (*session) Logout() error                        { return nil }
func (*session) Mail(string, *smtp.MailOptions) error { return nil }
func (*session) AuthMechanisms() []string             { return nil }
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	refused := ss.s.refuse[strings.ToLower(to)]
	ss.s.tried[strings.ToLower(to)]++
	ss.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: err.Error()}
	}
	ss.s.mu.Lock()
	for _, to := range ss.to {
		m.To = to
		ss.s.got = append(ss.s.got, m)
	}
	ss.to = nil
	h := ss.s.hold
	if h != nil && h.match(m) {
		h.seen++
	}
	if h != nil && h.seen == h.at {
		ss.s.hold = nil
	} else {
		h = nil
	}
	ss.s.mu.Unlock()
	if h != nil {
		close(h.reached)
		<-h.release
	}
	return nil
}

// Parse decodes a message: its header and its plain and HTML parts.
func Parse(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, fmt.Errorf("mailtest: read message: %w", err)
	}
	m := Message{Header: msg.Header, Raw: raw}
	if err := m.part(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		return Message{}, err
	}
	return m, nil
}

func (m *Message) part(ctype, enc string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("mailtest: multipart: %w", err)
			}
			if err := m.part(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(enc) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		b, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		body = base64Reader(b)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("mailtest: body: %w", err)
	}
	// Lines travel as CRLF; the tests compare them as written.
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	if mt == "text/html" {
		m.HTML += text
	} else {
		m.Text += text
	}
	return nil
}
