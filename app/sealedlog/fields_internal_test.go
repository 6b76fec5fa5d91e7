package sealedlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-retro/hindsight/app/keys"
	"github.com/hindsight-retro/hindsight/domain/board"
	"github.com/hindsight-retro/hindsight/domain/retro"
	"github.com/hindsight-retro/hindsight/domain/survey"
	"github.com/hindsight-retro/hindsight/domain/team"
	"github.com/hindsight-retro/hindsight/domain/workspace"
	"github.com/hindsight-retro/hindsight/eventstore"
	"github.com/hindsight-retro/hindsight/eventstore/memstore"
)

// notText names, per sealed category, the string members that hold no
// text anyone wrote: IDs, kinds, statuses, keys into the catalogue. They
// stay readable after an erasure, so the events still fold.
var notText = map[string][]string{
	retro.Category: {"actionId", "after", "assignee", "author", "cardId", "cardIds", "columnId", "commentId",
		"dimension", "from", "groupId", "id", "intoGroupId", "kind", "lastCard", "moderator", "optionId", "order",
		"originRetroId", "outcome", "questionId", "rater", "respondent", "retroId", "role", "rotiScale", "roundId",
		"scale", "status", "stepId", "surveyId", "teamId", "templateId", "to", "topic", "topicId", "userId", "voter",
		"whiteboardId", "distribution"},
	team.Category: {"actionId", "addedBy", "appointedBy", "assignee", "author", "by", "changedBy", "commentId",
		"createdBy", "firstAdminId", "from", "guestUserId", "healthPackId", "invitedBy", "originRetroId", "promotedBy",
		"recordedBy", "removedBy", "retroId", "retroTemplateId", "teamId", "templateId", "to", "userId", "workspaceId"},
	workspace.Category: {"addedBy", "createdBy", "registeredBy", "removedBy", "renamedBy", "teamId", "userId", "workspaceId"},
	board.Category:     {"boardId", "by", "docId", "id", "kind", "owner", "retroId", "teamId", "templateId"},
	survey.Category: {"author", "closedBy", "column", "createdBy", "dimension", "id", "respondent", "retroId", "scale",
		"surveyId", "team", "teamIds", "ratings"},
}

// eventsOf are the events of every sealed aggregate, by category.
func eventsOf() map[string][]any {
	out := map[string][]any{}
	for _, e := range retro.Events() {
		out[retro.Category] = append(out[retro.Category], e)
	}
	for _, e := range team.Events() {
		out[team.Category] = append(out[team.Category], e)
	}
	for _, e := range workspace.Events() {
		out[workspace.Category] = append(out[workspace.Category], e)
	}
	for _, e := range board.Events() {
		out[board.Category] = append(out[board.Category], e)
	}
	for _, e := range survey.Events() {
		out[survey.Category] = append(out[survey.Category], e)
	}
	return out
}

// jsonName is the member a struct field is encoded as, "" when none.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

// stringMembers lists the members of t, at any depth, that hold strings
// (or maps, whose keys and values may be strings).
func stringMembers(t reflect.Type, out map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.String || ft.Kind() == reflect.Map {
			out[name] = true
		}
		stringMembers(f.Type, out, seen)
	}
}

func TestEveryStringOfEverySealedEventIsSealedOrNamedAsNoText(t *testing.T) {
	for category, evs := range eventsOf() {
		text := fields(category)
		if text == nil {
			t.Errorf("category %s: nothing is sealed", category)
			continue
		}
		plain := map[string]bool{}
		for _, n := range notText[category] {
			plain[n] = true
		}
		for _, e := range evs {
			names := map[string]bool{}
			stringMembers(reflect.TypeOf(e), names, map[reflect.Type]bool{})
			for n := range names {
				if text[n] == plain[n] {
					t.Errorf("%s %T: member %q must be either sealed text (fields) or listed as no text (notText), not %s",
						category, e, n, map[bool]string{true: "both", false: "neither"}[text[n]])
				}
			}
		}
	}
}

