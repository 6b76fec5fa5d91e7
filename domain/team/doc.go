// Package team is the team aggregate: members and team admins, guests who
// joined one of the team's retros with an e-mail address only, and the action
// items the team carries from retro to retro.
//
// Who may do what: team admins appoint and remove team admins and members of
// their team; a member may leave on their own; only workspace admins create
// teams (checked by the workspace, see package workspace, and re-checked here
// through CreateTeam.ByWorkspaceAdmin). Content (members, guests, actions) is
// for members only: a workspace admin who is not a member sees the team's
// name and counts, nothing more (see View and CanSeeContent).
//
// Guests are identified by a user ID the app created for their e-mail
// address; the address itself is personal data and never enters the log.
package team
