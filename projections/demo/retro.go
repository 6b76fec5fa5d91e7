package demo

import (
	"fmt"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// retroRun is one retro being played.
type retroRun struct {
	g      *gen
	ti     *teamInfo
	a      agg[retro.State]
	key    []byte
	at     time.Time
	people []string
}

func (r *retroRun) actor(u string) domain.Actor {
	return domain.Actor{UserID: u, Pseudonym: domain.Pseudonym(r.key, u)}
}

// tick moves the retro's clock on by about a minute.
func (r *retroRun) tick() time.Time {
	r.at = r.at.Add(time.Duration(20+r.g.rnd.IntN(60)) * time.Second)
	return r.at
}

func (r *retroRun) do(c retro.Command) error {
	return do(r.g, &r.a, retro.Decide, retro.Evolve, retro.EncodeEvent, c)
}

func (r *retroRun) step(mod domain.Actor, id string) error {
	return r.do(retro.GoToStep{Actor: mod, At: r.tick(), StepID: id})
}

func (g *gen) retro(ti *teamInfo, id string, at time.Time) error {
	r := &retroRun{g: g, ti: ti, key: g.key(id), at: at,
		a: agg[retro.State]{stream: eventstore.StreamID{Category: retro.Category, ID: id}}}
	r.people = g.sample(ti.members, 3+g.rnd.IntN(len(ti.members)-2))
	mod := r.actor(ti.admin)
	var open []retro.OpenAction
	for _, a := range team.OpenActions(ti.state) {
		open = append(open, retro.OpenAction{ID: a.ID, Title: a.Title, Assignee: a.Assignee, OriginRetroID: a.OriginRetroID})
	}
	if err := r.do(retro.CreateRetro{Actor: mod, At: at, RetroID: id, TeamID: ti.stream.ID, Title: "Sprint retro " + id,
		TemplateID: ti.tmplID, Columns: ti.columns, Anonymous: g.rnd.IntN(10) < 3, OpenActions: open}); err != nil {
		return err
	}
	for _, u := range r.people[1:] {
		if err := r.do(retro.JoinRetro{Actor: r.actor(u), At: r.tick(), Role: retro.RoleMember}); err != nil {
			return err
		}
	}
	// Icebreaker.
	if err := r.step(mod, "icebreaker"); err != nil {
		return err
	}
	ice := g.cat.Icebreakers[g.rnd.IntN(len(g.cat.Icebreakers))]
	if err := r.do(retro.ChooseIcebreaker{Actor: mod, At: r.tick(), QuestionID: ice.ID, Text: ice.Text}); err != nil {
		return err
	}
	for i, u := range r.people {
		if g.rnd.IntN(3) == 0 {
			continue
		}
		if err := r.do(retro.AnswerIcebreaker{Actor: r.actor(u), At: r.tick(), CardID: fmt.Sprintf("ice-%d", i), Text: g.pick(cardTexts)}); err != nil {
			return err
		}
	}
	// Action review: every carried action gets an outcome, carried to the team.
	if err := r.step(mod, "action-review"); err != nil {
		return err
	}
	for _, oa := range open {
		outcome := []retro.Outcome{retro.OutcomeDone, retro.OutcomeDone, retro.OutcomeKept, retro.OutcomeDiscarded}[g.rnd.IntN(4)]
		if err := r.do(retro.ReviewAction{Actor: mod, At: r.tick(), ActionID: oa.ID, Outcome: outcome}); err != nil {
			return err
		}
		if err := g.team(ti, team.UpdateActionStatus{Actor: domain.Actor{UserID: ti.admin}, At: r.at, ActionID: oa.ID,
			Status: team.ActionStatus(outcome), RetroID: id}); err != nil && domain.CodeOf(err) != team.CodeStatusUnchanged {
			return err
		}
	}
	// Health check, every other retro.
	mood := g.rnd.IntN(3) - 1
	if g.rnd.IntN(2) == 0 {
		if err := r.step(mod, "health-check"); err != nil {
			return err
		}
		if err := r.do(retro.StartHealthCheck{Actor: mod, At: r.tick(), Questions: ti.pack.Questions}); err != nil {
			return err
		}
		for _, u := range r.people {
			for _, q := range ti.pack.Questions {
				if err := r.do(retro.AnswerHealthCheck{Actor: r.actor(u), At: r.tick(), QuestionID: q.ID, Score: g.score(q, mood)}); err != nil {
					return err
				}
			}
		}
		if err := r.do(retro.RevealHealthCheck{Actor: mod, At: r.tick()}); err != nil {
			return err
		}
	}
	// Cards, then reveal every column.
	if err := r.step(mod, "collect"); err != nil {
		return err
	}
	var cards []string
	for _, u := range r.people {
		for range 1 + g.rnd.IntN(4) {
			c := fmt.Sprintf("card-%d", len(cards))
			col := r.ti.columns[g.rnd.IntN(len(r.ti.columns))].ID
			if err := r.do(retro.AddCard{Actor: r.actor(u), At: r.tick(), CardID: c, ColumnID: col, Text: g.pick(cardTexts)}); err != nil {
				return err
			}
			cards = append(cards, c)
		}
	}
	if g.rnd.IntN(4) == 0 {
		// Someone edits a draft.
		c, _ := r.a.state.Cards.Get(cards[0])
		if err := r.do(retro.EditCard{Actor: r.actor(r.people[0]), At: r.tick(), CardID: c.ID, Text: c.Text + " (edited)"}); err != nil {
			return err
		}
	}
	for _, col := range r.ti.columns {
		if err := r.do(retro.RevealColumn{Actor: mod, At: r.tick(), ColumnID: col.ID}); err != nil {
			return err
		}
	}
	// Group a few cards.
	if err := r.step(mod, "group"); err != nil {
		return err
	}
	groups := 0
	for i := 1; i < len(cards); i += 3 {
		gid := fmt.Sprintf("group-%d", groups)
		if err := r.do(retro.MergeCard{Actor: mod, At: r.tick(), CardID: cards[i], TargetID: cards[i-1], NewGroupID: gid}); err != nil {
			return err
		}
		if _, ok := r.a.state.Groups[gid]; ok {
			groups++
			if err := r.do(retro.NameGroup{Actor: mod, At: r.tick(), GroupID: gid, Name: g.pick(cardTexts)}); err != nil {
				return err
			}
		}
	}
	// Vote.
	if err := r.step(mod, "vote"); err != nil {
		return err
	}
	if err := r.do(retro.StartVoting{Actor: mod, At: r.tick(), RoundID: "round-1", Budget: 3}); err != nil {
		return err
	}
	var topics []string
	for _, c := range cards {
		if card, ok := r.a.state.Cards.Get(c); ok && card.GroupID == "" {
			topics = append(topics, c)
		}
	}
	topics = append(topics, r.a.state.GroupOrder...)
	for _, u := range r.people {
		for range 3 {
			if err := r.do(retro.CastVote{Actor: r.actor(u), At: r.tick(), TopicID: topics[g.rnd.IntN(len(topics))]}); err != nil {
				return err
			}
		}
	}
	if err := r.do(retro.CloseVoting{Actor: mod, At: r.tick()}); err != nil {
		return err
	}
	// Discuss and derive actions, recorded on the team by the reactor.
	if err := r.step(mod, "discuss"); err != nil {
		return err
	}
	for i := range 1 + g.rnd.IntN(3) {
		topic := topics[g.rnd.IntN(len(topics))]
		if err := r.do(retro.FocusTopic{Actor: mod, At: r.tick(), TopicID: topic}); err != nil {
			return err
		}
		aid := fmt.Sprintf("act-%s-%d", id, i)
		assignee := r.people[g.rnd.IntN(len(r.people))]
		due := r.at.Add(14 * 24 * time.Hour).Truncate(24 * time.Hour)
		title := g.pick(actionTexts)
		if err := r.do(retro.CreateAction{Actor: mod, At: r.tick(), ActionID: aid, Title: title, TopicID: topic, Assignee: assignee, Due: &due}); err != nil {
			return err
		}
		if err := g.team(ti, team.RecordAction{Actor: domain.Actor{UserID: ti.admin}, At: r.at, ActionID: aid, Title: title,
			Assignee: assignee, Due: due, OriginRetroID: id}); err != nil {
			return err
		}
	}
	// ROTI, then close.
	if err := r.step(mod, "roti"); err != nil {
		return err
	}
	for _, u := range r.people {
		if g.rnd.IntN(8) == 0 {
			continue
		}
		if err := r.do(retro.RateRoti{Actor: r.actor(u), At: r.tick(), Score: min(5, max(1, 3+g.rnd.IntN(3)+mood-1))}); err != nil {
			return err
		}
	}
	if err := r.do(retro.CloseRetro{Actor: mod, At: r.tick()}); err != nil {
		return err
	}
	if g.stats.Retros == 0 || at.Before(g.stats.FirstRetro) {
		g.stats.FirstRetro = at
	}
	if at.After(g.stats.LastRetro) {
		g.stats.LastRetro = at
	}
	g.stats.Retros++
	return nil
}
