package domain

// Decider is one aggregate's rules: Decide turns a command into events given
// the current state, Evolve folds one event into the state. Both are pure.
type Decider[S, C, E any] struct {
	Initial func() S
	Decide  func(S, C) ([]E, error)
	Evolve  func(S, E) S
}

// Fold evolves the initial state through events.
func (d Decider[S, C, E]) Fold(events []E) S {
	s := d.Initial()
	for _, e := range events {
		s = d.Evolve(s, e)
	}
	return s
}

// Run decides cmd on the state folded from history and returns the new
// events and the state after them. Tests read as given/when/then through it.
func (d Decider[S, C, E]) Run(history []E, cmd C) ([]E, S, error) {
	s := d.Fold(history)
	evs, err := d.Decide(s, cmd)
	if err != nil {
		return nil, s, err
	}
	for _, e := range evs {
		s = d.Evolve(s, e)
	}
	return evs, s, nil
}
