package board_test

import (
	"strings"
	"testing"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
)

var create = board.Create{Actor: ana, At: t0, BoardID: "b1", RetroID: "r1", TeamID: "t1",
	Topic: board.Topic{Kind: board.TopicCard, ID: "c1"}, TemplateID: "check-in", Title: " Why did the deploy fail? "}

func TestCreateOpensABoardForARetroTopicWithItsTitleTrimmed(t *testing.T) {
	s := decider.Then(t, nil, create, created()...)
	if !s.Exists || s.RetroID != "r1" || s.Topic != (board.Topic{Kind: board.TopicCard, ID: "c1"}) || s.Title != "Why did the deploy fail?" || s.CreatedBy != "ana" {
		t.Fatalf("state after create: %+v", s)
	}
}

func TestATeamBoardBelongsToNoRetro(t *testing.T) {
	s := decider.Then(t, nil,
		board.Create{Actor: ana, At: t0, BoardID: "b2", TeamID: "t1", TemplateID: "team-building", Title: "Who we are", Seed: true},
		board.Created{BoardID: "b2", TeamID: "t1", TemplateID: "team-building", Title: "Who we are", By: "ana", At: t0, Seed: true})
	if !s.Exists || s.TeamID != "t1" || s.RetroID != "" {
		t.Fatalf("state %+v", s)
	}
}

func TestCreateRejections(t *testing.T) {
	with := func(f func(*board.Create)) board.Create { c := create; f(&c); return c }
	decider.RefusedAll(t, map[string]rejection{
		"exists":             {Given: created(), When: create, Kind: domain.Conflict, Code: board.CodeExists},
		"no actor":           {Given: nil, When: with(func(c *board.Create) { c.Actor = domain.Actor{} }), Kind: domain.Invalid, Code: board.CodeActorRequired},
		"no ID":              {Given: nil, When: with(func(c *board.Create) { c.BoardID = "" }), Kind: domain.Invalid, Code: board.CodeIDRequired},
		"no retro nor team":  {Given: nil, When: with(func(c *board.Create) { c.RetroID, c.TeamID, c.Topic = "", "", board.Topic{} }), Kind: domain.Invalid, Code: board.CodeOwnerRequired},
		"topic, no retro":    {Given: nil, When: with(func(c *board.Create) { c.RetroID = "" }), Kind: domain.Invalid, Code: board.CodeTopicWithoutRetro},
		"unknown topic kind": {Given: nil, When: with(func(c *board.Create) { c.Topic.Kind = "wall" }), Kind: domain.Invalid, Code: board.CodeUnknownTopicKind},
		"no topic ID":        {Given: nil, When: with(func(c *board.Create) { c.Topic.ID = "" }), Kind: domain.Invalid, Code: board.CodeTopicIDRequired},
		"unknown template":   {Given: nil, When: with(func(c *board.Create) { c.TemplateID = "no-such" }), Kind: domain.Invalid, Code: board.CodeUnknownTemplate},
		"blank title":        {Given: nil, When: with(func(c *board.Create) { c.Title = "   " }), Kind: domain.Invalid, Code: board.CodeTitleRequired},
		"long title":         {Given: nil, When: with(func(c *board.Create) { c.Title = strings.Repeat("é", board.MaxTitleLength+1) }), Kind: domain.Invalid, Code: board.CodeTitleTooLong},
		"title not UTF-8":    {Given: nil, When: with(func(c *board.Create) { c.Title = "bad \xff" }), Kind: domain.Invalid, Code: board.CodeTitleNotText},
	})
}

func TestATitleOfTheMaximumLengthInCharactersIsAccepted(t *testing.T) {
	title := strings.Repeat("é", board.MaxTitleLength) // 400 bytes, 200 characters
	c := create
	c.Title = title
	if s := decider.Then(t, nil, c, board.Created{BoardID: "b1", RetroID: "r1", TeamID: "t1", Topic: c.Topic, TemplateID: "check-in", Title: title, By: "ana", At: t0}); s.Title != title {
		t.Fatalf("title %q", s.Title)
	}
}

func TestUnknownCommandIsRejected(t *testing.T) {
	decider.RefusedAll(t, map[string]rejection{"nil": {Given: created(), When: nil, Kind: domain.Invalid, Code: board.CodeUnknownCommand}})
}
