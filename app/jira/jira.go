// Package jira speaks the little of Jira Cloud's REST API v3 that Hindsight
// needs: creating an issue (POST /rest/api/3/issue, basic auth with an
// account's e-mail and API token, the description in the Atlassian
// Document Format), finding one again by label (so a creation retried
// after a lost answer does not make a second issue), and reading Jira's
// webhook for an issue that moved to a done status, verified by the
// secret Jira signs it with (X-Hub-Signature: sha256=<HMAC of the body>).
package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/app/hubsig"
)

// Client is one account on one Jira Cloud site.
type Client struct {
	// Site is the base URL, such as https://acme.atlassian.net.
	Site  string
	Email string
	Token string
	HTTP  *http.Client
}

// IssueInput is an issue to create.
type IssueInput struct {
	ProjectKey, IssueType, Summary string
	// Description is plain text, one paragraph per line.
	Description string
	Labels      []string
}

// Issue is an issue Jira made.
type Issue struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// StatusError is a refusal by Jira; Permanent for a 4xx other than 429.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("jira answered %d: %s", e.Status, e.Body)
}

// Permanent reports whether asking again cannot help.
func (e *StatusError) Permanent() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests
}

// BrowseURL is where people open an issue.
func (c *Client) BrowseURL(key string) string {
	return strings.TrimRight(c.Site, "/") + "/browse/" + url.PathEscape(key)
}

// Create makes an issue.
func (c *Client) Create(ctx context.Context, in IssueInput) (Issue, error) {
	body := map[string]any{"fields": map[string]any{
		"project":     map[string]string{"key": in.ProjectKey},
		"issuetype":   map[string]string{"name": in.IssueType},
		"summary":     in.Summary,
		"description": adf(in.Description),
		"labels":      in.Labels,
	}}
	var out Issue
	if err := c.do(ctx, http.MethodPost, "/rest/api/3/issue", body, &out); err != nil {
		return Issue{}, fmt.Errorf("jira: create an issue in %s: %w", in.ProjectKey, err)
	}
	if out.Key == "" {
		return Issue{}, errors.New("jira: the created issue has no key")
	}
	return out, nil
}

// FindByLabel finds the issue carrying label, if any.
func (c *Client) FindByLabel(ctx context.Context, label string) (Issue, bool, error) {
	q := url.Values{"jql": {fmt.Sprintf("labels = %q", label)}, "fields": {"key"}, "maxResults": {"1"}}
	var out struct {
		Issues []Issue `json:"issues"`
	}
	if err := c.do(ctx, http.MethodGet, "/rest/api/3/search/jql?"+q.Encode(), nil, &out); err != nil {
		return Issue{}, false, fmt.Errorf("jira: search by label %s: %w", label, err)
	}
	if len(out.Issues) == 0 {
		return Issue{}, false, nil
	}
	if out.Issues[0].Key == "" {
		return Issue{}, false, errors.New("jira: the issue found has no key")
	}
	return out.Issues[0], true, nil
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.Site, "/")+path, body)
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.Email, c.Token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := string(raw)
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return &StatusError{Status: resp.StatusCode, Body: msg}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("read the answer: %w", err)
		}
	}
	return nil
}

// adf is text as an Atlassian Document Format document: a paragraph per
// non-empty line.
func adf(text string) map[string]any {
	content := []any{}
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			content = append(content, map[string]any{"type": "paragraph",
				"content": []any{map[string]any{"type": "text", "text": line}}})
		}
	}
	return map[string]any{"type": "doc", "version": 1, "content": content}
}

// SignatureHeader is the header Jira Cloud signs a webhook in when it has
// a secret.
const SignatureHeader = "X-Hub-Signature"

// ErrSignature: a webhook's signature is missing or wrong.
var ErrSignature = hubsig.ErrSignature

// Sign is the signature header's value for a body, as Jira writes it.
func Sign(secret, body []byte) string { return hubsig.Sign(secret, body) }

// Verify checks a webhook's signature against the secret, in constant time.
func Verify(secret, body []byte, header string) error { return hubsig.Verify(secret, body, header) }

// Event is what a Jira webhook says of an issue.
type Event struct {
	WebhookEvent string
	Key          string
	// Done: the issue's status is in Jira's done category.
	Done bool
	// StatusChanged: the delivery is of a move to another status (its
	// changelog has a status item).
	StatusChanged bool
	// At is Jira's time of the event (its timestamp), zero when absent:
	// deliveries come in any order, and this orders them.
	At time.Time
}

// MaxWebhookBody bounds a webhook's body.
const MaxWebhookBody = 1 << 20

// maxTimestamp is the year 9999 in Unix milliseconds: a later one is no
// time Jira sends, and no time the log can hold.
const maxTimestamp = 253402300799999

// ErrPayload: a webhook body that is not an issue event.
var ErrPayload = errors.New("jira: not an issue event")

// ParseWebhook reads an issue event (jira:issue_created, jira:issue_updated).
func ParseWebhook(body []byte) (Event, error) {
	var p struct {
		Timestamp    int64  `json:"timestamp"`
		WebhookEvent string `json:"webhookEvent"`
		Changelog    *struct {
			Items []struct {
				Field string `json:"field"`
			} `json:"items"`
		} `json:"changelog"`
		Issue *struct {
			Key    string `json:"key"`
			Fields struct {
				Status *struct {
					StatusCategory *struct {
						Key string `json:"key"`
					} `json:"statusCategory"`
				} `json:"status"`
			} `json:"fields"`
		} `json:"issue"`
	}
	if len(body) > MaxWebhookBody {
		return Event{}, fmt.Errorf("%w: %d bytes", ErrPayload, len(body))
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	if p.Issue == nil || p.Issue.Key == "" || !strings.HasPrefix(p.WebhookEvent, "jira:issue_") {
		return Event{}, ErrPayload
	}
	e := Event{WebhookEvent: p.WebhookEvent, Key: p.Issue.Key}
	if st := p.Issue.Fields.Status; st != nil && st.StatusCategory != nil {
		e.Done = st.StatusCategory.Key == "done"
	}
	if p.Changelog != nil {
		for _, it := range p.Changelog.Items {
			e.StatusChanged = e.StatusChanged || it.Field == "status"
		}
	}
	if p.Timestamp < 0 || p.Timestamp > maxTimestamp {
		return Event{}, fmt.Errorf("%w: timestamp %d", ErrPayload, p.Timestamp)
	}
	if p.Timestamp > 0 {
		e.At = time.UnixMilli(p.Timestamp).UTC()
	}
	return e, nil
}
