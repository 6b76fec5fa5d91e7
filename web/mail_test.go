package web

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/hindsight-retro/hindsight/app/mail/mailtest"
)

// mailOrigin is the --public-url the server's mailed links start with. The
// server listens on a port chosen at start, so the script opens each link's
// path and token on the server's real address.
const mailOrigin = "http://hindsight.test"

// TestTheMailPagesWorkInABrowserWithRealMail runs e2e/mail.mjs against the
// real binary sending its mail through a real SMTP server on loopback. In
// headless Chromium a person signs up and confirms the address by the mailed
// link; forgets the password, asks for a reset, follows the mailed link, sets
// a new password and logs in with it (the old one no longer works); a guest
// joins a retro from its invite with an address and comes in by the mailed
// link. A link used again, or garbled, says so in words (never raw JSON), in
// English and German; axe-core finds nothing serious or critical on each
// page, and the CSP is not violated.
func TestTheMailPagesWorkInABrowserWithRealMail(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the browser test builds and runs the binary")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no /usr/bin/chromium (apt-get install -y chromium): CI installs it, so there this test runs")
	}
	needNpm(t)
	smtp := mailtest.Start(t)
	// The script reads the mailbox over HTTP on loopback: every mail the SMTP
	// server received, its recipient, subject and text.
	mailbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		type mailJSON struct {
			To      string `json:"to"`
			Subject string `json:"subject"`
			Text    string `json:"text"`
		}
		out := []mailJSON{}
		for _, m := range smtp.Messages() {
			subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			out = append(out, mailJSON{To: m.To, Subject: subject, Text: m.Text})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(mailbox.Close)
	base := startServer(t, "--smtp-host", smtp.Host, "--smtp-port", strconv.Itoa(smtp.Port), "--smtp-tls", "none",
		"--smtp-from", "retro@hindsight.test", "--public-url", mailOrigin)
	runScript(t, base, "e2e/mail.mjs", "mail", "[mail] ok", "MAILBOX_URL="+mailbox.URL, "MAIL_ORIGIN="+mailOrigin)
}
