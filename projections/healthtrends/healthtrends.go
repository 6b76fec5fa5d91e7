// Package healthtrends is the read model of team health over time: per team,
// per question and per pack, the score at each check and its trend; eNPS per
// team and per workspace; and a heat map of teams by health dimension for
// workspace admins.
//
// A check is a retro's health check once revealed (answers are final then),
// or a closed survey: one check of its team, or, for a survey sent to
// several teams, one check per team of the answers its own people gave
// (each held to the minimum on its own). Only aggregates leave the read
// model, and never one of fewer respondents than the configured minimum
// (default 3): such a value is marked suppressed and carries no number, not
// even its respondent count, and no change is computed from or against it,
// so nobody's answer can be singled out by difference either.
//
// Answers are kept by respondent (a pseudonym) only until the check is
// revealed or the survey closes; then they become distributions.
package healthtrends

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// Name of the read model.
const Name = "health-trends"

// DefaultMinRespondents is the smallest group an aggregate is shown for.
const DefaultMinRespondents = 3

// Config of the read model.
type Config struct {
	// MinRespondents below which an aggregate is suppressed; 0 means the
	// default. Values below 2 are raised to 2: one answer is one person's.
	MinRespondents int
	// PackOf names the pack a question belongs to (catalog.QuestionPack);
	// nil or not found groups the question under its dimension's ID.
	PackOf func(questionID string) (string, bool)
}

// Trends is the read model.
type Trends struct {
	*projections.Fold[state]
	min    int
	packOf func(string) (string, bool)
}

type state struct {
	TeamWorkspace map[string]string `json:"teamWorkspace"`
	Open          map[string]*acc   `json:"open"`
	Checks        []*check          `json:"checks"`
	// RetroCheck is a revealed retro's index in Checks, for scores imported
	// after the reveal.
	RetroCheck   map[string]int  `json:"retroCheck"`
	SurveyChecks map[string]bool `json:"surveyChecks"`
}

// acc is a check still collecting answers.
type acc struct {
	TeamID    string                    `json:"teamId,omitempty"`
	TeamIDs   []string                  `json:"teamIds,omitempty"`
	Questions []catalog.Question        `json:"questions"`
	Answers   map[string]map[string]int `json:"answers"`  // question → respondent → score
	Imported  map[string]map[int]int    `json:"imported"` // question → score → count
	// RespondentTeam is, in a survey of several teams, the team each
	// respondent answered for.
	RespondentTeam map[string]string `json:"respondentTeam,omitempty"`
}

type check struct {
	Source    string     `json:"source"` // "retro" or "survey"
	SourceID  string     `json:"sourceId"`
	TeamID    string     `json:"teamId"`
	At        time.Time  `json:"at"`
	Questions []question `json:"questions"`
}

type question struct {
	catalog.Question
	Dist map[int]int `json:"dist"`
}

func (q question) count() int {
	n := 0
	for _, c := range q.Dist {
		n += c
	}
	return n
}

func (q question) sum() int {
	s := 0
	for score, c := range q.Dist {
		s += score * c
	}
	return s
}

// New returns an empty read model.
func New(cfg Config) *Trends {
	min := cfg.MinRespondents
	if min == 0 {
		min = DefaultMinRespondents
	}
	min = max(min, 2)
	return &Trends{Fold: projections.NewFold(Name, newState, fold, projections.Types(
		team.TeamCreated{}, workspace.TeamRegistered{}, retro.RetroCreated{}, retro.HealthCheckStarted{},
		retro.HealthCheckAnswered{}, retro.SurveyScoresImported{}, retro.HealthCheckRevealed{}, retro.RetroClosed{},
		survey.SurveyCreated{}, survey.ResponseSubmitted{}, survey.SurveyClosed{})), min: min, packOf: cfg.PackOf}
}

func newState() *state {
	return &state{TeamWorkspace: map[string]string{}, Open: map[string]*acc{}, RetroCheck: map[string]int{}, SurveyChecks: map[string]bool{}}
}

func newAcc() *acc {
	return &acc{Answers: map[string]map[string]int{}, Imported: map[string]map[int]int{}}
}

