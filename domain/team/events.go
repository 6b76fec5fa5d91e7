package team

import "time"

// Event is something that happened to a team.
type Event interface{ EventType() string }

// TeamCreated: the team exists; FirstAdminID is its first member and admin.
type TeamCreated struct {
	TeamID          string    `json:"teamId"`
	WorkspaceID     string    `json:"workspaceId"`
	Name            string    `json:"name"`
	TemplateID      string    `json:"templateId"`
	HealthPackID    string    `json:"healthPackId"`
	RetroTemplateID string    `json:"retroTemplateId,omitempty"`
	FirstAdminID    string    `json:"firstAdminId"`
	CreatedBy       string    `json:"createdBy"`
	At              time.Time `json:"at"`
}

// MemberAdded: UserID is a member.
type MemberAdded struct {
	UserID  string    `json:"userId"`
	AddedBy string    `json:"addedBy"`
	At      time.Time `json:"at"`
}

// MemberRemoved: UserID is no longer a member (nor admin).
type MemberRemoved struct {
	UserID    string    `json:"userId"`
	RemovedBy string    `json:"removedBy"`
	At        time.Time `json:"at"`
}

// TeamAdminAppointed: UserID is a team admin.
type TeamAdminAppointed struct {
	UserID      string    `json:"userId"`
	AppointedBy string    `json:"appointedBy"`
	At          time.Time `json:"at"`
}

// TeamAdminRemoved: UserID is no longer a team admin, still a member.
type TeamAdminRemoved struct {
	UserID    string    `json:"userId"`
	RemovedBy string    `json:"removedBy"`
	At        time.Time `json:"at"`
}

// GuestAdmitted: a guest joined the team's retro RetroID.
type GuestAdmitted struct {
	GuestUserID string    `json:"guestUserId"`
	RetroID     string    `json:"retroId"`
	InvitedBy   string    `json:"invitedBy"`
	At          time.Time `json:"at"`
}

// GuestPromoted: a guest became a member.
type GuestPromoted struct {
	GuestUserID string    `json:"guestUserId"`
	PromotedBy  string    `json:"promotedBy"`
	At          time.Time `json:"at"`
}

// ActionRecorded: an action item exists, open.
type ActionRecorded struct {
	ActionID      string    `json:"actionId"`
	Title         string    `json:"title"`
	Assignee      string    `json:"assignee,omitempty"`
	Due           time.Time `json:"due,omitzero"`
	OriginRetroID string    `json:"originRetroId,omitempty"`
	RecordedBy    string    `json:"recordedBy"`
	At            time.Time `json:"at"`
}

// ActionStatusChanged: an action moved from one status to another, in the
// action review of RetroID when set.
type ActionStatusChanged struct {
	ActionID  string       `json:"actionId"`
	From      ActionStatus `json:"from"`
	To        ActionStatus `json:"to"`
	RetroID   string       `json:"retroId,omitempty"`
	ChangedBy string       `json:"changedBy"`
	At        time.Time    `json:"at"`
}

// ActionCommented: someone commented on an action.
type ActionCommented struct {
	ActionID  string    `json:"actionId"`
	CommentID string    `json:"commentId"`
	Author    string    `json:"author"`
	Text      string    `json:"text"`
	At        time.Time `json:"at"`
}

// ActionReassigned: an action's assignee changed from From to To (either
// may be empty: nobody), in retro RetroID when set.
type ActionReassigned struct {
	ActionID string    `json:"actionId"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	RetroID  string    `json:"retroId,omitempty"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// ActionRescheduled: an action's due date is now Due (nil: none), set in
// retro RetroID when set.
type ActionRescheduled struct {
	ActionID string     `json:"actionId"`
	Due      *time.Time `json:"due,omitempty"`
	RetroID  string     `json:"retroId,omitempty"`
	By       string     `json:"by"`
	At       time.Time  `json:"at"`
}

// Category is the stream category of teams: a team's events are stored
// under team-<team ID>.
const Category = "team"

// Event type names as stored in the log, by the rule in package domain.
const (
	TypeTeamCreated         = "team.TeamCreated"
	TypeMemberAdded         = "team.MemberAdded"
	TypeMemberRemoved       = "team.MemberRemoved"
	TypeTeamAdminAppointed  = "team.TeamAdminAppointed"
	TypeTeamAdminRemoved    = "team.TeamAdminRemoved"
	TypeGuestAdmitted       = "team.GuestAdmitted"
	TypeGuestPromoted       = "team.GuestPromoted"
	TypeActionRecorded      = "team.ActionRecorded"
	TypeActionStatusChanged = "team.ActionStatusChanged"
	TypeActionCommented     = "team.ActionCommented"
	TypeActionReassigned    = "team.ActionReassigned"
	TypeActionRescheduled   = "team.ActionRescheduled"
)

func (TeamCreated) EventType() string         { return TypeTeamCreated }
func (MemberAdded) EventType() string         { return TypeMemberAdded }
func (MemberRemoved) EventType() string       { return TypeMemberRemoved }
func (TeamAdminAppointed) EventType() string  { return TypeTeamAdminAppointed }
func (TeamAdminRemoved) EventType() string    { return TypeTeamAdminRemoved }
func (GuestAdmitted) EventType() string       { return TypeGuestAdmitted }
func (GuestPromoted) EventType() string       { return TypeGuestPromoted }
func (ActionRecorded) EventType() string      { return TypeActionRecorded }
func (ActionStatusChanged) EventType() string { return TypeActionStatusChanged }
func (ActionCommented) EventType() string     { return TypeActionCommented }
func (ActionReassigned) EventType() string    { return TypeActionReassigned }
func (ActionRescheduled) EventType() string   { return TypeActionRescheduled }

// Events lists one value of every team event type, once: what tests hold
// every switch over the events to, and what a new event type must be added
// to.
func Events() []Event {
	return []Event{
		TeamCreated{}, MemberAdded{}, MemberRemoved{}, TeamAdminAppointed{}, TeamAdminRemoved{},
		GuestAdmitted{}, GuestPromoted{}, ActionRecorded{}, ActionStatusChanged{}, ActionCommented{},
		ActionReassigned{}, ActionRescheduled{},
	}
}
