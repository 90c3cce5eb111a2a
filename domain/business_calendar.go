package domain

import (
	"fmt"
	"sort"
	"time"
)

// OpeningHours is one stretch of business time in a day, in minutes after
// local midnight on the wall clock: 9:00 to 18:00 is {540, 1080}. Wall-clock
// minutes, not durations, so a day that gains or loses an hour to daylight
// saving still opens at 9:00.
type OpeningHours struct {
	Open  int `json:"open"`
	Close int `json:"close"`
}

// Calendar says when the business clock runs: opening hours per weekday in
// a time zone, minus holidays. SLA deadlines count only business time.
type Calendar struct {
	// Location is the calendar's time zone; nil means UTC. The caller loads
	// it (time.LoadLocation reads the system's zone database).
	Location *time.Location
	// Hours lists each weekday's opening hours; a weekday absent from the
	// map is closed. A nil map means open around the clock.
	Hours map[time.Weekday][]OpeningHours
	// Holidays are closed dates, "2006-01-02" in Location.
	Holidays map[string]bool
}

// maxCalendarDays bounds how far a deadline is searched for, so a calendar
// with no business time left cannot loop for ever.
const maxCalendarDays = 3660

// AlwaysOpen is the 24x7 calendar in UTC.
func AlwaysOpen() Calendar { return Calendar{} }

// Validate checks the opening hours: each stretch within the day, opening
// before closing, stretches of a day not overlapping, and at least one
// stretch in the week unless the calendar is 24x7.
func (c Calendar) Validate() error {
	if c.Hours == nil {
		return nil
	}
	open := false
	for day, hours := range c.Hours {
		sorted := sortedHours(hours)
		for i, h := range sorted {
			if h.Open < 0 || h.Close > 24*60 || h.Open >= h.Close {
				return invalid("%s: opening hours %d-%d must be within the day, opening before closing", day, h.Open, h.Close)
			}
			if i > 0 && h.Open < sorted[i-1].Close {
				return invalid("%s: opening hours overlap", day)
			}
			open = true
		}
	}
	if !open {
		return invalid("the calendar has no business hours in the week")
	}
	for date := range c.Holidays {
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			return invalid("holiday %q is not a date like 2006-01-02", date)
		}
	}
	return nil
}

// AddBusinessTime returns the instant at which d of business time has
// passed since start. A start outside business hours begins counting at the
// next opening.
func (c Calendar) AddBusinessTime(start time.Time, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, invalid("a business duration cannot be negative")
	}
	if c.Hours == nil && len(c.Holidays) == 0 {
		return start.Add(d), nil
	}
	remaining := d
	var found time.Time
	err := c.eachStretch(start, func(from, to time.Time) bool {
		span := to.Sub(from)
		if span >= remaining {
			found = from.Add(remaining)
			return false
		}
		remaining -= span
		return true
	})
	if err != nil {
		return time.Time{}, err
	}
	return found, nil
}

// BusinessTimeBetween returns how much business time lies in [from, to).
func (c Calendar) BusinessTimeBetween(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if c.Hours == nil && len(c.Holidays) == 0 {
		return to.Sub(from)
	}
	var total time.Duration
	_ = c.eachStretch(from, func(a, b time.Time) bool {
		if !a.Before(to) {
			return false
		}
		total += minTime(b, to).Sub(a)
		return b.Before(to)
	})
	return total
}

// eachStretch calls visit with the business stretches from start on, in
// order, each clipped to begin no earlier than start, until visit returns
// false. It fails when no stretch is found within maxCalendarDays.
func (c Calendar) eachStretch(start time.Time, visit func(from, to time.Time) bool) error {
	loc := c.location()
	local := start.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	for range maxCalendarDays {
		for _, h := range c.dayHours(day) {
			from := time.Date(day.Year(), day.Month(), day.Day(), 0, h.Open, 0, 0, loc)
			to := time.Date(day.Year(), day.Month(), day.Day(), 0, h.Close, 0, 0, loc)
			if !to.After(start) {
				continue
			}
			if !visit(maxTime(from, start), to) {
				return nil
			}
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
	}
	return fmt.Errorf("no business time within %d days of %s", maxCalendarDays, start.Format(time.RFC3339))
}

// dayHours returns the day's opening hours in order; none on a holiday.
func (c Calendar) dayHours(day time.Time) []OpeningHours {
	if c.Holidays[day.Format(time.DateOnly)] {
		return nil
	}
	if c.Hours == nil {
		return []OpeningHours{{Open: 0, Close: 24 * 60}}
	}
	return sortedHours(c.Hours[day.Weekday()])
}

func (c Calendar) location() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

func sortedHours(hours []OpeningHours) []OpeningHours {
	out := append([]OpeningHours(nil), hours...)
	sort.Slice(out, func(i, j int) bool { return out[i].Open < out[j].Open })
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
