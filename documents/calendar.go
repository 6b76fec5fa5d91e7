package documents

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"
)

// CalendarContentType is the media type of an iCalendar file (RFC 5545).
const CalendarContentType = "text/calendar; charset=utf-8"

// Calendar is a set of retros as iCalendar events: a team's feed or one
// retro's file.
type Calendar struct {
	// Name is the calendar's name as a calendar app shows it.
	Name string
	// Stamp is when the file is made (every event's DTSTAMP).
	Stamp  time.Time
	Events []CalendarEvent
}

// CalendarEvent is one retro in a calendar.
type CalendarEvent struct {
	// UID is stable across every rendering of the same retro, before and
	// after it is created, so calendar apps update it rather than add
	// another.
	UID      string
	Title    string
	Start    time.Time
	Duration time.Duration
	// Tentative marks an occurrence whose retro is not created yet.
	Tentative   bool
	Description string
}

// WriteCalendar renders c as an iCalendar file. Times are in UTC, so no
// VTIMEZONE is needed; the library folds lines at 75 octets and escapes
// text values. Control characters (a carriage return among them, which
// the escaping does not cover) are dropped from text first.
func WriteCalendar(w io.Writer, c Calendar) error {
	cal := ics.NewCalendarFor("Hindsight")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(icsText(c.Name))
	cal.SetXWRCalName(icsText(c.Name))
	// Calendar apps polling the feed: once an hour is enough for retros
	// created days ahead.
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	for _, e := range c.Events {
		ev := cal.AddEvent(e.UID)
		ev.SetDtStampTime(c.Stamp)
		ev.SetStartAt(e.Start)
		ev.SetEndAt(e.Start.Add(e.Duration))
		ev.SetSummary(icsText(e.Title))
		if e.Description != "" {
			ev.SetDescription(icsText(e.Description))
		}
		if e.Tentative {
			ev.SetStatus(ics.ObjectStatusTentative)
		} else {
			ev.SetStatus(ics.ObjectStatusConfirmed)
		}
	}
	// RFC 5545 ends lines with CRLF; the library writes LF unless told.
	if err := cal.SerializeTo(w, ics.WithNewLine("\r\n")); err != nil {
		return fmt.Errorf("documents: calendar %q: %w", c.Name, err)
	}
	return nil
}

// icsText keeps line breaks (escaped by the library as \n) and drops
// every other control character.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
