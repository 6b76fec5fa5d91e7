package identity

import (
	"context"
	"fmt"
	"slices"

	"github.com/hindsight-retro/hindsight/domain"
	"github.com/hindsight-retro/hindsight/eventstore"
)

// The languages a person may choose; every mail to them is written in it.
// DefaultLanguage is everyone's until they choose.
const (
	LanguageEnglish = "en"
	LanguageGerman  = "de"
	DefaultLanguage = LanguageEnglish
)

// Languages lists the languages a person may choose, once.
var Languages = []string{LanguageEnglish, LanguageGerman}

// CodeLanguageInvalid: a language Hindsight does not write in.
const CodeLanguageInvalid = "language-invalid"

// SetLanguage records the caller's language, used by every mail to them.
// Guests choose too: their mails are theirs alike. A retry with the same
// command ID records it once.
func (s *Service) SetLanguage(ctx context.Context, c Caller, lang string) error {
	p := c.Principal
	if p.UserID == "" || !p.Can(ScopeWrite) {
		return domain.ErrForbidden
	}
	if err := validateCommandID(c.CommandID); err != nil {
		return err
	}
	if !slices.Contains(Languages, lang) {
		return domain.Errorf(domain.Invalid, CodeLanguageInvalid, "a language is one of %v", Languages)
	}
	evs, _, err := s.load(ctx, catAccount, p.UserID)
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return domain.ErrNotFound
	}
	// The last choice wins; the command ID makes a retry act once.
	_, err = s.appendEvent(ctx, catAccount, p.UserID, eventstore.Any, c.CommandID, p.UserID, LanguageChosen{Language: lang, At: s.now().UTC()})
	if err != nil {
		return fmt.Errorf("identity: set language: %w", err)
	}
	return nil
}
