package catalog

import "slices"

// The accessors return copies, slices included, so a caller that edits what
// it got (say, to customise a template for one retro) cannot change the
// catalogue that every other caller shares.

// RetroTemplate returns the retro template with the given ID.
func (c *Catalog) RetroTemplate(id string) (RetroTemplate, bool) {
	t, ok := c.retroByID[id]
	if !ok {
		return RetroTemplate{}, false
	}
	return t.clone(), true
}

// HealthPack returns the health-check pack with the given ID.
func (c *Catalog) HealthPack(id string) (HealthPack, bool) {
	p, ok := c.packByID[id]
	if !ok {
		return HealthPack{}, false
	}
	return p.clone(), true
}

// Question returns the health-check question with the given ID, from
// whichever pack holds it.
func (c *Catalog) Question(id string) (Question, bool) {
	q, ok := c.qByID[id]
	if !ok {
		return Question{}, false
	}
	return *q, true
}

// QuestionPack returns the ID of the pack that holds the question.
func (c *Catalog) QuestionPack(questionID string) (string, bool) {
	id, ok := c.qPack[questionID]
	return id, ok
}

// Icebreaker returns the icebreaker with the given ID.
func (c *Catalog) Icebreaker(id string) (Icebreaker, bool) {
	ib, ok := c.iceByID[id]
	if !ok {
		return Icebreaker{}, false
	}
	return ib.clone(), true
}

// TeamTemplate returns the team template with the given ID.
func (c *Catalog) TeamTemplate(id string) (TeamTemplate, bool) {
	t, ok := c.teamByID[id]
	if !ok {
		return TeamTemplate{}, false
	}
	return *t, true
}

// Dimension returns the declared dimension with the given ID.
func (c *Catalog) Dimension(id string) (Dimension, bool) {
	d, ok := c.dimByID[id]
	if !ok {
		return Dimension{}, false
	}
	return *d, true
}

// IcebreakerAt picks an icebreaker from a number the caller drew. The domain
// has no randomness of its own, so the edge draws n and records it in the
// command; the same n always gives the same icebreaker, which makes replays
// exact. Any int is accepted, negative ones too. A Catalog without
// icebreakers (only a zero value; Load never returns one) gives a zero
// Icebreaker.
func (c *Catalog) IcebreakerAt(n int) Icebreaker {
	if len(c.Icebreakers) == 0 {
		return Icebreaker{}
	}
	return c.Icebreakers[wrap(n, len(c.Icebreakers))].clone()
}

// CheckInAt picks a check-in from a number the caller drew, as IcebreakerAt
// does; a Catalog without check-ins gives a zero CheckIn and false.
func (c *Catalog) CheckInAt(n int) (CheckIn, bool) {
	if len(c.CheckIns) == 0 {
		return CheckIn{}, false
	}
	ci := c.CheckIns[wrap(n, len(c.CheckIns))]
	ci.Options = slices.Clone(ci.Options)
	return ci, true
}

// IcebreakerTaggedAt is IcebreakerAt restricted to icebreakers carrying tag
// (for example "quick" or "remote"). It reports false if no icebreaker has
// the tag.
func (c *Catalog) IcebreakerTaggedAt(tag string, n int) (Icebreaker, bool) {
	var tagged []int
	for i := range c.Icebreakers {
		if slices.Contains(c.Icebreakers[i].Tags, tag) {
			tagged = append(tagged, i)
		}
	}
	if len(tagged) == 0 {
		return Icebreaker{}, false
	}
	return c.Icebreakers[tagged[wrap(n, len(tagged))]].clone(), true
}

// wrap maps any int onto [0, size). Negative n wraps from the end rather
// than panicking on a negative index.
func wrap(n, size int) int {
	i := n % size
	if i < 0 {
		i += size
	}
	return i
}

func (t *RetroTemplate) clone() RetroTemplate {
	out := *t
	out.Columns = slices.Clone(t.Columns)
	out.Tags = slices.Clone(t.Tags)
	out.Aliases = slices.Clone(t.Aliases)
	return out
}

func (p *HealthPack) clone() HealthPack {
	out := *p
	out.Questions = slices.Clone(p.Questions)
	out.Aliases = slices.Clone(p.Aliases)
	return out
}

func (ib *Icebreaker) clone() Icebreaker {
	out := *ib
	out.Tags = slices.Clone(ib.Tags)
	return out
}
