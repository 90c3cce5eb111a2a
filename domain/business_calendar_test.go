package domain_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zone files

	"github.com/interactionledger/ledger/domain"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// officeHours is Monday to Friday 9:00-12:00 and 13:00-18:00 (a lunch
// break), closed at weekends.
func officeHours(loc *time.Location, holidays ...string) domain.Calendar {
	day := []domain.OpeningHours{{Open: 9 * 60, Close: 12 * 60}, {Open: 13 * 60, Close: 18 * 60}}
	hours := map[time.Weekday][]domain.OpeningHours{}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		hours[wd] = day
	}
	h := map[string]bool{}
	for _, d := range holidays {
		h[d] = true
	}
	return domain.Calendar{Location: loc, Hours: hours, Holidays: h}
}

func TestAddBusinessTime(t *testing.T) {
	shanghai := mustZone(t, "Asia/Shanghai")
	newYork := mustZone(t, "America/New_York")
	local := func(loc *time.Location, s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name  string
		cal   domain.Calendar
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"24x7 is plain addition", domain.AlwaysOpen(), local(time.UTC, "2026-05-01 23:30"), 2 * time.Hour, local(time.UTC, "2026-05-02 01:30")},
		{"within the morning", officeHours(shanghai), local(shanghai, "2026-05-06 09:30"), 2 * time.Hour, local(shanghai, "2026-05-06 11:30")},
		{"over the lunch break", officeHours(shanghai), local(shanghai, "2026-05-06 11:00"), 2 * time.Hour, local(shanghai, "2026-05-06 14:00")},
		{"into the next day", officeHours(shanghai), local(shanghai, "2026-05-06 17:00"), 2 * time.Hour, local(shanghai, "2026-05-07 10:00")},
		{"over the weekend", officeHours(shanghai), local(shanghai, "2026-05-08 17:30"), time.Hour, local(shanghai, "2026-05-11 09:30")},
		{"starting at night counts from the opening", officeHours(shanghai), local(shanghai, "2026-05-06 22:00"), 30 * time.Minute, local(shanghai, "2026-05-07 09:30")},
		{"starting on Saturday", officeHours(shanghai), local(shanghai, "2026-05-09 10:00"), 0, local(shanghai, "2026-05-11 09:00")},
		{"a holiday is skipped", officeHours(shanghai, "2026-10-01", "2026-10-02"), local(shanghai, "2026-09-30 17:00"), 2 * time.Hour, local(shanghai, "2026-10-05 10:00")},
		{"exactly at closing time", officeHours(shanghai), local(shanghai, "2026-05-06 17:00"), time.Hour, local(shanghai, "2026-05-06 18:00")},
		{"instants in another zone are converted", officeHours(shanghai), local(time.UTC, "2026-05-06 01:00"), time.Hour, local(shanghai, "2026-05-06 10:00")},
		{"a daylight-saving morning still opens at 9:00", officeHours(newYork), local(newYork, "2026-03-06 17:00"), 2 * time.Hour, local(newYork, "2026-03-09 10:00")},
		{"a five-day target", officeHours(shanghai), local(shanghai, "2026-05-06 09:00"), 5 * 8 * time.Hour, local(shanghai, "2026-05-12 18:00")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.cal.AddBusinessTime(tc.start, tc.d)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tc.want) {
				t.Fatalf("AddBusinessTime(%s, %s) = %s, want %s", tc.start, tc.d, got, tc.want)
			}
			if back := tc.cal.BusinessTimeBetween(tc.start, got); back != tc.d {
				t.Fatalf("BusinessTimeBetween(start, deadline) = %s, want %s", back, tc.d)
			}
		})
	}
}

func TestBusinessTimeBetween(t *testing.T) {
	shanghai := mustZone(t, "Asia/Shanghai")
	at := func(s string) time.Time {
		v, _ := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
		return v
	}
	cal := officeHours(shanghai, "2026-05-01")
	cases := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"reversed interval", at("2026-05-06 12:00"), at("2026-05-06 10:00"), 0},
		{"all night", at("2026-05-06 18:00"), at("2026-05-07 09:00"), 0},
		{"one whole day", at("2026-05-06 00:00"), at("2026-05-07 00:00"), 8 * time.Hour},
		{"a week", at("2026-05-04 00:00"), at("2026-05-11 00:00"), 40 * time.Hour},
		{"holiday Friday", at("2026-05-01 08:00"), at("2026-05-01 20:00"), 0},
		{"lunch excluded", at("2026-05-06 11:30"), at("2026-05-06 13:30"), time.Hour},
	}
	for _, tc := range cases {
		if got := cal.BusinessTimeBetween(tc.from, tc.to); got != tc.want {
			t.Errorf("%s: BusinessTimeBetween = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestCalendarValidate(t *testing.T) {
	bad := []domain.Calendar{
		{Hours: map[time.Weekday][]domain.OpeningHours{}},
		{Hours: map[time.Weekday][]domain.OpeningHours{time.Monday: {{Open: 600, Close: 540}}}},
		{Hours: map[time.Weekday][]domain.OpeningHours{time.Monday: {{Open: 540, Close: 25 * 60}}}},
		{Hours: map[time.Weekday][]domain.OpeningHours{time.Monday: {{Open: 540, Close: 720}, {Open: 700, Close: 800}}}},
		{Hours: map[time.Weekday][]domain.OpeningHours{time.Monday: {{Open: 540, Close: 720}}}, Holidays: map[string]bool{"1 May": true}},
	}
	for i, c := range bad {
		if domain.ErrorCode(c.Validate()) != domain.EINVALID {
			t.Errorf("calendar %d validated", i)
		}
	}
	if err := officeHours(time.UTC).Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := (domain.Calendar{Hours: map[time.Weekday][]domain.OpeningHours{}}).AddBusinessTime(time.Now(), time.Hour); err == nil {
		t.Fatal("a calendar without business hours produced a deadline")
	}
}
