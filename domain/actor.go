package domain

// Actor is who issues a command, as established by the server (never taken
// from the client's word). Pseudonym is filled by the application from the
// aggregate's anonymity key (see Pseudonym) when the aggregate is anonymous;
// deciders record it instead of UserID wherever anonymity applies.
type Actor struct {
	UserID    string
	Pseudonym string
}
