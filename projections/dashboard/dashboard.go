// Package dashboard is the workspace dashboard: per workspace and month,
// retros run, participation, ROTI and health across its teams.
//
// A retro counts in the month it closed. Participation is the people who
// joined over the team's members at the time (guests count as people who
// joined, not as members, so a rate can pass 100%). Health is the mean score
// of revealed checks, on the 1-5 questions only (0-10 is eNPS, another
// scale), counting only checks answered by at least the minimum number of
// respondents, as in healthtrends.
package dashboard

import (
	"sort"
	"time"

	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/projections"
)

// Name of the read model.
const Name = "workspace-dashboard"

// Dashboard is the read model.
type Dashboard struct {
	*projections.Fold[state]
}

type state struct {
	MinRespondents int                           `json:"minRespondents"`
	TeamWorkspace  map[string]string             `json:"teamWorkspace"`
	TeamMembers    map[string]map[string]bool    `json:"teamMembers"`
	Open           map[string]*openRetro         `json:"open"`
	Months         map[string]map[string]*bucket `json:"months"` // workspace → "2006-01" → bucket
}

type openRetro struct {
	TeamID       string          `json:"teamId"`
	Members      int             `json:"members"`
	Participants map[string]bool `json:"participants"`
	Roti         map[string]int  `json:"roti"`
	// RotiScale is the scale the ROTI was rated on; "" is 1-5.
	RotiScale catalog.Scale             `json:"rotiScale,omitempty"`
	Scale     map[string]catalog.Scale  `json:"scale"`
	Answers   map[string]map[string]int `json:"answers"` // question → respondent → score
	Revealed  bool                      `json:"revealed"`
}

type bucket struct {
	Retros       int `json:"retros"`
	Participants int `json:"participants"`
	Seats        int `json:"seats"`
	// RotiSum adds ratings mapped onto 1-5 (retro.RotiOnFive), so retros
	// rated 0-10 before the classic scale average with the rest.
	RotiSum   float64        `json:"rotiSum"`
	RotiN     int            `json:"rotiN"`
	HealthSum int            `json:"healthSum"`
	HealthN   int            `json:"healthN"`
	Teams     map[string]int `json:"teams"`
}

// New returns an empty dashboard; minRespondents 0 means 3.
func New(minRespondents int) *Dashboard {
	if minRespondents == 0 {
		minRespondents = 3
	}
	minRespondents = max(minRespondents, 2)
	return &Dashboard{projections.NewFold(Name, func() *state {
		return &state{MinRespondents: minRespondents, TeamWorkspace: map[string]string{}, TeamMembers: map[string]map[string]bool{},
			Open: map[string]*openRetro{}, Months: map[string]map[string]*bucket{}}
	}, fold, projections.Types(team.TeamCreated{}, workspace.TeamRegistered{}, team.MemberAdded{}, team.GuestPromoted{},
		team.MemberRemoved{}, retro.RetroCreated{}, retro.ParticipantJoined{}, retro.RotiRated{}, retro.HealthCheckStarted{},
		retro.HealthCheckAnswered{}, retro.HealthCheckRevealed{}, retro.RetroClosed{}))}
}

