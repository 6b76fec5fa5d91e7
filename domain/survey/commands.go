package survey

import (
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// Command is a request to change a survey. The set is closed.
type Command interface{ isCommand() }

// CreateSurvey sends a survey to one team, or to several when the actor is
// a workspace admin. The app checks the actor may address the team(s) and
// sets ActorIsWorkspaceAdmin from the workspace's state.
type CreateSurvey struct {
	Actor    domain.Actor
	At       time.Time
	SurveyID string
	TeamIDs  []string
	Title    string
	// RetroID is the retro the survey prepares; empty for a stand-alone one.
	RetroID         string
	HealthQuestions []catalog.Question
	OpenQuestions   []OpenQuestion
	OpensAt         time.Time
	ClosesAt        time.Time
	// NamedOpenAnswers makes open answers carry their author; the default,
	// false, keeps them anonymous. Ratings are anonymous either way.
	NamedOpenAnswers      bool
	ActorIsWorkspaceAdmin bool
}

// SubmitResponse answers the survey; a second submission by the same
// respondent replaces the first while the survey is open. Ratings are keyed
// by health question ID, open answers by open question ID. The app checks
// the actor belongs to one of the survey's teams and fills Actor.Pseudonym.
type SubmitResponse struct {
	Actor       domain.Actor
	At          time.Time
	Ratings     map[string]int
	OpenAnswers map[string]string
	// Team is the respondent's team among the survey's, required when the
	// survey went to several teams (the app picks the respondent's).
	Team string
}

// CloseSurvey closes the survey: early by its creator, or by anyone (the
// app's scheduler included) once ClosesAt has passed.
type CloseSurvey struct {
	Actor domain.Actor
	At    time.Time
}

func (CreateSurvey) isCommand()   {}
func (SubmitResponse) isCommand() {}
func (CloseSurvey) isCommand()    {}

// Commands lists one value of every survey command type, once: what tests hold
// every switch over the commands to, and what a new command type must be
// added to.
func Commands() []Command {
	return []Command{
		CreateSurvey{}, SubmitResponse{}, CloseSurvey{},
	}
}