// filled is an event of type t with every string set to a marker of its
// own, every slice holding one element and every map one entry; texts are
// the markers that sit under a sealed member, others the rest.
func filled(t reflect.Type, text map[string]bool) (v reflect.Value, texts, others []string) {
	n := 0
	mark := func(under bool) string {
		n++
		m := fmt.Sprintf("mk%s%03dmk", t.Name(), n)
		if under {
			texts = append(texts, m)
		} else {
			others = append(others, m)
		}
		return m
	}
	var fill func(v reflect.Value, under bool, depth int)
	fill = func(v reflect.Value, under bool, depth int) {
		if depth > 6 {
			return
		}
		switch v.Kind() {
		case reflect.String:
			v.SetString(mark(under))
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			v.SetInt(3)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			v.SetUint(3)
		case reflect.Float32, reflect.Float64:
			v.SetFloat(2.5)
		case reflect.Pointer:
			p := reflect.New(v.Type().Elem())
			fill(p.Elem(), under, depth+1)
			v.Set(p)
		case reflect.Slice:
			s := reflect.MakeSlice(v.Type(), 1, 1)
			fill(s.Index(0), under, depth+1)
			v.Set(s)
		case reflect.Map:
			m := reflect.MakeMap(v.Type())
			k := reflect.New(v.Type().Key()).Elem()
			if k.Kind() == reflect.String {
				// A map's keys are IDs (question IDs, option IDs): they
				// stay readable, its values are what is sealed.
				k.SetString(mark(false))
			} else {
				fill(k, false, depth+1)
			}
			el := reflect.New(v.Type().Elem()).Elem()
			fill(el, under, depth+1)
			m.SetMapIndex(k, el)
			v.Set(m)
		case reflect.Struct:
			if v.Type() == reflect.TypeOf(time.Time{}) {
				v.Set(reflect.ValueOf(time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)))
				return
			}
			for i := 0; i < v.NumField(); i++ {
				f := v.Type().Field(i)
				name := jsonName(f)
				if name == "" {
					continue
				}
				fill(v.Field(i), under || text[name], depth+1)
			}
		}
	}
	v = reflect.New(t).Elem()
	fill(v, false, 0)
	return v, texts, others
}

func rawEvent(t *testing.T, s eventstore.Store, stream eventstore.StreamID, version int64) []byte {
	t.Helper()
	evs, err := s.Load(context.Background(), stream, version-1)
	if err != nil || len(evs) == 0 {
		t.Fatalf("load %s@%d: %d events, %v", stream, version, len(evs), err)
	}
	return evs[0].Payload
}

// Each event of each sealed aggregate, with every field filled: what
// someone wrote is sealed in the log's bytes, read back whole while the
// key lives, and read back empty (the rest intact, the event still
// decoding into its type) once the key is destroyed.
func TestEverySealedFieldIsUnreadableInTheLogAndGoneOnceItsKeyIsDestroyed(t *testing.T) {
	ctx := context.Background()
	for category, evs := range eventsOf() {
		for _, proto := range evs {
			typ := reflect.TypeOf(proto)
			t.Run(category+"/"+typ.Name(), func(t *testing.T) {
				raw := memstore.New(time.Now)
				ks := keys.NewMemory()
				s := New(raw, ks)
				stream := eventstore.StreamID{Category: category, ID: "s1"}
				if err := s.Seal(ctx, stream); err != nil {
					t.Fatal(err)
				}
				v, texts, others := filled(typ, fields(category))
				payload, err := json.Marshal(v.Interface())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.Append(ctx, eventstore.Commit{Stream: stream, ExpectedVersion: eventstore.NoStream, CommandID: "c1",
					Events: []eventstore.Event{{Type: typ.Name(), SchemaVersion: 1, Payload: payload}}}); err != nil {
					t.Fatal(err)
				}
				stored := rawEvent(t, raw, stream, 1)
				for _, m := range texts {
					if bytes.Contains(stored, []byte(m)) {
						t.Errorf("the text %s is in the log's bytes: %s", m, stored)
					}
				}
				for _, m := range others {
					if !bytes.Contains(stored, []byte(m)) {
						t.Errorf("the ID %s is not readable in the log's bytes: %s", m, stored)
					}
				}
				opened := rawEvent(t, s, stream, 1)
				var want, got any
				_ = json.Unmarshal(payload, &want)
				if err := json.Unmarshal(opened, &got); err != nil || !reflect.DeepEqual(want, got) {
					t.Fatalf("read through the sealing layer:\n%s\nwant what was written:\n%s", opened, payload)
				}

				if err := s.Erase(ctx, stream); err != nil {
					t.Fatal(err)
				}
				erased := rawEvent(t, s, stream, 1)
				for _, m := range texts {
					if bytes.Contains(erased, []byte(m)) {
						t.Errorf("the text %s is read after its key was destroyed: %s", m, erased)
					}
				}
				for _, m := range others {
					if !bytes.Contains(erased, []byte(m)) {
						t.Errorf("the ID %s is lost with the texts: %s", m, erased)
					}
				}
				if err := json.Unmarshal(erased, reflect.New(typ).Interface()); err != nil {
					t.Errorf("the erased event does not decode into %s: %v", typ, err)
				}
				if !s.Erased(stream) {
					t.Error("the sealing layer does not report the stream as erased")
				}
			})
		}
	}
}

