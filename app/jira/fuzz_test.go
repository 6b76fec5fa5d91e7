package jira_test

import (
	"testing"

	"github.com/hindsight-retro/hindsight/app/jira"
)

// FuzzParseWebhook: whatever Jira (or anyone who learned the URL) sends,
// reading it answers an event or ErrPayload, never a panic.
func FuzzParseWebhook(f *testing.F) {
	f.Add([]byte(`{"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-1","fields":{"status":{"statusCategory":{"key":"done"}}}}}`))
	f.Add([]byte(`{"webhookEvent":"jira:issue_created","issue":{"key":"OPS-2"}}`))
	f.Add([]byte(`{"webhookEvent":"comment_created"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := jira.ParseWebhook(body)
		if err == nil && e.Key == "" {
			t.Fatalf("an event without an issue key from %q", body)
		}
	})
}

func TestOnlyTheSecretsSignatureVerifies(t *testing.T) {
	body := []byte(`{"webhookEvent":"jira:issue_updated"}`)
	sig := jira.Sign([]byte("s3cret"), body)
	if err := jira.Verify([]byte("s3cret"), body, sig); err != nil {
		t.Fatalf("the right signature: %v", err)
	}
	for name, h := range map[string]string{"missing": "", "other secret": jira.Sign([]byte("other"), body), "other body": jira.Sign([]byte("s3cret"), []byte("{}"))} {
		if jira.Verify([]byte("s3cret"), body, h) == nil {
			t.Errorf("%s signature verified", name)
		}
	}
}
