package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/aggregate"
	"github.com/hindsight-retro/hindsight/projections/healthtrends"
)

// CreateSurveyInput is what a new survey is made of.
type CreateSurveyInput struct {
	// TeamIDs: one team (its members may send it), or several of one
	// workspace (its admins only).
	TeamIDs []string `json:"teamIds"`
	Title   string   `json:"title"`
	// RetroID is a retro of one of the teams that the survey prepares.
	RetroID string `json:"retroId,omitempty"`
	// QuestionIDs name catalogue health questions; empty with PackID set
	// asks the whole pack.
	QuestionIDs   []string              `json:"questionIds,omitempty"`
	PackID        string                `json:"packId,omitempty"`
	OpenQuestions []survey.OpenQuestion `json:"openQuestions,omitempty"`
	// OpensAt zero means now.
	OpensAt          time.Time `json:"opensAt,omitzero"`
	ClosesAt         time.Time `json:"closesAt"`
	NamedOpenAnswers bool      `json:"namedOpenAnswers,omitempty"`
}

// CreateSurvey sends a survey. Result.ID is the survey's ID.
func (a *App) CreateSurvey(ctx context.Context, c identity.Caller, in CreateSurveyInput) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
	if err := notGuest(p); err != nil {
		return Result{}, err
	}
	if len(in.TeamIDs) == 0 {
		return Result{}, domain.Errorf(domain.Invalid, survey.CodeTeamRequired, "a survey goes to at least one team")
	}
	if len(in.TeamIDs) > survey.MaxTeams {
		return Result{}, domain.Errorf(domain.Invalid, survey.CodeTooManyTeams, "a survey goes to at most %d teams", survey.MaxTeams)
	}
	teams := make([]team.State, 0, len(in.TeamIDs))
	for i, id := range in.TeamIDs {
		t, _, err := a.loadTeam(ctx, id)
		if err != nil {
			return Result{}, err
		}
		if i > 0 && t.WorkspaceID != teams[0].WorkspaceID {
			return Result{}, domain.Errorf(domain.Invalid, "teams-in-several-workspaces", "a survey's teams belong to one workspace")
		}
		teams = append(teams, t)
	}
	ws, _, err := a.loadWorkspace(ctx, teams[0].WorkspaceID)
	if err != nil {
		return Result{}, err
	}
	wsAdmin := workspace.IsAdmin(ws, p.UserID)
	if !wsAdmin {
		for _, t := range teams {
			if !t.IsMember(p.UserID) {
				return Result{}, hidden("team %s is not one the principal is in", t.ID)
			}
		}
	}
	if in.RetroID != "" {
		r, _, err := a.loadRetro(ctx, in.RetroID)
		if err != nil {
			return Result{}, err
		}
		if !slices.Contains(in.TeamIDs, r.TeamID) {
			return Result{}, domain.Errorf(domain.Invalid, "retro-not-of-team", "retro %s is not one of the survey's teams'", in.RetroID)
		}
	}
	questions, err := a.surveyQuestions(ctx, teams[0].WorkspaceID, in)
	if err != nil {
		return Result{}, err
	}
	id, err := a.claimID(ctx, survey.Category, p.UserID, c.CommandID)
	if err != nil {
		return Result{}, err
	}
	// A quick retro's workspace seals what is made in it (quickcontent.go).
	if err := a.sealInWorkspace(ctx, teams[0].WorkspaceID, eventstore.StreamID{Category: survey.Category, ID: id}); err != nil {
		return Result{}, err
	}
	if _, err := a.d.Keys.GetOrCreate(ctx, surveyKey(id)); err != nil && !errors.Is(err, keys.ErrNotFound) {
		return Result{}, fmt.Errorf("survey %s: anonymity key: %w", id, err)
	}
	now := a.now()
	opens := in.OpensAt
	if opens.IsZero() {
		opens = now
	}
	res, err := a.surveyCommand(ctx, id, aggregate.Meta{CommandID: c.CommandID, Actor: p.UserID}, survey.CreateSurvey{
		Actor: domain.Actor{UserID: p.UserID}, At: now, SurveyID: id, TeamIDs: in.TeamIDs, Title: in.Title,
		RetroID: in.RetroID, HealthQuestions: questions, OpenQuestions: in.OpenQuestions,
		OpensAt: opens, ClosesAt: in.ClosesAt, NamedOpenAnswers: in.NamedOpenAnswers, ActorIsWorkspaceAdmin: wsAdmin,
	})
	if err != nil {
		return Result{}, err
	}
	res.ID = id
	return res, nil
}

