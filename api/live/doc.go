// Package live is the per-node live feed of retros: one log subscription per
// node feeds per-retro folded states ("rooms"), and every open connection
// receives each change as its viewer may see it, over WebSocket or
// Server-Sent Events.
//
// Messages (JSON, the same on both transports):
//
//	{"type":"snapshot","position":N,"view":RetroView}
//	{"type":"change","position":N,"events":[{"type":T,"data":{...}}],"view":RetroView}
//	{"type":"change","position":N,"events":[...],"patch":[{"op":"add","path":"/columns/0/cards/3","value":{...}}]}
//	{"type":"presence","here":[ids],"typing":[ids],"typingCount":n,"done":[ids]}
//	{"type":"resume","after":N}
//	{"type":"revoked"}
//	{"type":"revoked","code":"quick-retro-expired","detail":"…"}
//
// A new connection gets a snapshot, then one change per commit on the
// retro's stream, in log order. A change carries the view only when the
// connection's queue is empty after it (a burst of commits yields one view).
// A client that connects with ?changes=patch gets no view in changes but a
// JSON Patch (RFC 6902) of its view on every change instead, so that the
// whole view travels only in the snapshot (on connect and resume); the
// patches of one commit are built and encoded once per retro.Audience and
// their bytes shared by its viewers. A patch follower whose writer fell
// behind gets the commits queued for it as one change (their events in
// order, one patch, the last position): in a hot retro a view costs as much
// as the retro is big, and building one per commit kept writers behind for
// good. Cards added need no view built whole: retro.ViewAfter makes the
// view after them from the one before and says what it added, which is the
// patch (no diff). Changes replayed on resume carry
// neither; the snapshot after them resets the view.
// Events and views go through retro.RedactEvent and retro.View (or
// retro.ViewAfter, View's rules applied to what was added) for the
// connection's viewer; nothing else about the retro leaves the hub. A commit
// whose events the viewer may not see at all still arrives, with no events,
// so that positions stay contiguous for resuming.
//
// Resuming: a client that reconnects with ?after=N (or, on SSE, the
// Last-Event-ID header) receives every commit after N as changes, then a
// snapshot at the position it has caught up to, then the live feed: no gap,
// no duplicate.
//
// Overload: each connection has a bounded queue. A connection whose queue
// is full is sent {"type":"resume","after":N}, N the last position it was
// sent, and is closed; the hub never waits for a slow client.
//
// Revocation: access is checked again while a connection is open, at once
// when the log shows the viewer removed from the retro's team, and every
// Deps.ReauthorizeInterval in any case. A viewer who lost access is sent
// {"type":"revoked"} and closed (WebSocket 1008); a removed member receives
// no commit made after the removal. A retro that ends for everyone (Hub.End:
// a quick retro erased at its expiry) closes all its connections at once,
// its revoked message carrying the reason as a problem code and words for
// a person, also in the WebSocket close reason. See revoke.go.
//
// Presence: who is connected to the retro, who is typing and who is done,
// per node, or across nodes when Deps.Presence is set (NATS core pub/sub or
// in-process). In an anonymous retro "typing" is left out and only
// typingCount is sent, so that typing cannot be linked to the card that
// appears next. A connection's reports are applied at most every 250 ms.
// SSE is one-way: its clients count as here but report nothing.
//
// Refusals: a request the hub will not serve is answered before the stream
// starts, as every error of the API, with an RFC 9457 problem through
// api/problem: 400 for a malformed retro ID or resume position, 403 or 404
// as Deps.Authorize decides, 404 for a retro with no events, 503 with
// Retry-After while the hub is not running or drains.
package live