func fold(s *state, e eventstore.RecordedEvent, ev any) {
	id := e.Stream.ID
	switch ev := ev.(type) {
	case team.TeamCreated:
		s.TeamWorkspace[id] = ev.WorkspaceID
	case workspace.TeamRegistered:
		s.TeamWorkspace[ev.TeamID] = id
	case retro.RetroCreated:
		a := newAcc()
		a.TeamID = ev.TeamID
		s.Open["retro:"+id] = a
	case retro.HealthCheckStarted:
		if a, ok := s.Open["retro:"+id]; ok {
			a.Questions = append(a.Questions, ev.Questions...)
		}
	case retro.HealthCheckAnswered:
		if a, ok := s.Open["retro:"+id]; ok {
			m := a.Answers[ev.QuestionID]
			if m == nil {
				m = map[string]int{}
				a.Answers[ev.QuestionID] = m
			}
			m[ev.Respondent] = ev.Score
		}
	case retro.SurveyScoresImported:
		if s.SurveyChecks[ev.SurveyID] {
			return // the survey is a check of its own already
		}
		if i, ok := s.RetroCheck[id]; ok {
			addImported(s.Checks[i], ev.Scores)
			return
		}
		if a, ok := s.Open["retro:"+id]; ok {
			for _, sc := range ev.Scores {
				if !hasQuestion(a.Questions, sc.Question.ID) {
					a.Questions = append(a.Questions, sc.Question)
				}
				d := a.Imported[sc.Question.ID]
				if d == nil {
					d = map[int]int{}
					a.Imported[sc.Question.ID] = d
				}
				for score, n := range sc.Distribution {
					d[score] += n
				}
			}
		}
	case retro.HealthCheckRevealed:
		if a, ok := s.Open["retro:"+id]; ok {
			s.RetroCheck[id] = len(s.Checks)
			s.Checks = append(s.Checks, a.close("retro", id, a.TeamID, ev.At))
			delete(s.Open, "retro:"+id)
		}
	case retro.RetroClosed:
		delete(s.Open, "retro:"+id) // never revealed: never shown, not a check
	case survey.SurveyCreated:
		if len(ev.HealthQuestions) == 0 {
			return
		}
		a := newAcc()
		a.TeamIDs = slices.Clone(ev.TeamIDs)
		a.Questions = slices.Clone(ev.HealthQuestions)
		s.Open["survey:"+id] = a
	case survey.ResponseSubmitted:
		a, ok := s.Open["survey:"+id]
		if !ok {
			return
		}
		for q := range a.Answers {
			if ev.Replaces {
				delete(a.Answers[q], ev.Respondent)
			}
		}
		if ev.Team != "" {
			if a.RespondentTeam == nil {
				a.RespondentTeam = map[string]string{}
			}
			a.RespondentTeam[ev.Respondent] = ev.Team
		}
		for q, score := range ev.Ratings {
			m := a.Answers[q]
			if m == nil {
				m = map[string]int{}
				a.Answers[q] = m
			}
			m[ev.Respondent] = score
		}
	case survey.SurveyClosed:
		a, ok := s.Open["survey:"+id]
		if !ok {
			return
		}
		delete(s.Open, "survey:"+id)
		if len(a.TeamIDs) == 1 {
			s.SurveyChecks[id] = true
			s.Checks = append(s.Checks, a.close("survey", id, a.TeamIDs[0], ev.At))
			return
		}
		// A survey across teams is a check of each team with its own people;
		// responses recorded without their team count for none.
		for _, tm := range a.TeamIDs {
			if c := a.only(tm).close("survey", id, tm, ev.At); c.answered() {
				s.SurveyChecks[id] = true
				s.Checks = append(s.Checks, c)
			}
		}
	}
}

func hasQuestion(qs []catalog.Question, id string) bool {
	return slices.ContainsFunc(qs, func(q catalog.Question) bool { return q.ID == id })
}

func addImported(c *check, scores []retro.ImportedScore) {
	for _, sc := range scores {
		i := slices.IndexFunc(c.Questions, func(q question) bool { return q.ID == sc.Question.ID })
		if i < 0 {
			c.Questions = append(c.Questions, question{Question: sc.Question, Dist: map[int]int{}})
			i = len(c.Questions) - 1
		}
		for score, n := range sc.Distribution {
			c.Questions[i].Dist[score] += n
		}
	}
}

// only is the accumulator with the answers of one team's respondents.
func (a *acc) only(team string) *acc {
	out := newAcc()
	out.Questions = a.Questions
	for q, byResp := range a.Answers {
		m := map[string]int{}
		for resp, score := range byResp {
			if a.RespondentTeam[resp] == team {
				m[resp] = score
			}
		}
		out.Answers[q] = m
	}
	return out
}

