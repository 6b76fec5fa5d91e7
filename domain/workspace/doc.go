// Package workspace is the workspace aggregate: its name, its admins and the
// register of teams that exist in it.
//
// People are not listed here. Membership, team roles and guests live in each
// team's stream (package team), because that is where they are checked on
// every retro command; the workspace only knows who may run the workspace
// (admins) and which teams it holds, which is all it needs to decide.
//
// Team creation spans two streams. The app first decides RegisterTeam here,
// which enforces "only workspace admins create teams" against this state, and
// then issues team.CreateTeam with ByWorkspaceAdmin set from IsAdmin. The
// team decider re-checks that flag so the rule holds even if a caller skips
// the register, and so it is tested in both places.
package workspace