func TestAnErasedStreamRefusesNewEventsAndCannotBeSealedAgain(t *testing.T) {
	ctx := context.Background()
	s := New(memstore.New(time.Now), keys.NewMemory())
	stream := eventstore.StreamID{Category: retro.Category, ID: "r1"}
	if err := s.Seal(ctx, stream); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, stream); err != nil {
		t.Fatal(err)
	}
	_, err := s.Append(ctx, eventstore.Commit{Stream: stream, ExpectedVersion: eventstore.Any, CommandID: "c1",
		Events: []eventstore.Event{{Type: "CardAdded", SchemaVersion: 1, Payload: []byte(`{"text":"after the erasure"}`)}}})
	if !strings.Contains(fmt.Sprint(err), "erased") {
		t.Fatalf("a write to an erased stream: %v, want it refused as erased", err)
	}
	if err := s.Seal(ctx, stream); err == nil {
		t.Fatal("an erased stream was sealed again (a new key would make it writable)")
	}
}

func TestAStreamWrittenInClearIsNeverSealedAfterwards(t *testing.T) {
	ctx := context.Background()
	raw := memstore.New(time.Now)
	s := New(raw, keys.NewMemory())
	stream := eventstore.StreamID{Category: retro.Category, ID: "plain"}
	if _, err := s.Append(ctx, eventstore.Commit{Stream: stream, ExpectedVersion: eventstore.NoStream, CommandID: "c1",
		Events: []eventstore.Event{{Type: "CardAdded", SchemaVersion: 1, Payload: []byte(`{"text":"in clear"}`)}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Seal(ctx, stream); err == nil {
		t.Fatal("a stream holding clear events was sealed: its old texts would stay readable after an erasure")
	}
	if !bytes.Contains(rawEvent(t, raw, stream, 1), []byte("in clear")) {
		t.Fatal("a plain stream's text is not stored as written")
	}
}

func TestTextsCopiedIntoAnotherStreamDoNotOpenThere(t *testing.T) {
	ctx := context.Background()
	raw := memstore.New(time.Now)
	s := New(raw, keys.NewMemory())
	a := eventstore.StreamID{Category: retro.Category, ID: "a"}
	b := eventstore.StreamID{Category: retro.Category, ID: "b"}
	for _, st := range []eventstore.StreamID{a, b} {
		if err := s.Seal(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Append(ctx, eventstore.Commit{Stream: a, ExpectedVersion: eventstore.NoStream, CommandID: "c1",
		Events: []eventstore.Event{{Type: "CardAdded", SchemaVersion: 1, Payload: []byte(`{"text":"secret of a"}`)}}}); err != nil {
		t.Fatal(err)
	}
	copied := rawEvent(t, raw, a, 1)
	if _, err := raw.Append(ctx, eventstore.Commit{Stream: b, ExpectedVersion: eventstore.NoStream, CommandID: "c2",
		Events: []eventstore.Event{{Type: "CardAdded", SchemaVersion: 1, Payload: copied}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, b, 0); err == nil || errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("a's sealed texts copied into b were opened with b's reader: %v", err)
	}
}

// A whiteboard's content (and a person's private notes) is Automerge bytes
// in base64 under "data", as collab stores a chunk or a snapshot.
func TestABoardsContentIsSealedAndReadsEmptyOnceErased(t *testing.T) {
	ctx := context.Background()
	raw := memstore.New(time.Now)
	s := New(raw, keys.NewMemory())
	stream := eventstore.StreamID{Category: board.ContentCategory, ID: "doc1"}
	if err := s.Seal(ctx, stream); err != nil {
		t.Fatal(err)
	}
	const chunk = `{"data":"aGVsbG8gYm9hcmQgbm90ZQ=="}` // "hello board note"
	if _, err := s.Append(ctx, eventstore.Commit{Stream: stream, ExpectedVersion: eventstore.NoStream, CommandID: "c1",
		Events: []eventstore.Event{{Type: "WhiteboardChunk", SchemaVersion: 1, Payload: []byte(chunk)}}}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(rawEvent(t, raw, stream, 1), []byte("aGVsbG8gYm9hcmQgbm90ZQ")) {
		t.Fatal("the board's content is in the log's bytes")
	}
	if got := rawEvent(t, s, stream, 1); !bytes.Contains(got, []byte("aGVsbG8gYm9hcmQgbm90ZQ==")) {
		t.Fatalf("read through the sealing layer: %s, want the chunk", got)
	}
	if err := s.Erase(ctx, stream); err != nil {
		t.Fatal(err)
	}
	var p struct {
		Data string `json:"data"`
	}
	if err := json.Unmarshal(rawEvent(t, s, stream, 1), &p); err != nil || p.Data != "" {
		t.Fatalf("the erased chunk reads %q (%v), want empty data", p.Data, err)
	}
}
