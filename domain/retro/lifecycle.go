package retro

import (
	"slices"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/persistent"
)

// CreateRetro creates a retro for a team. The actor becomes its moderator
// and first participant. Columns come from the retro template; Agenda nil
// means DefaultAgenda(); OpenActions are the team's open actions from
// earlier retros, reviewed in the action-review step.
type CreateRetro struct {
	Actor       domain.Actor
	At          time.Time
	RetroID     string
	TeamID      string
	Title       string
	TemplateID  string
	Columns     []catalog.Column
	Agenda      []Step
	Anonymous   bool
	OpenActions []OpenAction
	// CheckIn is the lobby's poll, drawn by the application; nil for none.
	CheckIn *catalog.CheckIn
	// Voting is the budget and cap its voting rounds start with; nil for
	// none (each round names its own).
	Voting *VotingDefaults
}

// JoinRetro adds the actor as a participant with a role.
type JoinRetro struct {
	Actor domain.Actor
	At    time.Time
	Role  Role
}

// LockRetro freezes the retro: nobody joins or contributes until unlocked;
// the moderator's tools keep working.
type LockRetro struct {
	Actor domain.Actor
	At    time.Time
}

// UnlockRetro lifts a lock.
type UnlockRetro struct {
	Actor domain.Actor
	At    time.Time
}

// HandOverModeration makes another participant the moderator.
type HandOverModeration struct {
	Actor domain.Actor
	At    time.Time
	To    string
}

// SetAnonymity turns anonymity on or off, before any contribution exists.
type SetAnonymity struct {
	Actor     domain.Actor
	At        time.Time
	Anonymous bool
}

// CloseRetro ends the retro; a closed retro takes no more commands.
type CloseRetro struct {
	Actor domain.Actor
	At    time.Time
}

func (CreateRetro) isCommand()        {}
func (JoinRetro) isCommand()          {}
func (LockRetro) isCommand()          {}
func (UnlockRetro) isCommand()        {}
func (HandOverModeration) isCommand() {}
func (SetAnonymity) isCommand()       {}
func (CloseRetro) isCommand()         {}

// RetroCreated: a retro exists, moderated by its creator.
type RetroCreated struct {
	RetroID     string           `json:"retroId"`
	TeamID      string           `json:"teamId"`
	Title       string           `json:"title"`
	TemplateID  string           `json:"templateId,omitempty"`
	Moderator   string           `json:"moderator"`
	Columns     []catalog.Column `json:"columns"`
	Agenda      []Step           `json:"agenda"`
	Anonymous   bool             `json:"anonymous"`
	OpenActions []OpenAction     `json:"openActions,omitempty"`
	// CheckIn is the lobby's poll; absent in retros made before there was
	// one, which have none.
	CheckIn *catalog.CheckIn `json:"checkIn,omitempty"`
	// RotiScale is the scale of the retro's ROTI: 1-5 since schema 2;
	// retros created before (schema 1) were rated 0-10 and are read so.
	RotiScale catalog.Scale `json:"rotiScale,omitempty"`
	// Voting is the budget and cap its rounds start with; absent for none.
	Voting *VotingDefaults `json:"voting,omitempty"`
	At     time.Time       `json:"at"`
}

// ParticipantJoined: a person takes part. Who takes part is not anonymous;
// what they contribute is.
type ParticipantJoined struct {
	UserID string    `json:"userId"`
	Role   Role      `json:"role"`
	At     time.Time `json:"at"`
}

// RetroLocked: contributions and joining stop.
type RetroLocked struct {
	At time.Time `json:"at"`
}

// RetroUnlocked: contributions and joining resume.
type RetroUnlocked struct {
	At time.Time `json:"at"`
}

// ModerationHandedOver: another participant moderates.
type ModerationHandedOver struct {
	From string    `json:"from"`
	To   string    `json:"to"`
	At   time.Time `json:"at"`
}

// AnonymitySet: anonymity was turned on or off.
type AnonymitySet struct {
	Anonymous bool      `json:"anonymous"`
	At        time.Time `json:"at"`
}

// RetroClosed: the retro is over.
type RetroClosed struct {
	At time.Time `json:"at"`
}

func (RetroCreated) EventType() string         { return TypeRetroCreated }
func (ParticipantJoined) EventType() string    { return TypeParticipantJoined }
func (RetroLocked) EventType() string          { return TypeRetroLocked }
func (RetroUnlocked) EventType() string        { return TypeRetroUnlocked }
func (ModerationHandedOver) EventType() string { return TypeModerationHandedOver }
func (AnonymitySet) EventType() string         { return TypeAnonymitySet }
func (RetroClosed) EventType() string          { return TypeRetroClosed }

