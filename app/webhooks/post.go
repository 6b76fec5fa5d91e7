package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Outcome is what one attempt came to.
type Outcome struct {
	// Status is the receiver's HTTP status, 0 if none came.
	Status int
	// Err says why the attempt failed; nil for a 2xx.
	Err error
}

// OK reports a delivered attempt.
func (o Outcome) OK() bool { return o.Err == nil }

// maxResponse is how much of a receiver's answer is read (and dropped), so
// the connection can be reused without a receiver making us read forever.
const maxResponse = 64 << 10

// Post sends body to target with headers and reports the outcome: any 2xx is
// delivered, everything else (a redirect included) is a failure.
func Post(ctx context.Context, c *http.Client, target string, header http.Header, body []byte) Outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return Outcome{Err: errors.New("build the request: the URL is not valid")}
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "Hindsight-Webhooks/1")
	resp, err := c.Do(req)
	if err != nil {
		// The client's error quotes the URL, and a Slack URL is a
		// secret: the outcome goes to the delivery log and the server's.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
		}
		return Outcome{Err: err}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Outcome{Status: resp.StatusCode, Err: fmt.Errorf("receiver answered %s", resp.Status)}
	}
	return Outcome{Status: resp.StatusCode}
}
