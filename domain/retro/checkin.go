package retro

import (
	"maps"
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
)

// The check-in is the lobby's activity: a light poll (a catalogue check-in
// the application draws when the retro is made) that everyone answers while
// people arrive. It opens with the retro and closes when the moderator
// moves on from the lobby. Answers are anonymous in every retro (who feels
// stormy is nobody's business), shown as counts once enough people
// answered (the policy's minimum group), and each person sees their own.

// AnswerCheckIn picks one of the check-in's options; answering again
// changes the pick while the lobby lasts.
type AnswerCheckIn struct {
	Actor    domain.Actor
	At       time.Time
	OptionID string
}

func (AnswerCheckIn) isCommand() {}

// CheckInAnswered: a participant's pick. Respondent is a pseudonym.
type CheckInAnswered struct {
	Respondent string    `json:"respondent"`
	OptionID   string    `json:"optionId"`
	At         time.Time `json:"at"`
}

// EventType names the event in the log.
func (CheckInAnswered) EventType() string { return TypeCheckInAnswered }

// checkCheckIn checks the poll a new retro opens with, if any.
func checkCheckIn(ci *catalog.CheckIn) error {
	if ci == nil {
		return nil
	}
	if err := checkText("check-in question", ci.Question, MaxTitleLen*2, CodeTextRequired, CodeTextTooLong); err != nil {
		return err
	}
	if n := len(ci.Options); n < catalog.MinCheckInOptions || n > catalog.MaxCheckInOptions {
		return domain.Errorf(domain.Invalid, CodeCheckInInvalid, "a check-in offers %d to %d options, not %d", catalog.MinCheckInOptions, catalog.MaxCheckInOptions, n)
	}
	seen := map[string]bool{}
	for _, o := range ci.Options {
		if o.ID == "" || seen[o.ID] {
			return domain.Errorf(domain.Invalid, CodeCheckInInvalid, "check-in option IDs must be present and unique (%q)", o.ID)
		}
		seen[o.ID] = true
		if err := checkText("check-in option", o.Label, MaxTitleLen, CodeTextRequired, CodeTextTooLong); err != nil {
			return err
		}
	}
	return nil
}

// checkInOpen is whether the check-in takes answers: the retro has one and
// is still in its lobby.
func (s State) checkInOpen() bool {
	if s.CheckIn == nil || s.Closed {
		return false
	}
	i, ok := s.step(s.Current)
	return ok && s.Agenda[i].Kind == KindLobby
}

func decideAnswerCheckIn(s State, c AnswerCheckIn) ([]Event, error) {
	if err := s.asParticipant(c.Actor); err != nil {
		return nil, err
	}
	who, err := requirePseudonym(c.Actor)
	if err != nil {
		return nil, err
	}
	if s.CheckIn == nil {
		return nil, domain.Errorf(domain.Conflict, CodeNoCheckIn, "this retro has no check-in")
	}
	if !s.checkInOpen() {
		return nil, domain.Errorf(domain.Conflict, CodeCheckInClosed, "the check-in ended when the retro left the lobby")
	}
	if !slices.ContainsFunc(s.CheckIn.Options, func(o catalog.CheckInOption) bool { return o.ID == c.OptionID }) {
		return nil, domain.Errorf(domain.Invalid, CodeCheckInOptionUnknown, "the check-in has no option %q", c.OptionID)
	}
	if s.CheckIns[who] == c.OptionID {
		return nil, nil
	}
	return []Event{CheckInAnswered{Respondent: who, OptionID: c.OptionID, At: c.At}}, nil
}

func evolveCheckIn(s State, e CheckInAnswered) State {
	answers := maps.Clone(s.CheckIns)
	if answers == nil {
		answers = map[string]string{}
	}
	answers[e.Respondent] = e.OptionID
	s.CheckIns = answers
	return s
}

// CheckInView is the lobby's poll as a viewer sees it: the counts only once
// at least the policy's minimum group answered, and their own pick.
type CheckInView struct {
	ID          string              `json:"id"`
	Question    string              `json:"question"`
	Options     []CheckInOptionView `json:"options"`
	Open        bool                `json:"open"`
	Respondents int                 `json:"respondents"`
	// Withheld is true when fewer answered than the minimum group: then no
	// option shows a count.
	Withheld bool   `json:"withheld,omitempty"`
	Yours    string `json:"yours,omitempty"`
}

// CheckInOptionView is one option and, unless withheld, how many picked it.
type CheckInOptionView struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Count *int   `json:"count,omitempty"`
}

func checkInView(s State, v Viewer, p Policy) *CheckInView {
	if s.CheckIn == nil {
		return nil
	}
	cv := &CheckInView{ID: s.CheckIn.ID, Question: s.CheckIn.Question, Options: []CheckInOptionView{},
		Open: s.checkInOpen(), Respondents: len(s.CheckIns), Withheld: p.Withholds(len(s.CheckIns))}
	if v.Pseudonym != "" {
		cv.Yours = s.CheckIns[v.Pseudonym]
	}
	counts := map[string]int{}
	for _, opt := range s.CheckIns {
		counts[opt]++
	}
	for _, o := range s.CheckIn.Options {
		ov := CheckInOptionView{ID: o.ID, Label: o.Label}
		if !cv.Withheld {
			n := counts[o.ID]
			ov.Count = &n
		}
		cv.Options = append(cv.Options, ov)
	}
	return cv
}
