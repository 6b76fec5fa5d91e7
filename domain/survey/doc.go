// Package survey is the async survey and pulse-check aggregate: health-check
// questions (rated 1–5 or 0–10) and open questions, sent to one team (or,
// by a workspace admin, to several), answered within a window, with results
// visible only once it closes. A retro can import a closed survey's open
// answers as cards and its scores as its health check (OpenAnswers, Results).
//
// Anonymity. Health ratings are always anonymous; open answers are
// anonymous unless the survey says otherwise. Anonymous parts of a response
// are recorded under the respondent's pseudonym, HMAC(survey key, user ID),
// never their user ID, so the log cannot link an answer to a person once the
// key is destroyed. When open answers are named, they travel in their own
// command and event (NamedAnswersSubmitted): putting a named answer and
// anonymous ratings into one command would put them into one log message,
// and that adjacency alone would name the rater.
//
// The decider has no clock: commands carry At, and a survey counts as closed
// once a command or a viewer arrives at or after ClosesAt, even before
// CloseSurvey has been recorded.
package survey
