package mail

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/hindsight-retro/hindsight/domain/mailpref"
)

// The kinds of notice mail, each one a person may unsubscribe from
// (mailpref names them once).
const (
	KindInvitation     = Kind(mailpref.KindInvitation)
	KindActionReminder = Kind(mailpref.KindActionReminder)
	KindSurvey         = Kind(mailpref.KindSurvey)
	KindDigest         = Kind(mailpref.KindDigest)
)

// Unsubscribable reports whether a person may turn kind off: every kind
// mailpref knows; security mails are none of them.
func Unsubscribable(k Kind) bool { return mailpref.Known(mailpref.Kind(k)) }

// Notice is a short mail: a heading, a few lines, lists, one link. Every
// string in it is the recipient's to see; the app builds it from their
// own view.
type Notice struct {
	Kind     Kind
	Subject  string
	Heading  string
	Lines    []string
	Sections []Section
	LinkText string
	Link     string
}

// Section is a titled list; Empty is said when it has no items.
type Section struct {
	Title string
	Items []string
	Empty string
}

// unsubscribeWords say what the unsubscribe link stops, per kind.
var unsubscribeWords = map[Lang]map[Kind]string{
	English: {
		KindSummary: "No more retro summaries by e-mail", KindInvitation: "No more invitations by e-mail",
		KindActionReminder: "No more action reminders by e-mail", KindSurvey: "No more survey mails",
		KindDigest: "No more weekly digests",
	},
	German: {
		KindSummary: "Keine Retro-Zusammenfassungen mehr per E-Mail", KindInvitation: "Keine Einladungen mehr per E-Mail",
		KindActionReminder: "Keine Erinnerungen an Aktionen mehr per E-Mail", KindSurvey: "Keine Umfrage-Mails mehr",
		KindDigest: "Keinen Wochenüberblick mehr",
	},
}

// UnsubscribeText is the unsubscribe link's words for kind.
func UnsubscribeText(lang Lang, k Kind) string {
	if w, ok := unsubscribeWords[lang][k]; ok {
		return w
	}
	return unsubscribeWords[English][k]
}

// Compose renders n as plain text and HTML, with the unsubscribe link
// (empty for none) at the foot.
func (t *Templates) Compose(lang Lang, n Notice, unsubscribe string) (subject, text, html string, err error) {
	if lang != German {
		lang = English
	}
	data := map[string]any{"Lang": string(lang), "N": n, "Unsubscribe": unsubscribe,
		"UnsubscribeText": UnsubscribeText(lang, n.Kind)}
	var tb, hb bytes.Buffer
	if err := t.text.ExecuteTemplate(&tb, "notice.txt.tmpl", data); err != nil {
		return "", "", "", fmt.Errorf("mail: %s text: %w", n.Kind, err)
	}
	if err := t.html.ExecuteTemplate(&hb, "notice.html.tmpl", data); err != nil {
		return "", "", "", fmt.Errorf("mail: %s HTML: %w", n.Kind, err)
	}
	return n.Subject, tb.String(), hb.String(), nil
}

// When formats a time for a reader in loc (UTC when nil), naming the zone.
func When(lang Lang, at time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	at = at.In(loc)
	if lang == German {
		return at.Format("02.01.2006, 15:04") + " Uhr (" + loc.String() + ")"
	}
	return at.Format("Mon 2 Jan 2006, 15:04") + " (" + loc.String() + ")"
}

func pick(lang Lang, en, de string) string {
	if lang == German {
		return de
	}
	return en
}

// TeamInvitation tells a person they were added to a team.
func TeamInvitation(lang Lang, team, link string) Notice {
	return Notice{Kind: KindInvitation,
		Subject:  pick(lang, "You were added to the team "+team, "Du bist jetzt im Team "+team),
		Heading:  pick(lang, "Welcome to "+team, "Willkommen im Team "+team),
		Lines:    []string{pick(lang, "You are now a member of the team "+team+" on Hindsight: its retros, actions and surveys are yours to see and join.", "Du bist jetzt Mitglied des Teams "+team+" in Hindsight: seine Retros, Aktionen und Umfragen stehen dir offen.")},
		LinkText: pick(lang, "Open the team", "Team öffnen"), Link: link}
}

// RetroInvitation invites a team member to a retro; start zero means the
// retro has no planned time (it was made by hand and is open now).
func RetroInvitation(lang Lang, team, title string, start time.Time, loc *time.Location, link string) Notice {
	n := Notice{Kind: KindInvitation,
		Subject:  pick(lang, "Retro invitation: "+title, "Einladung zur Retro: "+title),
		Heading:  title,
		LinkText: pick(lang, "Join the retro", "An der Retro teilnehmen"), Link: link}
	if start.IsZero() {
		n.Lines = []string{pick(lang, "The team "+team+" opened a retro. Join it when you are ready.",
			"Das Team "+team+" hat eine Retro eröffnet. Mach mit, wenn du so weit bist.")}
	} else {
		n.Lines = []string{pick(lang, "The team "+team+" meets for its retro on "+When(lang, start, loc)+".",
			"Das Team "+team+" trifft sich zur Retro am "+When(lang, start, loc)+".")}
	}
	return n
}