// answered is whether anyone answered any of the check's questions.
func (c *check) answered() bool {
	for _, q := range c.Questions {
		if q.count() > 0 {
			return true
		}
	}
	return false
}

// close turns the answers into distributions: from here on no respondent
// is kept.
func (a *acc) close(source, id, teamID string, at time.Time) *check {
	c := &check{Source: source, SourceID: id, TeamID: teamID, At: at}
	for _, q := range a.Questions {
		d := map[int]int{}
		for _, score := range a.Answers[q.ID] {
			d[score]++
		}
		for score, n := range a.Imported[q.ID] {
			d[score] += n
		}
		c.Questions = append(c.Questions, question{Question: q, Dist: d})
	}
	return c
}

// Point is one check's aggregate. A suppressed point has no numbers.
type Point struct {
	At          time.Time `json:"at"`
	Source      string    `json:"source"`
	SourceID    string    `json:"sourceId"`
	Suppressed  bool      `json:"suppressed,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Respondents *int      `json:"respondents,omitempty"`
	Value       *float64  `json:"value,omitempty"`
}

// Series is a question's, pack's or dimension's points over time and its
// trend over the shown points.
type Series struct {
	ID     string  `json:"id"`
	Title  string  `json:"title,omitempty"`
	Scale  string  `json:"scale,omitempty"`
	Points []Point `json:"points"`
	// Change is the last shown value minus the one before, nil without two.
	Change *float64 `json:"change,omitempty"`
	// Trend is "improving", "declining" or "steady" by the least-squares
	// slope over the shown points, "new" with fewer than two.
	Trend string `json:"trend"`
}

// TeamTrends is one team's health over time.
type TeamTrends struct {
	TeamID    string   `json:"teamId"`
	Questions []Series `json:"questions"`
	Packs     []Series `json:"packs"`
	ENPS      Series   `json:"enps"`
}

func (t *Trends) point(c *check, respondents int, value float64) Point {
	p := Point{At: c.At, Source: c.Source, SourceID: c.SourceID}
	if respondents < t.min {
		p.Suppressed = true
		p.Reason = "fewer respondents than the minimum of " + strconv.Itoa(t.min)
		return p
	}
	n, v := respondents, round2(value)
	p.Respondents, p.Value = &n, &v
	return p
}

// Team returns the team's trends, checks oldest first.
func (t *Trends) Team(teamID string) TeamTrends {
	out := TeamTrends{TeamID: teamID, Questions: []Series{}, Packs: []Series{}, ENPS: Series{ID: "enps", Points: []Point{}}}
	t.Read(func(s *state) {
		qIdx, pIdx := map[string]int{}, map[string]int{}
		for _, c := range s.Checks {
			if c.TeamID != teamID {
				continue
			}
			packs := map[string][]question{}
			var packOrder []string
			for _, q := range c.Questions {
				i, ok := qIdx[q.ID]
				if !ok {
					i = len(out.Questions)
					qIdx[q.ID] = i
					out.Questions = append(out.Questions, Series{ID: q.ID, Title: q.Text, Scale: string(q.Scale)})
				}
				n := q.count()
				avg := 0.0
				if n > 0 {
					avg = float64(q.sum()) / float64(n)
				}
				out.Questions[i].Points = append(out.Questions[i].Points, t.point(c, n, avg))
				pk := t.pack(q.Question)
				if _, ok := packs[pk]; !ok {
					packOrder = append(packOrder, pk)
				}
				packs[pk] = append(packs[pk], q)
			}
			for _, pk := range packOrder {
				i, ok := pIdx[pk]
				if !ok {
					i = len(out.Packs)
					pIdx[pk] = i
					out.Packs = append(out.Packs, Series{ID: pk})
				}
				n, v := groupValue(packs[pk])
				out.Packs[i].Points = append(out.Packs[i].Points, t.point(c, n, v))
			}
			if q, ok := enpsQuestion(c); ok {
				n, v := enps(q.Dist)
				out.ENPS.Points = append(out.ENPS.Points, t.point(c, n, v))
			}
		}
	})
	for i := range out.Questions {
		trend(&out.Questions[i])
	}
	for i := range out.Packs {
		trend(&out.Packs[i])
	}
	trend(&out.ENPS)
	return out
}

func (t *Trends) pack(q catalog.Question) string {
	if t.packOf != nil {
		if p, ok := t.packOf(q.ID); ok {
			return p
		}
	}
	return q.Dimension
}

// groupValue is a group of questions' value: the mean of their answers, on
// the respondents every question had (the fewest answering any of them).
func groupValue(qs []question) (respondents int, value float64) {
	respondents = math.MaxInt
	sum, n := 0, 0
	for _, q := range qs {
		c := q.count()
		respondents = min(respondents, c)
		sum += q.sum()
		n += c
	}
	if n == 0 || respondents == math.MaxInt {
		return 0, 0
	}
	return respondents, float64(sum) / float64(n)
}

// enpsQuestion is the check's 0-10 question with the most answers.
func enpsQuestion(c *check) (question, bool) {
	var (
		best  question
		found bool
	)
	for _, q := range c.Questions {
		if q.Scale == catalog.ScaleTen && (!found || q.count() > best.count()) {
			best, found = q, true
		}
	}
	return best, found
}

// enps is promoters' share minus detractors', in points.
func enps(dist map[int]int) (respondents int, value float64) {
	promoters, detractors := 0, 0
	for score, n := range dist {
		respondents += n
		switch {
		case score >= 9:
			promoters += n
		case score <= 6:
			detractors += n
		}
	}
	if respondents == 0 {
		return 0, 0
	}
	return respondents, float64(promoters-detractors) * 100 / float64(respondents)
}

// trend fills Change and Trend from the shown points.
func trend(s *Series) {
	if s.Points == nil {
		s.Points = []Point{}
	}
	var ys []float64
	for _, p := range s.Points {
		if p.Value != nil {
			ys = append(ys, *p.Value)
		}
	}
	if len(ys) < 2 {
		s.Trend = "new"
		return
	}
	ch := round2(ys[len(ys)-1] - ys[len(ys)-2])
	s.Change = &ch
	// Least-squares slope over the check index.
	n := float64(len(ys))
	var sx, sy, sxy, sxx float64
	for i, y := range ys {
		x := float64(i)
		sx, sy, sxy, sxx = sx+x, sy+y, sxy+x*y, sxx+x*x
	}
	slope := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	switch {
	case slope > 0.05:
		s.Trend = "improving"
	case slope < -0.05:
		s.Trend = "declining"
	default:
		s.Trend = "steady"
	}
}

// WorkspaceENPS pools the latest check with a 0-10 question of every team
// of the workspace into one eNPS.
func (t *Trends) WorkspaceENPS(workspaceID string) Point {
	pooled := map[int]int{}
	var at time.Time
	t.Read(func(s *state) {
		latest := map[string]*check{}
		for _, c := range s.Checks {
			if s.TeamWorkspace[c.TeamID] != workspaceID {
				continue
			}
			if _, ok := enpsQuestion(c); ok {
				latest[c.TeamID] = c
			}
		}
		for _, c := range latest {
			q, _ := enpsQuestion(c)
			for score, n := range q.Dist {
				pooled[score] += n
			}
			if c.At.After(at) {
				at = c.At
			}
		}
	})
	n, v := enps(pooled)
	return t.point(&check{Source: "workspace", SourceID: workspaceID, At: at}, n, v)
}

// Cell is a team's latest value on a dimension and its change since the
// previous check that had it. Suppressed cells carry no numbers.
type Cell struct {
	TeamID     string     `json:"teamId"`
	Dimension  string     `json:"dimension"`
	At         *time.Time `json:"at,omitempty"`
	Suppressed bool       `json:"suppressed,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	Value      *float64   `json:"value,omitempty"`
	Change     *float64   `json:"change,omitempty"`
	// Respondents of the latest check (the fewest answering any of the
	// dimension's questions), shown only when at least the minimum.
	Respondents *int `json:"respondents,omitempty"`
}

