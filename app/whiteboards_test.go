package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/collab/wire"
	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/domain/board"
)

// A member creates a board from a template: it gets a document ID a stock
// client opens, the team lists it, members may sync it and outsiders may not;
// once archived nobody syncs it.
func TestTeamWhiteboardFromATemplate(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	res := must(f.app.CreateWhiteboard(ctx, identity.Caller{Principal: user(uBea), CommandID: "wb-1"}, app.CreateWhiteboardInput{TeamID: f.team, TemplateID: "check-in"}))(t)
	if _, err := wire.ParseDocumentID(res.ID); err != nil {
		t.Fatalf("board ID %q is not a document ID: %v", res.ID, err)
	}
	again := must(f.app.CreateWhiteboard(ctx, identity.Caller{Principal: user(uBea), CommandID: "wb-1"}, app.CreateWhiteboardInput{TeamID: f.team, TemplateID: "check-in"}))(t)
	if again.ID != res.ID {
		t.Fatalf("a retry created another board: %s, then %s", res.ID, again.ID)
	}
	v := must(f.app.Whiteboard(ctx, user(uCal), res.ID))(t)
	if v.Title != "Check-in" || v.URL != "automerge:"+res.ID || v.TeamID != f.team || v.Archived {
		t.Fatalf("view %+v", v)
	}
	list := must(f.app.TeamWhiteboards(ctx, user(uMod), f.team))(t)
	if len(list) != 1 || list[0].ID != res.ID {
		t.Fatalf("team boards %+v", list)
	}
	if !f.app.CanAccessBoard(ctx, uCal, res.ID) {
		t.Error("a member may not sync the team's board")
	}
	if f.app.CanAccessBoard(ctx, uOut, res.ID) {
		t.Error("an outsider may sync the team's board")
	}
	_, err := f.app.Whiteboard(ctx, user(uOut), res.ID)
	refused(t, "an outsider reads the board", err, domain.ErrNotFound) // as a missing one: see hidden
	_, err = f.app.CreateWhiteboard(ctx, f.as(user(uOut)), app.CreateWhiteboardInput{TeamID: f.team})
	refused(t, "an outsider creates a board for the team", err, domain.ErrNotFound) // as a missing one: see hidden
	_, err = f.app.CreateWhiteboard(ctx, f.as(user(uBea)), app.CreateWhiteboardInput{TeamID: f.team, TemplateID: "nope"})
	rejected(t, "an unknown template", err, domain.Invalid, "whiteboard-template-unknown")

	must(f.app.ArchiveWhiteboard(ctx, f.as(user(uBea)), res.ID))(t)
	if f.app.CanAccessBoard(ctx, uBea, res.ID) {
		t.Error("an archived board is still served")
	}
	if v := must(f.app.Whiteboard(ctx, user(uBea), res.ID))(t); !v.Archived {
		t.Error("the archived board's view says it is not archived")
	}
}

// A document a client created is served only once a member registered it
// for the team, and only one team can have it.
func TestRegisterAClientCreatedDocument(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	doc := wire.NewDocumentID()
	if f.app.CanAccessBoard(ctx, uBea, doc) {
		t.Fatal("an unregistered document is served")
	}
	must(f.app.CreateWhiteboard(ctx, f.as(user(uBea)), app.CreateWhiteboardInput{TeamID: f.team, DocumentID: "automerge:" + doc, Title: "Ideas"}))(t)
	if !f.app.CanAccessBoard(ctx, uCal, doc) {
		t.Fatal("a registered document is refused to a member")
	}
	_, err := f.app.CreateWhiteboard(ctx, f.as(user(uBea)), app.CreateWhiteboardInput{TeamID: f.team, DocumentID: doc})
	rejected(t, "registering a document twice", err, domain.Conflict, board.CodeExists)
	_, err = f.app.CreateWhiteboard(ctx, f.as(user(uBea)), app.CreateWhiteboardInput{TeamID: f.team, DocumentID: "not-a-doc"})
	rejected(t, "a malformed document ID", err, domain.Invalid, "document-id-invalid")
}