// surveyQuestions are the questions a survey asks: a pack's, or questions
// by ID, from the catalogue or the workspace's own templates.
func (a *App) surveyQuestions(ctx context.Context, workspaceID string, in CreateSurveyInput) ([]catalog.Question, error) {
	if len(in.QuestionIDs) == 0 {
		if in.PackID == "" {
			return nil, nil
		}
		pack, err := a.healthPack(ctx, workspaceID, in.PackID)
		if err != nil {
			return nil, err
		}
		return pack.Questions, nil
	}
	qs := make([]catalog.Question, 0, len(in.QuestionIDs))
	for _, id := range in.QuestionIDs {
		q, err := a.healthQuestion(ctx, workspaceID, id)
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	return qs, nil
}

// decideSurvey is survey.Decide with anonymous responses dated to the
// AnonymousTimeGrain only (named open answers keep their time: they are
// named anyway, and recorded apart from the ratings).
func decideSurvey(s survey.State, c survey.Command) ([]survey.Event, error) {
	evs, err := survey.Decide(s, c)
	for i, e := range evs {
		if _, ok := e.(survey.ResponseSubmitted); ok {
			evs[i] = coarsened(e)
		}
	}
	return evs, err
}

// SurveyResponse answers a survey: a score per health question ID and an
// answer per open question ID.
type SurveyResponse struct {
	Ratings map[string]int
	Answers map[string]string
}

// SubmitSurveyResponse answers a survey (members of its teams). Ratings and
// anonymous open answers are recorded under the respondent's pseudonym.
func (a *App) SubmitSurveyResponse(ctx context.Context, c identity.Caller, surveyID string, in SurveyResponse) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
	s, err := a.surveyMember(ctx, p, surveyID, false)
	if err != nil {
		return Result{}, err
	}
	ps, err := a.pseudonym(ctx, surveyKey(surveyID), p.UserID)
	if err != nil {
		return Result{}, err
	}
	team, err := a.respondentTeam(ctx, s, p.UserID)
	if err != nil {
		return Result{}, err
	}
	// The envelope holds what the event holds: the pseudonym for an
	// anonymous response, the user for named open answers (which the
	// survey records apart from ratings). A pseudonym beside a named
	// answer would unmask that person's ratings.
	metaActor := ps
	if s.NamedOpenAnswers && len(in.Ratings) == 0 {
		metaActor = p.UserID
	}
	return a.surveyCommand(ctx, surveyID, aggregate.Meta{CommandID: c.CommandID, Actor: metaActor}, survey.SubmitResponse{
		Actor: domain.Actor{UserID: p.UserID, Pseudonym: ps}, At: a.now(), Ratings: in.Ratings, OpenAnswers: in.Answers, Team: team,
	})
}

// respondentTeam is the team a member answers a survey for: the first of
// the survey's teams they belong to, so each team's trends count their own
// people. A one-team survey needs no lookup.
func (a *App) respondentTeam(ctx context.Context, s survey.State, userID string) (string, error) {
	if len(s.TeamIDs) < 2 {
		return "", nil
	}
	for _, id := range s.TeamIDs {
		t, _, err := a.teams.Load(ctx, id)
		if err != nil {
			return "", fmt.Errorf("load team %s: %w", id, err)
		}
		if t.IsMember(userID) {
			return id, nil
		}
	}
	return "", hidden("survey %s: not a member of a team it was sent to", s.ID)
}

