// Package board is the whiteboard metadata aggregate, as a pure decider:
// which retro and topic a board belongs to, or which team for a standalone
// board, the template it started from, its title, and whether it is
// archived. The board's content is the Automerge document of the same ID,
// synced and stored by package collab; this is only what the rest of the
// application needs to know about it (who may open it, where it appears).
//
// Streams: whiteboard-<board ID>, the board ID being the document's
// automerge ID. The event type names (WhiteboardCreated, ...) predate the
// package's move into domain/ and are kept: they are in stored logs.
package board
