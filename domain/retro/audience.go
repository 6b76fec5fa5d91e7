package retro

import "strconv"

// Audience names everything a viewer's view of s depends on besides their
// user ID: viewers with the same audience in a state see views that differ
// only in You.UserID, so a change of state looks the same to all of them
// (the live feed computes and encodes it once for them).
//
// A viewer who owns anything in the retro (a card, an icebreaker answer, a
// comment, a vote of the open round, a health answer, a ROTI rating) is an
// audience of their own. Everyone else is a bystander, told apart only by
// what the view reads of them: whether they take part and in which role,
// whether they moderate, and whether they have a key to vote with. View is
// the rule; TestPropertyViewersOfOneAudienceSeeOneView holds this to it.
func Audience(s State, v Viewer) string {
	if s.ownsAnything(v) {
		return "own\x00" + v.UserID + "\x00" + v.Pseudonym
	}
	role, isPart := s.Participants[v.UserID]
	isMod := v.UserID != "" && v.UserID == s.Moderator
	return "bystander\x00" + strconv.FormatBool(isPart) + "\x00" + string(role) + "\x00" +
		strconv.FormatBool(isMod) + "\x00" + strconv.FormatBool(s.voterKey(v) != "")
}

// ownsAnything reports whether any part of s is the viewer's own, as View
// marks it (Mine, YourVotes, YourScore).
func (s State) ownsAnything(v Viewer) bool {
	for author := range s.CardAuthors {
		if v.owns(author) {
			return true
		}
	}
	for _, a := range s.IceAnswers {
		if v.owns(a.Author) {
			return true
		}
	}
	for _, ca := range s.Carried {
		for _, c := range ca.Comments {
			if v.owns(c.Author) {
				return true
			}
		}
	}
	if s.Round != nil {
		if me := s.voterKey(v); me != "" {
			for k := range s.Round.Votes {
				if k.Voter == me {
					return true
				}
			}
		}
	}
	if v.Pseudonym != "" {
		for k := range s.Health.Answers {
			if k.Respondent == v.Pseudonym {
				return true
			}
		}
		if _, ok := s.Roti.Ratings[v.Pseudonym]; ok {
			return true
		}
		if _, ok := s.CheckIns[v.Pseudonym]; ok {
			return true
		}
	}
	return false
}
