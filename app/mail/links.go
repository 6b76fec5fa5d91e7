package mail

import (
	"bytes"
	"fmt"
	"time"
)

// The kinds of mail that carry a magic link, one per purpose. They cannot
// be unsubscribed from: each answers a request of the recipient's own (or
// of someone typing their address, which the mail says).
const (
	KindVerify    Kind = "verify"
	KindReset     Kind = "reset"
	KindGuestLink Kind = "guest-link"
)

// linkWords are a link mail's own words per language.
type linkWords struct {
	Subject, Greeting, Intro, Action, Expires, Ignore string
}

var linkText = map[Kind]map[Lang]linkWords{
	KindVerify: {
		English: {Subject: "Confirm your e-mail address for Hindsight", Greeting: "Hello",
			Intro:  "Someone registered a Hindsight account with this address. If it was you, confirm the address:",
			Action: "Confirm my address", Expires: "The link works once, until",
			Ignore: "If you did not register, ignore this mail: the account cannot take your address's guest history, nor be linked to your sign-in elsewhere, without this link."},
		German: {Subject: "Bestätige deine E-Mail-Adresse für Hindsight", Greeting: "Hallo",
			Intro:  "Jemand hat mit dieser Adresse ein Hindsight-Konto angelegt. Wenn du es warst, bestätige die Adresse:",
			Action: "Meine Adresse bestätigen", Expires: "Der Link funktioniert einmal, bis",
			Ignore: "Wenn du dich nicht registriert hast, ignoriere diese Mail: ohne diesen Link übernimmt das Konto weder deinen Gastverlauf noch wird es mit deiner Anmeldung anderswo verknüpft."},
	},
	KindReset: {
		English: {Subject: "Reset your Hindsight password", Greeting: "Hello",
			Intro:  "Someone asked to reset the password of the Hindsight account with this address. To choose a new password:",
			Action: "Choose a new password", Expires: "The link works once, until",
			Ignore: "If you did not ask, ignore this mail: your password stays as it is."},
		German: {Subject: "Setze dein Hindsight-Passwort zurück", Greeting: "Hallo",
			Intro:  "Jemand möchte das Passwort des Hindsight-Kontos mit dieser Adresse zurücksetzen. So wählst du ein neues Passwort:",
			Action: "Neues Passwort wählen", Expires: "Der Link funktioniert einmal, bis",
			Ignore: "Wenn du das nicht warst, ignoriere diese Mail: dein Passwort bleibt, wie es ist."},
	},
	KindGuestLink: {
		English: {Subject: "Join the retro on Hindsight", Greeting: "Hello",
			Intro:  "Someone asked to join a retro as a guest with this address. To join it:",
			Action: "Join the retro", Expires: "The link works once, until",
			Ignore: "If it was not you, ignore this mail: nobody joins as you without it."},
		German: {Subject: "Nimm an der Retro auf Hindsight teil", Greeting: "Hallo",
			Intro:  "Jemand möchte mit dieser Adresse als Gast an einer Retro teilnehmen. So nimmst du teil:",
			Action: "An der Retro teilnehmen", Expires: "Der Link funktioniert einmal, bis",
			Ignore: "Wenn du das nicht warst, ignoriere diese Mail: ohne sie nimmt niemand als du teil."},
	},
}

// Link composes a mail of a link kind (KindVerify, KindReset,
// KindGuestLink) to name, with the link and when it stops working (shown in
// UTC).
func (t *Templates) Link(lang Lang, kind Kind, name, link string, expires time.Time) (subject, text, html string, err error) {
	words, ok := linkText[kind]
	if !ok {
		return "", "", "", fmt.Errorf("mail: %q is not a kind of link mail", kind)
	}
	w, ok := words[lang]
	if !ok {
		lang, w = English, words[English]
	}
	data := map[string]any{"T": w, "Lang": string(lang), "Name": name, "Link": link, "Subject": w.Subject,
		"Expires": expires.UTC().Format("2006-01-02 15:04 MST")}
	var tb, hb bytes.Buffer
	if err := t.text.ExecuteTemplate(&tb, "link.txt.tmpl", data); err != nil {
		return "", "", "", fmt.Errorf("mail: %s text: %w", kind, err)
	}
	if err := t.html.ExecuteTemplate(&hb, "link.html.tmpl", data); err != nil {
		return "", "", "", fmt.Errorf("mail: %s HTML: %w", kind, err)
	}
	return w.Subject, tb.String(), hb.String(), nil
}
