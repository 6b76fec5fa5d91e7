package mail_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/app/mail"
)

const mac = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFE" // 43 base64url characters

func TestAnUnsubscribeTokenNamesItsPersonAndKindAndOnlyTheServersFormParses(t *testing.T) {
	tok := mail.UnsubscribeToken("user-bea-0003", mail.KindSurvey, mac)
	u, k, m, err := mail.ParseUnsubscribeToken(tok)
	if err != nil || u != "user-bea-0003" || k != mail.KindSurvey || m != mac {
		t.Fatalf("parsed %q %q %q %v", u, k, m, err)
	}
	for name, bad := range map[string]string{
		"empty":            "",
		"two parts":        "dXNlcg.survey",
		"security kind":    mail.UnsubscribeToken("u", "password-reset", mac),
		"short MAC":        mail.UnsubscribeToken("u", mail.KindSurvey, mac[:10]),
		"MAC not base64":   mail.UnsubscribeToken("u", mail.KindSurvey, strings.Repeat("*", 43)),
		"no person":        "." + string(mail.KindSurvey) + "." + mac,
		"padded person":    "dQ==." + string(mail.KindSurvey) + "." + mac,
		"very long":        strings.Repeat("A", 500) + "." + string(mail.KindSurvey) + "." + mac,
		"NUL in person":    mail.UnsubscribeToken("u\x00v", mail.KindSurvey, mac),
		"extra dot in MAC": mail.UnsubscribeToken("u", mail.KindSurvey, mac) + ".x",
	} {
		if _, _, _, err := mail.ParseUnsubscribeToken(bad); err == nil {
			t.Errorf("%s: %q parsed", name, bad)
		}
	}
}

// FuzzParseUnsubscribeToken: the token comes from the network (a URL
// path). Whatever it is, parsing never panics, and a token that parses is
// exactly the one its parts make, so one person and kind have one form.
func FuzzParseUnsubscribeToken(f *testing.F) {
	f.Add(mail.UnsubscribeToken("user-bea-0003", mail.KindSurvey, mac))
	f.Add(mail.UnsubscribeToken("0193a1c2-7b7e-7c3a-9f00-4a1b2c3d4e5f", mail.KindDigest, mac))
	f.Add("dXNlcg.survey." + mac)
	f.Add("..")
	f.Add("%2e%2e")
	f.Fuzz(func(t *testing.T, tok string) {
		u, k, m, err := mail.ParseUnsubscribeToken(tok)
		if err != nil {
			return
		}
		if again := mail.UnsubscribeToken(u, k, m); again != tok {
			t.Errorf("%q parsed to %q %q %q, which make %q", tok, u, k, m, again)
		}
		if !mail.Unsubscribable(k) {
			t.Errorf("%q names the kind %q, which nobody unsubscribes from", tok, k)
		}
	})
}
