// Package retro is the retro aggregate: a retro created for a team from a
// template, its agenda of steps, cards, groups, votes, discussion, actions,
// health check and ROTI, as a pure decider, plus the per-viewer view
// (View) and event redaction (RedactEvent) where concealment and anonymity
// are enforced for every path out of the server.
//
// Rules that shape the whole package:
//
//   - Steps guide clients; they do not gate commands. A participant still
//     writing a card when the moderator moves on can submit it afterwards, so
//     nobody is thrown out of text they are writing. What the decider does
//     enforce are the facts that matter for trust: a revealed column can no
//     longer be edited, votes stay within budget while a round is open, a
//     locked retro takes no contributions, a closed retro takes nothing.
//   - In an anonymous retro every content event (card, icebreaker answer,
//     comment, vote) records the actor's pseudonym, never the user ID. Health
//     answers and ROTI ratings always record the pseudonym, anonymous retro or
//     not, because the issue makes them anonymous in every retro.
//   - The application passes in what the decider must not look up itself:
//     template columns, the team's open actions, health questions, survey
//     results, random choices, IDs and the time.
package retro