// CloseSurvey closes a survey: early by its creator, by any member of its
// teams once its window has ended. The survey's anonymity key is then
// destroyed.
func (a *App) CloseSurvey(ctx context.Context, c identity.Caller, surveyID string) (Result, error) {
	if err := commandGate(c); err != nil {
		return Result{}, err
	}
	p := c.Principal
	if _, err := a.surveyMember(ctx, p, surveyID, true); err != nil {
		return Result{}, err
	}
	res, err := a.surveyCommand(ctx, surveyID, aggregate.Meta{CommandID: c.CommandID, Actor: p.UserID},
		survey.CloseSurvey{Actor: domain.Actor{UserID: p.UserID}, At: a.now()})
	if err != nil {
		return Result{}, err
	}
	// The key is destroyed by the reactor (reactors.go), which this waits for.
	if err := a.catchUpReactions(ctx, res.Position); err != nil {
		a.d.Logger.Error("survey closed, its key not destroyed yet; the reactor retries", "survey", surveyID, "err", err)
		return res, fmt.Errorf("%w: survey %s: destroy the anonymity key: %w", ErrIncomplete, surveyID, err)
	}
	return res, nil
}

// Survey is the survey as the principal may see it (survey.View).
func (a *App) Survey(ctx context.Context, p identity.Principal, surveyID string) (survey.SurveyView, error) {
	if err := canRead(p); err != nil {
		return survey.SurveyView{}, err
	}
	s, err := a.surveyMember(ctx, p, surveyID, true)
	if err != nil {
		return survey.SurveyView{}, err
	}
	ps, err := a.pseudonym(ctx, surveyKey(surveyID), p.UserID)
	if err != nil {
		return survey.SurveyView{}, err
	}
	return survey.View(s, survey.Viewer{UserID: p.UserID, Pseudonym: ps, At: a.now()}, a.GroupPolicy()), nil
}

// GroupPolicy is the one minimum group (--min-group-size) below which every
// aggregate of answers shows only their number: survey results, a retro's
// health check and ROTI on every path (REST, live feed, time travel, team
// history), and the heat map, eNPS and dashboard read models. So a survey's
// creator or a retro's participant cannot single out one respondent where
// the trends would not.
func (a *App) GroupPolicy() domain.GroupPolicy {
	least := a.d.ReadModels.MinGroupSize
	if least <= 0 {
		least = healthtrends.DefaultMinRespondents
	}
	return domain.GroupPolicy{MinRespondents: least}
}