func decideCreate(s State, c CreateRetro) ([]Event, error) {
	if s.Created {
		return nil, domain.Errorf(domain.Conflict, CodeRetroExists, "the retro %s already exists", s.RetroID)
	}
	if c.Actor.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "the command has no acting user")
	}
	if err := checkID("retro-id", c.RetroID, CodeRetroIDRequired, CodeRetroIDInvalid); err != nil {
		return nil, err
	}
	if err := checkID("team-id", c.TeamID, CodeTeamIDRequired, CodeTeamIDInvalid); err != nil {
		return nil, err
	}
	if err := checkText("title", c.Title, MaxTitleLen, CodeTitleRequired, CodeTitleTooLong); err != nil {
		return nil, err
	}
	if len(c.Columns) == 0 {
		return nil, domain.Errorf(domain.Invalid, CodeColumnsRequired, "a retro needs at least one feedback column")
	}
	seen := map[string]bool{}
	for _, col := range c.Columns {
		if col.ID == "" || seen[col.ID] {
			return nil, domain.Errorf(domain.Invalid, CodeColumnInvalid, "column IDs must be present and unique (%q)", col.ID)
		}
		seen[col.ID] = true
	}
	agenda := c.Agenda
	if agenda == nil {
		agenda = DefaultAgenda()
	}
	if err := checkAgenda(agenda); err != nil {
		return nil, err
	}
	if err := checkCheckIn(c.CheckIn); err != nil {
		return nil, err
	}
	if c.Voting != nil {
		if err := checkBudget(c.Voting.Budget, c.Voting.Cap); err != nil {
			return nil, err
		}
	}
	seen = map[string]bool{}
	for _, a := range c.OpenActions {
		if a.ID == "" || seen[a.ID] {
			return nil, domain.Errorf(domain.Invalid, CodeOpenActionInvalid, "open action IDs must be present and unique (%q)", a.ID)
		}
		seen[a.ID] = true
	}
	return []Event{
		RetroCreated{
			RetroID: c.RetroID, TeamID: c.TeamID, Title: c.Title, TemplateID: c.TemplateID,
			Moderator: c.Actor.UserID, Columns: c.Columns, Agenda: agenda,
			Anonymous: c.Anonymous, OpenActions: c.OpenActions, CheckIn: c.CheckIn, RotiScale: catalog.ScaleFive, Voting: c.Voting, At: c.At,
		},
		ParticipantJoined{UserID: c.Actor.UserID, Role: RoleMember, At: c.At},
	}, nil
}

func evolveCreated(s State, e RetroCreated) State {
	s.Created = true
	s.RetroID, s.TeamID, s.Title = e.RetroID, e.TeamID, e.Title
	s.TemplateID = e.TemplateID
	s.Moderator = e.Moderator
	s.Anonymous = e.Anonymous
	s.Columns = appendTo(e.Columns)
	s.Revealed = map[string]bool{}
	s.Agenda = appendTo(e.Agenda)
	if len(s.Agenda) > 0 {
		s.Current = s.Agenda[0].ID
	}
	if e.CheckIn != nil {
		ci := *e.CheckIn
		ci.Options = slices.Clone(ci.Options)
		s.CheckIn = &ci
	}
	if e.Voting != nil {
		v := *e.Voting
		s.VotingDefaults = &v
	}
	s.Participants = map[string]Role{}
	for _, a := range e.OpenActions {
		s.Carried = append(s.Carried, CarriedAction{OpenAction: a})
	}
	s.Health.Answers = map[answerKey]int{}
	s.Health.Imported = map[string]map[int]int{}
	s.Cards = persistent.Map[Card]{}
	s.CardAuthors = map[string]int{}
	s.Groups = map[string]Group{}
	s.Rounds = map[string]bool{}
	s.Tally = map[string]int{}
	s.Actions = map[string]Action{}
	s.Roti.Ratings = map[string]int{}
	s.Roti.Scale = e.RotiScale
	if s.Roti.Scale == "" {
		// An event made in code rather than read from the log: today's scale.
		s.Roti.Scale = catalog.ScaleFive
	}
	s.Surveys = map[string]bool{}
	return s
}

func decideJoin(s State, c JoinRetro) ([]Event, error) {
	if err := s.live(c.Actor); err != nil {
		return nil, err
	}
	if c.Role != RoleMember && c.Role != RoleGuest {
		return nil, domain.Errorf(domain.Invalid, CodeRoleInvalid, "role must be member or guest, not %q", c.Role)
	}
	if s.Locked {
		return nil, domain.Errorf(domain.Conflict, CodeRetroLocked, "the retro is locked")
	}
	if r, ok := s.Participants[c.Actor.UserID]; ok && r == c.Role {
		return nil, nil // joining again (a reconnect) changes nothing
	}
	return []Event{ParticipantJoined{UserID: c.Actor.UserID, Role: c.Role, At: c.At}}, nil
}

func decideLock(s State, c LockRetro) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if s.Locked {
		return nil, nil
	}
	return []Event{RetroLocked{At: c.At}}, nil
}

func decideUnlock(s State, c UnlockRetro) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if !s.Locked {
		return nil, nil
	}
	return []Event{RetroUnlocked{At: c.At}}, nil
}

func decideHandOver(s State, c HandOverModeration) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if c.To == s.Moderator {
		return nil, domain.Errorf(domain.Invalid, CodeAlreadyModerator, "%s already moderates", c.To)
	}
	if !s.IsParticipant(c.To) {
		return nil, domain.Errorf(domain.NotFound, CodeParticipantNotFound, "%q is not a participant", c.To)
	}
	return []Event{ModerationHandedOver{From: s.Moderator, To: c.To, At: c.At}}, nil
}

// decideSetAnonymity allows the switch only before the first contribution.
// The log is append-only: switching on later would leave earlier cards and
// votes under user IDs, and their authors' later pseudonymous edits would
// link the two; switching off later would record user IDs next to the
// pseudonyms of the same people and unmask everything written before.
func decideSetAnonymity(s State, c SetAnonymity) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	if s.Anonymous == c.Anonymous {
		return nil, nil
	}
	if s.ContentStarted {
		return nil, domain.Errorf(domain.Conflict, CodeAnonymityFixed, "anonymity cannot change once contributions exist")
	}
	return []Event{AnonymitySet{Anonymous: c.Anonymous, At: c.At}}, nil
}

func decideClose(s State, c CloseRetro) ([]Event, error) {
	if err := s.asModerator(c.Actor); err != nil {
		return nil, err
	}
	var evs []Event
	if s.Round != nil && s.Round.Open {
		// Close the round first so its votes are counted, not lost.
		evs = append(evs, closeRound(s, c.At))
	}
	return append(evs, RetroClosed{At: c.At}), nil
}
