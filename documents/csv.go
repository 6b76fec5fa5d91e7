package documents

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hindsight-retro/hindsight/domain/team"
)

// retroCSVHeader: one table for cards, topics with their votes, and
// actions, told apart by the first column, so one file opens in any
// spreadsheet.
var retroCSVHeader = []string{"record", "id", "column", "group", "text", "author", "votes", "assignee", "due", "status"}

func writeCSV(out io.Writer, r Retro) error {
	w := csv.NewWriter(out)
	row := func(rec, id, column, group, text, author string, votes int, assignee, due, status string) {
		_ = w.Write(cells(rec, id, column, group, text, author, strconv.Itoa(votes), assignee, due, status))
	}
	_ = w.Write(retroCSVHeader)
	v := r.View
	for _, c := range v.Columns {
		for _, card := range c.Cards {
			row("card", card.ID, c.Title, card.GroupID, cardText(card), r.person(card.Author), card.Votes, "", "", "")
		}
	}
	for _, t := range v.Topics {
		row(t.Kind+" topic", t.ID, "", "", topicTitle(t), "", t.Votes, "", "", "")
	}
	for _, a := range v.Actions {
		due := ""
		if a.Due != nil {
			due = a.Due.UTC().Format(time.DateOnly)
		}
		row("action", a.ID, "", "", a.Title, "", 0, r.person(a.Assignee), due, string(a.Status))
	}
	w.Flush()
	return w.Error()
}

// TeamActionsCSV writes a team's actions as CSV: one row each, oldest
// first, as the caller's team view lists them.
func TeamActionsCSV(out io.Writer, actions []team.Action, names map[string]string) error {
	w := csv.NewWriter(out)
	_ = w.Write([]string{"id", "title", "status", "assignee", "due", "originRetroId", "createdAt", "updatedAt", "comments"})
	r := Retro{Names: names}
	for _, a := range actions {
		due := ""
		if !a.Due.IsZero() {
			due = a.Due.UTC().Format(time.DateOnly)
		}
		_ = w.Write(cells(a.ID, a.Title, string(a.Status), r.person(a.Assignee), due, a.OriginRetroID,
			stamp(a.CreatedAt), stamp(a.UpdatedAt), strconv.Itoa(len(a.Comments))))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("documents: team actions as CSV: %w", err)
	}
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// cells makes values safe in a spreadsheet: a cell starting with = + - @
// or a control character is a formula to Excel and LibreOffice (CSV
// injection), so it gets a leading apostrophe, which they show as text.
func cells(vals ...string) []string {
	for i, s := range vals {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			vals[i] = "'" + s
		}
	}
	return vals
}
