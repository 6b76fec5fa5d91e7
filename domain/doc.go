// Package domain holds what a retro is, as pure code: each aggregate is a
// decider (Decide and Evolve, no I/O, no clock, no randomness of its own),
// its events and commands, and the per-viewer views where concealment and
// anonymity are decided. Time, IDs and the acting user come in with commands.
//
// Aggregates live in subpackages (workspace, team, retro, survey, and board
// for a whiteboard's metadata), the template catalogue in catalog. This
// package holds what they share.
// Nothing under domain imports anything but the standard library and other
// domain packages; the layout test (internal/layout) enforces it.
//
// # Names
//
// Each aggregate package owns its names, and everyone else (the
// application, read models, the live feed, the export) uses its constants:
// Category, the stream category (a retro is stored under retro-<ID>), and a
// TypeX constant for each event's stored type name. A stored type name never
// changes once written, since the log is never rewritten. The rule for
// event type names is "<category>.<EventName>", the event named in the past
// tense (team.MemberAdded, survey.SurveyClosed). Retro and whiteboard events
// were written before the rule under their bare names (RetroCreated,
// WhiteboardCreated) and keep them. EventName gives the bare name under
// either scheme, for names shown outside (the export's CloudEvents type).
//
// # One shape for every aggregate
//
// Commands are a sealed interface (Command, marked by isCommand); Decide
// refuses with a *Error whose Code is one of the package's CodeX constants,
// stable for clients; Decider bundles Initial, Decide and Evolve. Tests read
// given events, when a command, then events or a refusal, through
// decidertest.
package domain
