package domain

// GroupPolicy says how small a group of anonymous answers an aggregate may
// show in detail. One answer is one person's, and with few answers an
// average or a distribution lets anyone who knows their own answer, or a
// colleague's, read off the rest. The server's configuration sets it once
// (--min-group-size) for every aggregate of answers: survey results, a
// retro's health check and ROTI, the heat map and dashboards.
type GroupPolicy struct {
	// MinRespondents is the fewest answers whose average and distribution
	// are shown; below it only their number is. Below 2 counts as 2.
	MinRespondents int
}

// MinimumRespondents is the effective minimum, never below 2.
func (p GroupPolicy) MinimumRespondents() int {
	return max(p.MinRespondents, 2)
}

// Withholds reports whether an aggregate of n answers shows their number only.
func (p GroupPolicy) Withholds(n int) bool {
	return n < p.MinimumRespondents()
}