// HeatMap is teams × dimensions for one workspace. Rows follow Teams,
// columns Dimensions; a team that never checked a dimension has an empty cell.
type HeatMap struct {
	WorkspaceID    string   `json:"workspaceId"`
	MinRespondents int      `json:"minRespondents"`
	Teams          []string `json:"teams"`
	Dimensions     []string `json:"dimensions"`
	Cells          [][]Cell `json:"cells"`
}

// HeatMap builds the workspace's heat map (for its admins).
func (t *Trends) HeatMap(workspaceID string) HeatMap {
	out := HeatMap{WorkspaceID: workspaceID, MinRespondents: t.min, Teams: []string{}, Dimensions: []string{}, Cells: [][]Cell{}}
	type obs struct {
		c    *check
		n    int
		v    float64
		show bool
	}
	series := map[string]map[string][]obs{} // team → dimension → checks in order
	t.Read(func(s *state) {
		for tm, ws := range s.TeamWorkspace {
			if ws == workspaceID {
				series[tm] = map[string][]obs{}
			}
		}
		for _, c := range s.Checks {
			byTeam, ok := series[c.TeamID]
			if !ok {
				continue
			}
			dims := map[string][]question{}
			for _, q := range c.Questions {
				dims[q.Dimension] = append(dims[q.Dimension], q)
			}
			for d, qs := range dims {
				n, v := groupValue(qs)
				byTeam[d] = append(byTeam[d], obs{c: c, n: n, v: v, show: n >= t.min})
			}
		}
	})
	dimSet := map[string]bool{}
	for tm, byDim := range series {
		out.Teams = append(out.Teams, tm)
		for d := range byDim {
			dimSet[d] = true
		}
	}
	for d := range dimSet {
		out.Dimensions = append(out.Dimensions, d)
	}
	sort.Strings(out.Teams)
	sort.Strings(out.Dimensions)
	for _, tm := range out.Teams {
		row := make([]Cell, 0, len(out.Dimensions))
		for _, d := range out.Dimensions {
			cell := Cell{TeamID: tm, Dimension: d}
			obsv := series[tm][d]
			if len(obsv) > 0 {
				last := obsv[len(obsv)-1]
				at := last.c.At
				cell.At = &at
				if !last.show {
					cell.Suppressed = true
					cell.Reason = "fewer respondents than the minimum of " + strconv.Itoa(t.min)
				} else {
					v, n := round2(last.v), last.n
					cell.Value, cell.Respondents = &v, &n
					for i := len(obsv) - 2; i >= 0; i-- {
						if obsv[i].show {
							ch := round2(last.v - obsv[i].v)
							cell.Change = &ch
							break
						}
					}
				}
			}
			row = append(row, cell)
		}
		out.Cells = append(out.Cells, row)
	}
	return out
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Teams returns every team with at least one check, sorted.
func (t *Trends) Teams() []string {
	set := map[string]bool{}
	t.Read(func(s *state) {
		for _, c := range s.Checks {
			set[c.TeamID] = true
		}
	})
	out := make([]string, 0, len(set))
	for tm := range set {
		out = append(out, tm)
	}
	sort.Strings(out)
	return out
}

// Workspaces returns every workspace with a known team, sorted.
func (t *Trends) Workspaces() []string {
	set := map[string]bool{}
	t.Read(func(s *state) {
		for _, ws := range s.TeamWorkspace {
			set[ws] = true
		}
	})
	out := make([]string, 0, len(set))
	for ws := range set {
		out = append(out, ws)
	}
	sort.Strings(out)
	return out
}

// MinRespondents is the smallest group shown.
func (t *Trends) MinRespondents() int { return t.min }

// MonthENPS is a team's eNPS over one calendar month (UTC).
type MonthENPS struct {
	Month string `json:"month"` // 2026-03
	// Respondents and Value pool the month's checks that are shown on their
	// own; nil with Suppressed when none is.
	Respondents *int     `json:"respondents,omitempty"`
	Value       *float64 `json:"value,omitempty"`
	Suppressed  bool     `json:"suppressed,omitempty"`
}

// MonthlyENPS is the team's eNPS per month that had a check with a 0-10
// question, oldest first. A month pools only checks with at least the
// minimum group: a check withheld on its own must not show through a
// month's total (or the difference between it and a shown check).
func (t *Trends) MonthlyENPS(teamID string) []MonthENPS {
	type pool struct {
		dist  map[int]int
		shown bool
	}
	months := map[string]*pool{}
	t.Read(func(s *state) {
		for _, c := range s.Checks {
			if c.TeamID != teamID {
				continue
			}
			q, ok := enpsQuestion(c)
			if !ok || q.count() == 0 {
				continue
			}
			m := c.At.UTC().Format("2006-01")
			p := months[m]
			if p == nil {
				p = &pool{dist: map[int]int{}}
				months[m] = p
			}
			if q.count() < t.min {
				continue
			}
			p.shown = true
			for score, n := range q.Dist {
				p.dist[score] += n
			}
		}
	})
	out := make([]MonthENPS, 0, len(months))
	for m, p := range months {
		me := MonthENPS{Month: m, Suppressed: !p.shown}
		if p.shown {
			n, v := enps(p.dist)
			v = round2(v)
			me.Respondents, me.Value = &n, &v
		}
		out = append(out, me)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out
}
