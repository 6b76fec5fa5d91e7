package retro_test

import (
	"fmt"
	"time"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/catalog"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// A decider read as given, when, then: the events a retro has so far, a
// command, and the events it decides or the refusal. Nothing is stored:
// the application appends what Decide returns to the retro's stream.
func ExampleDecider() {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	mod := domain.Actor{UserID: "user-mod"}
	alice := domain.Actor{UserID: "user-alice"}
	d := retro.Decider()

	// Given a retro the moderator created and alice joined,
	var given []retro.Event
	for _, c := range []retro.Command{
		retro.CreateRetro{Actor: mod, At: at, RetroID: "r1", TeamID: "t1", Title: "Sprint 7",
			TemplateID: "kss", Columns: []catalog.Column{{ID: "keep", Title: "Keep"}}},
		retro.JoinRetro{Actor: alice, At: at, Role: retro.RoleMember},
	} {
		evs, _, err := d.Run(given, c)
		if err != nil {
			fmt.Println(err)
			return
		}
		given = append(given, evs...)
	}

	// when alice adds a card,
	then, state, err := d.Run(given, retro.AddCard{Actor: alice, At: at, CardID: "c1", ColumnID: "keep", Text: "pairing"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// then the card is added, concealed until the column is revealed;
	card := then[0].(retro.CardAdded)
	fmt.Println(card.EventType(), card.Author, card.Concealed, state.Cards.Len())

	// and when eve, who never joined, tries the same, she is refused.
	_, _, err = d.Run(given, retro.AddCard{Actor: domain.Actor{UserID: "user-eve"}, At: at, CardID: "c2", ColumnID: "keep", Text: "me too"})
	fmt.Println(domain.KindOf(err), domain.CodeOf(err))
	// Output:
	// CardAdded user-alice true 1
	// forbidden not-participant
}