func fold(s *state, e eventstore.RecordedEvent, ev any) {
	id := e.Stream.ID
	switch ev := ev.(type) {
	case team.TeamCreated:
		s.TeamWorkspace[id] = ev.WorkspaceID
		s.members(id)[ev.FirstAdminID] = true
	case workspace.TeamRegistered:
		s.TeamWorkspace[ev.TeamID] = id
	case team.MemberAdded:
		s.members(id)[ev.UserID] = true
	case team.GuestPromoted:
		s.members(id)[ev.GuestUserID] = true
	case team.MemberRemoved:
		delete(s.members(id), ev.UserID)
	case retro.RetroCreated:
		s.Open[id] = &openRetro{TeamID: ev.TeamID, Participants: map[string]bool{}, Roti: map[string]int{}, RotiScale: ev.RotiScale,
			Scale: map[string]catalog.Scale{}, Answers: map[string]map[string]int{}}
	case retro.ParticipantJoined:
		if r, ok := s.Open[id]; ok {
			r.Participants[ev.UserID] = true
		}
	case retro.RotiRated:
		if r, ok := s.Open[id]; ok {
			r.Roti[ev.Rater] = ev.Score
		}
	case retro.HealthCheckStarted:
		if r, ok := s.Open[id]; ok {
			for _, q := range ev.Questions {
				r.Scale[q.ID] = q.Scale
			}
		}
	case retro.HealthCheckAnswered:
		if r, ok := s.Open[id]; ok {
			m := r.Answers[ev.QuestionID]
			if m == nil {
				m = map[string]int{}
				r.Answers[ev.QuestionID] = m
			}
			m[ev.Respondent] = ev.Score
		}
	case retro.HealthCheckRevealed:
		if r, ok := s.Open[id]; ok {
			r.Revealed = true
		}
	case retro.RetroClosed:
		r, ok := s.Open[id]
		if !ok {
			return
		}
		delete(s.Open, id)
		ws := s.TeamWorkspace[r.TeamID]
		byMonth := s.Months[ws]
		if byMonth == nil {
			byMonth = map[string]*bucket{}
			s.Months[ws] = byMonth
		}
		month := ev.At.UTC().Format("2006-01")
		b := byMonth[month]
		if b == nil {
			b = &bucket{Teams: map[string]int{}}
			byMonth[month] = b
		}
		b.Retros++
		b.Teams[r.TeamID]++
		b.Participants += len(r.Participants)
		b.Seats += len(s.TeamMembers[r.TeamID])
		for _, score := range r.Roti {
			b.RotiSum += retro.RotiOnFive(r.RotiScale, float64(score))
			b.RotiN++
		}
		if r.Revealed {
			for q, answers := range r.Answers {
				if r.Scale[q] != catalog.ScaleFive || len(answers) < s.MinRespondents {
					continue
				}
				for _, score := range answers {
					b.HealthSum += score
					b.HealthN++
				}
			}
		}
	}
}

func (s *state) members(teamID string) map[string]bool {
	m := s.TeamMembers[teamID]
	if m == nil {
		m = map[string]bool{}
		s.TeamMembers[teamID] = m
	}
	return m
}

// Month is one month of a workspace.
type Month struct {
	Month  string `json:"month"` // 2006-01
	Retros int    `json:"retros"`
	Teams  int    `json:"teams"`
	// Participants is the people who joined the month's retros, summed.
	Participants int `json:"participants"`
	// ParticipationRate is Participants over the teams' members at close.
	ParticipationRate *float64 `json:"participationRate,omitempty"`
	// RotiAverage is on 1-5; retros rated 0-10 count mapped onto it.
	RotiAverage *float64 `json:"rotiAverage,omitempty"`
	RotiRatings int      `json:"rotiRatings"`
	// HealthAverage is the mean 1-5 score of the month's revealed checks.
	HealthAverage *float64 `json:"healthAverage,omitempty"`
}

// Workspace returns the workspace's months between from and to (inclusive,
// either zero for no bound), oldest first.
func (d *Dashboard) Workspace(workspaceID string, from, to time.Time) []Month {
	out := []Month{}
	d.Read(func(s *state) {
		for m, b := range s.Months[workspaceID] {
			if !from.IsZero() && m < from.UTC().Format("2006-01") || !to.IsZero() && m > to.UTC().Format("2006-01") {
				continue
			}
			month := Month{Month: m, Retros: b.Retros, Teams: len(b.Teams), Participants: b.Participants,
				ParticipationRate: ratio(b.Participants, b.Seats), RotiRatings: b.RotiN,
				HealthAverage: ratio(b.HealthSum, b.HealthN)}
			// Fewer ratings than the minimum group would let an admin
			// read one person's rating, as health answers below it would.
			if b.RotiN >= s.MinRespondents {
				month.RotiAverage = ratioF(b.RotiSum, b.RotiN)
			}
			out = append(out, month)
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	return out
}

func ratio(a, b int) *float64 { return ratioF(float64(a), b) }

func ratioF(a float64, b int) *float64 {
	if b == 0 {
		return nil
	}
	v := float64(int(a/float64(b)*1000+0.5)) / 1000
	return &v
}

// Workspaces returns every workspace with a month on the dashboard, sorted.
func (d *Dashboard) Workspaces() []string {
	var out []string
	d.Read(func(s *state) {
		for ws := range s.Months {
			out = append(out, ws)
		}
	})
	sort.Strings(out)
	return out
}