// SurveyInvitation asks a team member to answer a survey that opened.
func SurveyInvitation(lang Lang, title string, closes time.Time, loc *time.Location, link string) Notice {
	return Notice{Kind: KindSurvey,
		Subject: pick(lang, "A survey for you: "+title, "Eine Umfrage für dich: "+title),
		Heading: title,
		Lines: []string{
			pick(lang, "Your team asks how things are going. Your ratings are anonymous; only your team's totals are shown.",
				"Dein Team fragt, wie es läuft. Deine Bewertungen sind anonym; gezeigt werden nur die Summen des Teams."),
			pick(lang, "It closes on "+When(lang, closes, loc)+".", "Sie schließt am "+When(lang, closes, loc)+"."),
		},
		LinkText: pick(lang, "Answer the survey", "Umfrage beantworten"), Link: link}
}

// SurveyReminder reminds a team member who has not answered that a survey
// closes soon; it says nothing of who answered.
func SurveyReminder(lang Lang, title string, closes time.Time, loc *time.Location, link string) Notice {
	return Notice{Kind: KindSurvey,
		Subject: pick(lang, "Reminder: the survey "+title+" closes soon", "Erinnerung: die Umfrage "+title+" schließt bald"),
		Heading: title,
		Lines: []string{pick(lang, "You have not answered yet. The survey closes on "+When(lang, closes, loc)+".",
			"Du hast noch nicht geantwortet. Die Umfrage schließt am "+When(lang, closes, loc)+".")},
		LinkText: pick(lang, "Answer the survey", "Umfrage beantworten"), Link: link}
}

// ActionDueSoon reminds an action's assignee that it is due soon.
func ActionDueSoon(lang Lang, title, team string, due time.Time, loc *time.Location, link string) Notice {
	return Notice{Kind: KindActionReminder,
		Subject: pick(lang, "Due soon: "+title, "Bald fällig: "+title),
		Heading: title,
		Lines: []string{pick(lang, "This action of the team "+team+" is yours and due on "+When(lang, due, loc)+".",
			"Diese Aktion des Teams "+team+" ist deine und fällig am "+When(lang, due, loc)+".")},
		LinkText: pick(lang, "Open the team's actions", "Aktionen des Teams öffnen"), Link: link}
}

// ActionOverdue tells an action's assignee that its due date passed.
func ActionOverdue(lang Lang, title, team string, due time.Time, loc *time.Location, link string) Notice {
	return Notice{Kind: KindActionReminder,
		Subject: pick(lang, "Overdue: "+title, "Überfällig: "+title),
		Heading: title,
		Lines: []string{pick(lang, "This action of the team "+team+" is yours and was due on "+When(lang, due, loc)+". Mark it done, or agree a new date with your team.",
			"Diese Aktion des Teams "+team+" ist deine und war am "+When(lang, due, loc)+" fällig. Schließe sie ab oder vereinbare mit deinem Team ein neues Datum.")},
		LinkText: pick(lang, "Open the team's actions", "Aktionen des Teams öffnen"), Link: link}
}

// DigestData is a team's week as a team admin may see it. Health lines
// are already redacted (the minimum group applied).
type DigestData struct {
	Team           string
	Week           string
	OpenActions    []string
	OverdueActions []string
	RetrosHeld     []string
	Health         []string
	Link           string
}

// Digest is a team's weekly digest for one of its admins.
func Digest(lang Lang, d DigestData) Notice {
	return Notice{Kind: KindDigest,
		Subject: pick(lang, "Your team's week: "+d.Team+" ("+d.Week+")", "Die Woche deines Teams: "+d.Team+" ("+d.Week+")"),
		Heading: pick(lang, d.Team+": week "+d.Week, d.Team+": Woche "+d.Week),
		Sections: []Section{
			{Title: pick(lang, "Overdue actions", "Überfällige Aktionen") + " (" + strconv.Itoa(len(d.OverdueActions)) + ")", Items: d.OverdueActions,
				Empty: pick(lang, "None.", "Keine.")},
			{Title: pick(lang, "Open actions", "Offene Aktionen") + " (" + strconv.Itoa(len(d.OpenActions)) + ")", Items: d.OpenActions,
				Empty: pick(lang, "None.", "Keine.")},
			{Title: pick(lang, "Retros held this week", "Retros dieser Woche"), Items: d.RetrosHeld,
				Empty: pick(lang, "None.", "Keine.")},
			{Title: pick(lang, "Health trend", "Gesundheitstrend"), Items: d.Health,
				Empty: pick(lang, "No health check with enough answers yet.", "Noch kein Gesundheitscheck mit genug Antworten.")},
		},
		LinkText: pick(lang, "Open the team's dashboard", "Dashboard des Teams öffnen"), Link: d.Link}
}
