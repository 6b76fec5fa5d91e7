// Package domain holds what a retro is, as pure code: each aggregate is a
// decider (Decide and Evolve, no I/O, no clock, no randomness of its own),
// its events and commands, and the per-viewer views where concealment and
// anonymity are decided. Time, IDs and the acting user come in with commands.
//
// Aggregates live in subpackages (workspace, team, retro, survey, and board
// for a whiteboard's metadata), the template catalogue in catalog. This
// package holds what they share.
// Nothing under domain imports anything but the standard library and other
// domain packages; imports_test.go enforces it.
package domain
