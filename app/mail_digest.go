package app

// The weekly digest: on Monday (DigestHour UTC) a team's week before, for
// each of its admins who opted in (mailpref.KindDigest): its overdue and
// open actions, the retros it closed that week and its health trend as
// the dashboards show it (checks of fewer respondents than the minimum
// group carry no number). Nothing in it is more than a member sees.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/hindsight-retro/hindsight/app/mail"
	"github.com/hindsight-retro/hindsight/domain/reminder"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
	"github.com/hindsight-retro/hindsight/projections/teamhistory"
)

// digestReadModelWait bounds how long a digest waits for the read models
// to reach its claim; past it the reaction fails and is tried again.
const digestReadModelWait = 10 * time.Second

// mailDigest sends a team's weekly digest to its admins who opted in.
func (a *App) mailDigest(ctx context.Context, e eventstore.RecordedEvent, c reminder.Claimed) error {
	t, _, err := a.loadTeam(ctx, c.TeamID)
	if err != nil {
		return fmt.Errorf("mail: team %s: %w", c.TeamID, err)
	}
	var admins []string
	for id, on := range t.Admins {
		if on && t.IsMember(id) {
			admins = append(admins, id)
		}
	}
	slices.Sort(admins)
	if len(admins) == 0 {
		return nil
	}
	wait, cancel := context.WithTimeout(ctx, digestReadModelWait)
	defer cancel()
	if err := a.WaitForReadModels(wait, e.Position); err != nil {
		return fmt.Errorf("mail: digest of team %s: read models: %w", t.ID, err)
	}
	weekEnd := c.Due.Add(-DigestHour * time.Hour)
	weekStart := weekEnd.AddDate(0, 0, -7)
	year, week := weekStart.ISOWeek()
	d := mail.DigestData{Team: t.Name, Week: fmt.Sprintf("%04d-W%02d", year, week), Link: a.appLink("teams", t.ID) + "/dashboard"}
	if a.mail.cfg.BaseURL == "" {
		d.Link = ""
	}
	loc := a.teamZone(ctx, t.ID)
	for _, act := range team.OpenActions(t) {
		line := act.Title
		if !act.Due.IsZero() {
			line += " (" + act.Due.In(loc).Format(time.DateOnly) + ")"
		}
		if !act.Due.IsZero() && act.Due.Before(c.At) {
			d.OverdueActions = append(d.OverdueActions, line)
		} else {
			d.OpenActions = append(d.OpenActions, line)
		}
	}
	var held []teamhistory.Entry
	for _, r := range a.rm.history.Current().TeamRetros(t.ID) {
		if r.ClosedAt != nil && !r.ClosedAt.Before(weekStart) && r.ClosedAt.Before(weekEnd) {
			held = append(held, r)
		}
	}
	trends := a.rm.health.Current().Team(t.ID)
	for _, admin := range admins {
		if err := a.sendTo(ctx, e, admin, mail.KindDigest, func(lang mail.Lang, unsub string) (string, string, string, error) {
			dd := d
			for _, r := range held {
				dd.RetrosHeld = append(dd.RetrosHeld, fmt.Sprintf(pickLang(lang, "%s: %d people, %d cards, %d actions",
					"%s: %d Personen, %d Karten, %d Aktionen"), r.Title, r.Participants, r.Cards, r.Actions))
			}
			dd.Health = healthLines(lang, trends)
			return a.mail.tmpl.Compose(lang, mail.Digest(lang, dd), unsub)
		}); err != nil {
			return err
		}
	}
	return nil
}

// healthLines are the team's packs and eNPS, each its latest check and
// trend; a check withheld for too few respondents shows no number.
func healthLines(lang mail.Lang, tr healthtrends.TeamTrends) []string {
	var out []string
	series := append(slices.Clone(tr.Packs), tr.ENPS)
	for _, s := range series {
		if len(s.Points) == 0 {
			continue
		}
		title := s.Title
		switch {
		case title == "" && s.ID == tr.ENPS.ID:
			title = "eNPS"
		case title == "":
			title = s.ID
		}
		last := s.Points[len(s.Points)-1]
		switch {
		case last.Suppressed || last.Value == nil:
			out = append(out, title+": "+pickLang(lang, "latest check withheld (too few answers)", "letzter Check zurückgehalten (zu wenige Antworten)"))
		default:
			out = append(out, title+": "+strconv.FormatFloat(*last.Value, 'f', -1, 64)+" ("+trendWord(lang, s.Trend)+")")
		}
	}
	return out
}

func trendWord(lang mail.Lang, trend string) string {
	de := map[string]string{"improving": "steigend", "declining": "fallend", "steady": "gleichbleibend", "new": "neu"}
	if lang == mail.German {
		if w, ok := de[trend]; ok {
			return w
		}
	}
	return trend
}

func pickLang(lang mail.Lang, en, de string) string {
	if lang == mail.German {
		return de
	}
	return en
}