// importSurvey makes the command of an ImportSurvey input (see there).
func (a *App) importSurvey(ctx context.Context, sc retroScope, in ImportSurvey) (retro.Command, error) {
	s, err := a.loadSurvey(ctx, in.SurveyID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(s.TeamIDs, sc.retro.TeamID) {
		return nil, hidden("survey %s was not sent to the retro's team", in.SurveyID)
	}
	answers, ok := survey.OpenAnswers(s, a.GroupPolicy())
	results, _ := survey.ResultsOf(s, a.GroupPolicy())
	if !ok {
		return nil, domain.Errorf(domain.Conflict, "survey-not-closed", "the survey is still open; close it first")
	}
	columnID := in.ColumnID
	if columnID == "" && len(sc.retro.Columns) > 0 {
		columnID = sc.retro.Columns[0].ID
	}
	cmd := retro.ImportSurvey{Actor: sc.actor, At: sc.at, SurveyID: in.SurveyID}
	for _, oa := range answers {
		col := columnID
		// An answer to a question tied to one of the retro's columns lands
		// there; the import's column takes the rest.
		if oa.Column != "" && slices.ContainsFunc(sc.retro.Columns, func(c catalog.Column) bool { return c.ID == oa.Column }) {
			col = oa.Column
		}
		cmd.Cards = append(cmd.Cards, retro.ImportedCard{CardID: a.d.NewID(), ColumnID: col, Text: oa.Text})
	}
	for _, q := range results.Questions {
		if q.Withheld {
			continue
		}
		dist := map[int]int{}
		for _, b := range q.Distribution {
			if b.Count > 0 {
				dist[b.Value] = b.Count
			}
		}
		cmd.Scores = append(cmd.Scores, retro.ImportedScore{Question: q.Question, Distribution: dist})
	}
	return cmd, nil
}

// surveyMember loads a survey the principal may see: a member of one of
// its teams, or (with creatorToo) the one who sent it, such as a workspace
// admin who sent it to several teams.
func (a *App) surveyMember(ctx context.Context, p identity.Principal, surveyID string, creatorToo bool) (survey.State, error) {
	if err := notGuest(p); err != nil {
		return survey.State{}, err
	}
	s, err := a.loadSurvey(ctx, surveyID)
	if err != nil {
		return s, err
	}
	if creatorToo && s.CreatedBy == p.UserID {
		return s, nil
	}
	for _, id := range s.TeamIDs {
		t, _, err := a.teams.Load(ctx, id)
		if err != nil {
			return s, fmt.Errorf("load team %s: %w", id, err)
		}
		if t.IsMember(p.UserID) {
			return s, nil
		}
	}
	return s, hidden("survey %s: not a member of a team it was sent to", surveyID)
}

func (a *App) surveyCommand(ctx context.Context, id string, meta aggregate.Meta, c survey.Command) (Result, error) {
	r, err := a.surveys.Handle(ctx, id, meta, c)
	if err != nil {
		return Result{}, fmt.Errorf("survey %s: %w", id, err)
	}
	return Result{StreamVersion: r.Version, Position: r.Position, Duplicate: r.Duplicate}, nil
}

func surveyKey(surveyID string) string { return "survey:" + surveyID }

// TeamSurveys lists the surveys sent to the team, oldest first, each as the
// principal may see it (members only).
func (a *App) TeamSurveys(ctx context.Context, p identity.Principal, teamID string) ([]survey.SurveyView, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	if _, err := a.teamMember(ctx, p, teamID); err != nil {
		return nil, err
	}
	out := []survey.SurveyView{}
	for _, id := range a.rm.surveys.Current().Of(teamID) {
		v, err := a.Survey(ctx, p, id)
		if err != nil {
			return nil, fmt.Errorf("team %s: survey %s: %w", teamID, id, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// WaitForTeamSurveys returns once the team survey index has applied the log
// up to position, so a client lists the survey it just sent.
func (a *App) WaitForTeamSurveys(ctx context.Context, position uint64) error {
	return a.rm.surveys.Current().WaitFor(ctx, position)
}

// MyOpenSurveys lists the surveys open now to the principal: sent to a team
// they are a member of, not closed, soonest closing first, each as Survey
// shows it (with their own response, if they answered). So people learn a
// survey exists without being told by hand.
func (a *App) MyOpenSurveys(ctx context.Context, p identity.Principal) ([]survey.SurveyView, error) {
	if err := canRead(p); err != nil {
		return nil, err
	}
	out := []survey.SurveyView{}
	if p.Kind == identity.KindGuest {
		return out, nil
	}
	_, teamIDs := a.rm.membership.Current().Of(p.UserID)
	teams, err := a.myTeams(ctx, p.UserID, teamIDs)
	if err != nil {
		return nil, err
	}
	now, seen := a.now(), map[string]bool{}
	for _, t := range teams {
		for _, id := range a.rm.surveys.Current().Of(t.ID) {
			if seen[id] {
				continue // sent to several of my teams
			}
			seen[id] = true
			v, err := a.Survey(ctx, p, id)
			if err != nil {
				return nil, fmt.Errorf("team %s: survey %s: %w", t.ID, id, err)
			}
			if !v.Closed && !v.OpensAt.After(now) {
				out = append(out, v)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ClosesAt.Before(out[j].ClosesAt) })
	return out, nil
}
