package api

import (
	"bytes"
	"html/template"
	"net/http"
	"reflect"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/domain/mailpref"
)

// mailRoutes are a person's mail preferences and the unsubscribe link
// every mail but the security ones carries (RFC 8058 one-click).
func mailRoutes() []route {
	set := exchange("/v1/me/mail-preferences", "setMyMailPreferences",
		"Turn kinds of mail on or off (kinds: "+kindList()+"; the digest is opt-in, for team admins); kinds left out keep what they were",
		true, func(s *server, c call, in app.MailPreferences) (app.MailPreferences, error) {
			return s.deps.App.SetMyMailPreferences(c.r.Context(), c.caller(), in)
		})
	set.method = http.MethodPut
	return tagged("mail",
		query("/v1/me/mail-preferences", "getMyMailPreferences",
			"Which kinds of mail you get: every kind, true when on",
			func(s *server, c call) (app.MailPreferences, error) {
				return s.deps.App.MyMailPreferences(c.r.Context(), c.p)
			}),
		set,
		unsubscribePage(),
		unsubscribePost(),
	)
}

func kindList() string {
	out := ""
	for i, k := range mailpref.Kinds() {
		if i > 0 {
			out += ", "
		}
		out += string(k)
	}
	return out
}

// unsubscribePageTmpl is the confirm page a mail's unsubscribe link opens
// in a browser; its button posts the one-click form to the same address.
var unsubscribePageTmpl = template.Must(template.New("unsubscribe").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Hindsight: unsubscribe</title></head>
<body>
{{if .Done}}<h1>Unsubscribed</h1>
<p>You will get no more of these mails: {{.Kind}}. Turn them on again in your settings.</p>
<p lang="de">Du bekommst diese Mails nicht mehr: {{.Kind}}. In deinen Einstellungen kannst du sie wieder einschalten.</p>
{{else if not .Subscribed}}<h1>Already unsubscribed</h1>
<p>You get none of these mails: {{.Kind}}.</p>
<p lang="de">Du bekommst diese Mails nicht: {{.Kind}}.</p>
{{else}}<h1>Unsubscribe?</h1>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><input type="hidden" name="from" value="page">
<p><button type="submit">{{.En}}</button></p>
<p lang="de"><button type="submit">{{.De}}</button></p>
</form>{{end}}
</body></html>
`))

func writeUnsubscribePage(w http.ResponseWriter, link app.UnsubscribeLink, done bool) {
	var buf bytes.Buffer
	k := mail.Kind(link.Kind)
	_ = unsubscribePageTmpl.Execute(&buf, map[string]any{"Kind": string(k), "Subscribed": link.Subscribed, "Done": done,
		"En": mail.UnsubscribeText(mail.English, k), "De": mail.UnsubscribeText(mail.German, k)})
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

var tokenParam = "/v1/mail/unsubscribe/{token}"

// unsubscribePage shows what the link stops and a button; following the
// link changes nothing, so a mail scanner that opens it unsubscribes
// nobody.
func unsubscribePage() route {
	return route{
		method: http.MethodGet, pattern: tokenParam, op: "getUnsubscribePage",
		summary: "The confirm page of a mail's unsubscribe link (no sign-in): what it stops, and a button; opening it changes nothing",
		resp:    reflect.TypeFor[string](), respTypes: []string{"text/html"},
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			link, err := s.deps.App.OpenUnsubscribeLink(r.Context(), c.param("token"))
			if err != nil {
				s.fail(w, r, err)
				return
			}
			writeUnsubscribePage(w, link, false)
		},
	}
}

// unsubscribePost is the one-click unsubscribe (RFC 8058): a mail program
// posts List-Unsubscribe=One-Click here, as does the confirm page.
func unsubscribePost() route {
	return route{
		method: http.MethodPost, pattern: tokenParam, op: "unsubscribe",
		summary: "Unsubscribe the link's person from the link's kind of mail (RFC 8058 one-click; no sign-in); again changes nothing",
		resp:    reflect.TypeFor[string](), respTypes: []string{"text/html"},
		handle: func(s *server, rt *route, w http.ResponseWriter, r *http.Request) {
			c, ok := s.begin(rt, w, r)
			if !ok {
				return
			}
			via := mailpref.ViaOneClick
			if err := r.ParseForm(); err == nil && r.PostForm.Get("from") == "page" {
				via = mailpref.ViaPage
			}
			link, err := s.deps.App.Unsubscribe(r.Context(), c.param("token"), via)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			writeUnsubscribePage(w, link, true)
		},
	}
}
