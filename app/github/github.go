// Package github speaks the little of GitHub's REST API that Hindsight
// needs: creating an issue (POST /repos/{owner}/{repo}/issues with a
// bearer token), finding one again by a marker in its body (so a creation
// retried after a lost answer does not make a second issue), and reading
// GitHub's "issues" webhook, verified by X-Hub-Signature-256.
package github

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/app/hubsig"
)

// DefaultAPI is github.com's REST API; GitHub Enterprise Server's is
// https://<host>/api/v3.
const DefaultAPI = "https://api.github.com"

// APIVersion is the REST API version asked for (X-GitHub-Api-Version).
const APIVersion = "2022-11-28"

// Client is one token on one GitHub API.
type Client struct {
	// API is the REST API's base URL, set by the operator only.
	API   string
	Token string
	HTTP  *http.Client
}

// IssueInput is an issue to create.
type IssueInput struct {
	Owner, Repo, Title, Body string
}

// Issue is an issue GitHub made.
type Issue struct {
	ID      int64  `json:"id"`
	Number  int    `json:"number"`
	HTMLURL string `json:"html_url"`
	Body    string `json:"body"`
}

// Key names an issue as GitHub's links do: owner/repo#number.
func Key(owner, repo string, number int) string {
	return owner + "/" + repo + "#" + strconv.Itoa(number)
}

// StatusError is a refusal by GitHub; Permanent for a 4xx other than 429
// and a rate limit's 403.
type StatusError struct {
	Status    int
	Body      string
	RateLimit bool
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("github answered %d: %s", e.Status, e.Body)
}

// Permanent reports whether asking again cannot help.
func (e *StatusError) Permanent() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests && !e.RateLimit
}

func repoPath(owner, repo string) string {
	return "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo) + "/issues"
}

// Create makes an issue.
func (c *Client) Create(ctx context.Context, in IssueInput) (Issue, error) {
	var out Issue
	body := map[string]any{"title": in.Title, "body": in.Body}
	if err := c.do(ctx, http.MethodPost, repoPath(in.Owner, in.Repo), body, &out); err != nil {
		return Issue{}, fmt.Errorf("github: create an issue in %s/%s: %w", in.Owner, in.Repo, err)
	}
	if out.Number <= 0 {
		return Issue{}, errors.New("github: the created issue has no number")
	}
	return out, nil
}

// FindByMarker finds an issue updated since then whose body holds marker.
func (c *Client) FindByMarker(ctx context.Context, owner, repo, marker string, since time.Time) (Issue, bool, error) {
	q := url.Values{"state": {"all"}, "since": {since.UTC().Format(time.RFC3339)}, "sort": {"created"},
		"direction": {"desc"}, "per_page": {"100"}}
	var out []Issue
	if err := c.do(ctx, http.MethodGet, repoPath(owner, repo)+"?"+q.Encode(), nil, &out); err != nil {
		return Issue{}, false, fmt.Errorf("github: look for %s in %s/%s: %w", marker, owner, repo, err)
	}
	for _, i := range out {
		if i.Number > 0 && strings.Contains(i.Body, marker) {
			return i, true, nil
		}
	}
	return Issue{}, false, nil
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
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.API, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", APIVersion)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := string(raw)
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return &StatusError{Status: resp.StatusCode, Body: msg,
			RateLimit: resp.StatusCode == http.StatusForbidden && resp.Header.Get("X-RateLimit-Remaining") == "0"}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("read the answer: %w", err)
		}
	}
	return nil
}

// The headers of a GitHub webhook delivery.
const (
	SignatureHeader = "X-Hub-Signature-256"
	EventHeader     = "X-GitHub-Event"
	DeliveryHeader  = "X-GitHub-Delivery"
)

// Verify checks a delivery's X-Hub-Signature-256 against the secret, in
// constant time.
func Verify(secret, body []byte, header string) error { return hubsig.Verify(secret, body, header) }

// Sign is the X-Hub-Signature-256 GitHub sends for a body.
func Sign(secret, body []byte) string { return hubsig.Sign(secret, body) }

// Event is what an "issues" delivery says of an issue.
type Event struct {
	// Action: opened, closed, reopened, edited, ...
	Action string
	// Key is owner/repo#number.
	Key string
	// At is GitHub's time of the change: the issue's updated_at (its
	// closed_at if that is missing); zero when the delivery has neither.
	// Deliveries come in any order, and this orders them.
	At time.Time
}

// MaxWebhookBody bounds a delivery's body (GitHub caps payloads at 25 MB;
// an issues event is far smaller).
const MaxWebhookBody = 1 << 20

// ErrPayload: a body that is not an issues event.
var ErrPayload = errors.New("github: not an issues event")

// ParseWebhook reads the body of an "issues" delivery.
func ParseWebhook(body []byte) (Event, error) {
	var p struct {
		Action string `json:"action"`
		Issue  *struct {
			Number    int    `json:"number"`
			UpdatedAt string `json:"updated_at"`
			ClosedAt  string `json:"closed_at"`
		} `json:"issue"`
		Repository *struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if len(body) > MaxWebhookBody {
		return Event{}, fmt.Errorf("%w: %d bytes", ErrPayload, len(body))
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	if p.Action == "" || p.Issue == nil || p.Issue.Number <= 0 || p.Repository == nil {
		return Event{}, ErrPayload
	}
	owner, repo, ok := strings.Cut(p.Repository.FullName, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return Event{}, fmt.Errorf("%w: repository %q", ErrPayload, p.Repository.FullName)
	}
	e := Event{Action: p.Action, Key: Key(owner, repo, p.Issue.Number)}
	at := p.Issue.UpdatedAt
	if at == "" {
		at = p.Issue.ClosedAt
	}
	if at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil || t.Year() < 1 || t.Year() > 9999 {
			return Event{}, fmt.Errorf("%w: issue time %q", ErrPayload, at)
		}
		e.At = t.UTC()
	}
	return e, nil
}
