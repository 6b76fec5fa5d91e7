package documents

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/hindsight-retro/hindsight/domain/retro"
)

// mdSpecial are the characters that would make what people wrote into
// Markdown or HTML anywhere in a line: emphasis, code, links and images,
// tables, strike-through, raw tags and entities.
var mdSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `|`, `\|`, `~`, `\~`,
	`<`, `&lt;`, `>`, `&gt;`, `&`, `&amp;`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

// md is text someone wrote, safe inline in Markdown: one line, no markup.
// A leading character that starts a block (heading, list, quote) is
// escaped too; the rest of the text stays as written, so it reads and
// searches as the author wrote it.
func md(s string) string {
	s = strings.TrimSpace(mdSpecial.Replace(s))
	if s != "" && strings.ContainsRune("#-+=", rune(s[0])) {
		return `\` + s
	}
	// "1. text" or "1) text" would start an ordered list.
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if digits > 0 && digits < len(s) && (s[digits] == '.' || s[digits] == ')') {
		return s[:digits] + `\` + s[digits:]
	}
	return s
}

func writeMarkdown(out io.Writer, r Retro) error {
	w := bufio.NewWriter(out)
	v := r.View
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("# %s\n\n", md(v.Title))
	p("%s\n\n", md(summaryLine(r)))
	if len(v.Participants) > 0 {
		p("## Participants\n\n")
		for _, pt := range v.Participants {
			p("- %s (%s)\n", md(r.person(pt.UserID)), pt.Role)
		}
		p("\n")
	}
	if ib := v.Icebreaker; ib != nil {
		p("## Icebreaker: %s\n\n", md(ib.Text))
		for _, a := range ib.Answers {
			p("- %s%s\n", md(a.Text), byline(r, a.Author))
		}
		p("\n")
	}
	if len(v.ActionReview) > 0 {
		p("## Review of earlier actions\n\n")
		for _, a := range v.ActionReview {
			p("- %s: %s\n", md(a.Title), outcome(a.Outcome))
			for _, c := range a.Comments {
				p("  - %s%s\n", md(c.Text), byline(r, c.Author))
			}
		}
		p("\n")
	}
	if h := v.Health; h != nil {
		p("## Health check\n\n")
		for _, q := range h.Questions {
			p("- %s: %s\n", md(q.Text), healthLine(q))
		}
		p("\n")
	}
	p("## Board\n")
	for _, c := range v.Columns {
		p("\n### %s\n\n", md(c.Title))
		if len(c.Cards) == 0 {
			p("No cards.\n")
		}
		for _, card := range c.Cards {
			p("- %s%s%s\n", md(cardText(card)), votes(card.Votes), byline(r, card.Author))
		}
	}
	if len(v.Topics) > 0 {
		p("\n## Topics by votes\n\n")
		for i, t := range v.Topics {
			p("%d. %s%s\n", i+1, md(topicTitle(t)), votes(t.Votes))
		}
	}
	p("\n## Actions\n\n")
	if len(v.Actions) == 0 {
		p("No actions.\n")
	}
	for _, a := range v.Actions {
		detail := actionDetail(r, a)
		if detail != "" {
			detail = " " + md(detail)
		}
		p("- [%s] %s%s\n", checkbox(a.Status), md(a.Title), detail)
	}
	p("\n## Return on time invested\n\n%s\n", rotiLine(v.Roti))
	return w.Flush()
}

// summaryLine is the retro's standing in one line.
func summaryLine(r Retro) string {
	v := r.View
	state := "running"
	if v.Closed {
		state = "closed"
	}
	kind := "named"
	if v.Anonymous {
		kind = "anonymous"
	}
	return fmt.Sprintf("Retro %s, %s, %s, moderated by %s, %d participants.", v.RetroID, state, kind, r.person(v.Moderator), len(v.Participants))
}

func byline(r Retro, author string) string {
	if author == "" {
		return ""
	}
	return " — " + md(r.person(author))
}

func votes(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " (1 vote)"
	default:
		return fmt.Sprintf(" (%d votes)", n)
	}
}

func checkbox(s retro.ActionStatus) string {
	if s == retro.ActionDone {
		return "x"
	}
	return " "
}

func outcome(o retro.Outcome) string {
	if o == retro.OutcomeOpen {
		return "not reviewed"
	}
	return string(o)
}

// actionDetail is who an action is for, by when, and its status if not open.
func actionDetail(r Retro, a retro.ActionView) string {
	var parts []string
	if a.Assignee != "" {
		parts = append(parts, r.person(a.Assignee))
	}
	if a.Due != nil {
		parts = append(parts, "due "+a.Due.UTC().Format("2006-01-02"))
	}
	if a.Status != retro.ActionOpen && a.Status != "" {
		parts = append(parts, string(a.Status))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
