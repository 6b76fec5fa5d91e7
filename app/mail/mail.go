// Package mail composes the mails Hindsight sends to people and carries
// them to an SMTP server. What a mail says is built from the recipient's
// own view (documents.Retro made by app.RetroSummaryFor), never from
// events, so a mail cannot show more than its reader may see. Which mails
// go, and when, is decided by the app's mail reactor following the log;
// this package only composes and sends.
package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Kind is a kind of mail; a recipient unsubscribes per kind.
type Kind string

// The kinds of mail.
const (
	KindSummary Kind = "summary"
)

// Message is one composed mail to one recipient.
type Message struct {
	// ID is the Message-ID without angle brackets, derived from the cause
	// (MessageID), so a mail sent again after a crash carries the same ID
	// and the receiver can drop the copy.
	ID      string
	To      string
	Subject string
	Text    string
	HTML    string
	// Unsubscribe is the one-click unsubscribe URL (RFC 8058), empty for
	// none; it must be https for the one-click header.
	Unsubscribe string
}

// Transport carries a message to a mail server.
type Transport interface {
	Send(ctx context.Context, m Message) error
}

// ErrPermanent marks a refusal the server will repeat (an SMTP 5xx): the
// address is recorded as failed rather than tried again.
var ErrPermanent = errors.New("mail: permanently refused")

// MessageID is the stable Message-ID of the mail of kind sent because of
// the event causeID to recipient (a user ID), at the domain of the sender.
func MessageID(causeID, recipient string, kind Kind, domain string) string {
	h := sha256.Sum256([]byte(causeID + "\x00" + recipient + "\x00" + string(kind)))
	return fmt.Sprintf("%s.%s@%s", kind, hex.EncodeToString(h[:16]), domain)
}

// DomainOf is the domain part of an address, "localhost" without one.
func DomainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return strings.Trim(addr[i+1:], "<> ")
	}
	return "localhost"
}