// A retro opening a whiteboard for a topic creates the board (seeded) for
// the team and the guests admitted to that retro, and nobody else.
func TestRetroTopicWhiteboard(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	seeded := map[string]string{}
	e.app = app.New(app.Deps{Store: e.store, Keys: e.keys, Catalog: e.cat, Clock: e.clock, NewID: e.newID,
		SeedWhiteboard: func(_ context.Context, docID, title string, _ board.Template) error {
			mu.Lock()
			defer mu.Unlock()
			seeded[docID] = title
			return nil
		}})
	f := teamOn(t, e)
	ctx := f.ctx()
	rid := f.newRetro("Sprint 1", true)
	card := must(f.retro(user(uBea), rid, app.AddCard{ColumnID: "start", Text: "flaky deploys"}))(t).ID
	must(f.retro(user(uMod), rid, app.RevealColumn{ColumnID: "start"}))(t)
	doc := must(f.retro(user(uBea), rid, app.OpenTopicWhiteboard{TopicID: card}))(t).ID
	v := must(f.app.Whiteboard(ctx, user(uMod), doc))(t)
	if v.RetroID != rid || v.Topic == nil || v.Topic.ID != card || v.TeamID != f.team {
		t.Fatalf("board %+v", v)
	}
	if _, ok := seeded[doc]; !ok {
		t.Error("the retro's board got no content, so a client cannot open it")
	}
	for _, ev := range f.events() {
		if ev.Stream.Category == "whiteboard" && strings.Contains(string(ev.Payload), uBea) {
			t.Errorf("the board of an anonymous retro names the participant who opened it: %s", ev.Payload)
		}
	}
	if !f.app.CanAccessBoard(ctx, uCal, doc) || f.app.CanAccessBoard(ctx, uOut, doc) {
		t.Error("board access: want team members only")
	}
}

// teamOn is newTeam over an env whose app the test built.
func teamOn(t *testing.T, e *env) *fixture {
	ws := must(e.app.CreateWorkspace(e.ctx(), e.as(user(uAda)), app.WorkspaceInput{Name: "Acme"}))(t)
	tm := must(e.app.CreateTeam(e.ctx(), e.as(user(uAda)), app.CreateTeamInput{
		WorkspaceID: ws.ID, Name: "Platform", TemplateID: "scrum-team", FirstAdminID: uMod,
	}))(t)
	for _, u := range []string{uBea, uCal} {
		must(e.app.AddMember(e.ctx(), e.as(user(uMod)), tm.ID, app.AddMemberInput{UserID: u}))(t)
	}
	return &fixture{env: e, ws: ws.ID, team: tm.ID}
}

// The sync server's remembered yes does not outlive an archive made on this
// node: the archived board is refused at once.
func TestArchiveClosesARememberedBoardAtOnce(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	res := must(f.app.CreateWhiteboard(ctx, f.as(user(uBea)), app.CreateWhiteboardInput{TeamID: f.team}))(t)
	if !f.app.CanAccessBoard(ctx, uCal, res.ID) {
		t.Fatal("a member may not sync the team's board")
	}
	must(f.app.ArchiveWhiteboard(ctx, f.as(user(uBea)), res.ID))(t)
	if f.app.CanAccessBoard(ctx, uCal, res.ID) {
		t.Fatal("a remembered yes outlived the board's archive")
	}
}

// A board whose node stopped before listing and seeding it (here: the team's
// list and the document store unreachable) is listed, once, and seeded by
// the next node's reactions, which follow the log.
func TestABoardWhoseNodeStoppedBeforeListingItIsListedAndSeededByTheNextNode(t *testing.T) {
	f := newTeam(t)
	ctx := f.ctx()
	f.app = app.New(app.Deps{Store: f.store, Keys: f.keys, Catalog: f.cat, Clock: f.clock, NewID: f.newID,
		SeedWhiteboard: func(context.Context, string, string, board.Template) error { return errInjected }})
	f.store.failNext(app.CategoryTeamBoards, 1)
	res, err := f.app.CreateWhiteboard(ctx, f.as(user(uBea)), app.CreateWhiteboardInput{TeamID: f.team, TemplateID: "check-in"})
	if !errors.Is(err, app.ErrIncomplete) || res.ID == "" {
		t.Fatalf("create with the team's list unreachable: %+v, %v; want its ID and ErrIncomplete", res, err)
	}
	if list := must(f.app.TeamWhiteboards(ctx, user(uBea), f.team))(t); len(list) != 0 {
		t.Fatalf("the team lists %+v before the next node", list)
	}
	var mu sync.Mutex
	seeded := map[string][]string{}
	next := app.New(app.Deps{Store: f.store, Keys: f.keys, Catalog: f.cat, Clock: f.clock, NewID: f.newID,
		SeedWhiteboard: func(_ context.Context, docID, title string, tpl board.Template) error {
			mu.Lock()
			defer mu.Unlock()
			seeded[docID] = append([]string{title}, tpl.Prompts...)
			return nil
		}})
	if err := next.StartReactions(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := next.CloseReactions(); err != nil {
			t.Error(err)
		}
	})
	tpl, _ := board.TemplateByID("check-in")
	want := fmt.Sprint(append([]string{"Check-in"}, tpl.Prompts...))
	eventually(t, func() (bool, string) {
		list := must(next.TeamWhiteboards(ctx, user(uCal), f.team))(t)
		mu.Lock()
		got := fmt.Sprint(seeded[res.ID])
		mu.Unlock()
		return len(list) == 1 && list[0].ID == res.ID && got == want,
			fmt.Sprintf("the team's boards %+v, the board's first content %s; want %s listed and seeded with %s", list, got, res.ID, want)
	})
	n := 0
	for _, re := range f.events() {
		if re.Stream.Category == app.CategoryTeamBoards {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the board is listed %d times in the log, want once", n)
	}
}
