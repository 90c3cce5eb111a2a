package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/browsertest"
	"github.com/interactionledger/ledger/ui/app"
)

// TestDesktopAnalystInBrowser: on a `ledger serve` with the analytics
// component (embedded back end) over demo traffic, an analyst signs in,
// runs channel volume (a line per channel over the days, an ECharts SVG
// with data) beside its table, downloads the table as CSV (a blob with a
// header row), runs service level (bars per channel), sees the customers
// masked exactly as the API returns them (never a real name), and cannot
// reach the agent workspace at /agent.
func TestDesktopAnalystInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	t.Setenv("LEDGER_JWT_SECRET", "") // the generated secret
	dir := demoLedger(t)
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"},
		&analyticsComponent{qa: true}, newGraphQLComponent())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.shutdown(10 * time.Second) })
	waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)
	head, _ := srv.store.HeadPosition(t.Context())
	waitMetric(t, "http://"+srv.adminAddr, "ledger_analytics_sink_position", float64(head))
	var names []string // the customers' real names, which the analyst must never see
	eventually(t, "the customers projected", func() bool {
		p, err := srv.readDB.Customers(t.Context(), "", 100, "")
		if err != nil || len(p.Customers) < 25 {
			return false
		}
		names = names[:0]
		for _, c := range p.Customers {
			names = append(names, c.DisplayName)
		}
		return true
	})
	addUser(t, dir, "ana", "analyst", testPassword)
	base := "http://" + srv.addr

	page.Do(chromedp.Navigate(base + "/signin"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	page.Do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem("ledger.locale", "en"); window.__old = 1`))
	page.Do(chromedp.Reload())
	waitAfterLoad(t, page, "the sign-in form in English", `!window.__old && document.querySelector("#signin-subject") && document.documentElement.lang === "en"`)
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#signin-subject"), "ana"),
		chromedp.SendKeys(chromedp.CSS("#signin-password"), testPassword),
	)
	clickJS(t, page, `form button[type="submit"]`)
	page.WaitJS("the analyst workspace", `location.pathname === "/analyst" && !!document.querySelector("#report-name")`, 15*time.Second)
	if browsertest.Eval[bool](page, `!!document.querySelector("#inbox-title")`) {
		t.Error("the analyst sees an inbox")
	}

	// Channel volume, per channel and day: lines over time beside the table.
	if got := browsertest.Eval[string](page, `document.querySelector("#report-name").value`); got != "channel_volume" {
		t.Fatalf("the first report is %q, want channel_volume", got)
	}
	clickJS(t, page, `.report-form button[type="submit"]`)
	waitChart(t, page, "line")
	rows := browsertest.Eval[int](page, `document.querySelectorAll(".report-table tbody tr").length`)
	if rows == 0 {
		t.Fatal("the channel volume table has no rows")
	}
	header := browsertest.Eval[[]string](page, `[...document.querySelectorAll(".report-table thead th")].map(th => th.dataset.column)`)
	if !slices.Contains(header, "channel") || !slices.Contains(header, "day") || !slices.Contains(header, "interactions") {
		t.Errorf("channel volume columns %v, want channel, day and interactions", header)
	}
	// Shown by their names in the catalogue, the values of enum columns too.
	labels := browsertest.Eval[[]string](page, `[...document.querySelectorAll(".report-table thead th")].map(th => th.textContent)`)
	if !slices.Contains(labels, "Channel") || !slices.Contains(labels, "Day") || !slices.Contains(labels, "Interactions") {
		t.Errorf("channel volume column labels %v, want Channel, Day and Interactions", labels)
	}
	if ci := slices.Index(header, "channel"); ci >= 0 {
		cells := browsertest.Eval[[]string](page, fmt.Sprintf(`[...document.querySelectorAll(".report-table tbody tr")].map(r => r.children[%d].textContent)`, ci))
		for _, c := range cells {
			if c != "" && c == strings.ToUpper(c) && c != "SMS" {
				t.Errorf("channel cell %q: want the channel's name, not its enum value", c)
			}
		}
	}

	// CSV of the table, generated in the browser: a blob URL with a header row.
	href := browsertest.Eval[string](page, `document.querySelector("a.csv").href`)
	file := browsertest.Eval[string](page, `document.querySelector("a.csv").getAttribute("download")`)
	if !strings.HasPrefix(href, "blob:") || !strings.HasPrefix(file, "channel_volume_") || !strings.HasSuffix(file, ".csv") {
		t.Errorf("CSV link %q named %q, want a blob URL and channel_volume_….csv", href, file)
	}
	csv := browsertest.Eval[string](page, `fetch(document.querySelector("a.csv").href).then(r => r.text())`)
	lines := strings.Split(strings.TrimRight(csv, "\r\n"), "\r\n")
	if lines[0] != strings.Join(header, ",") || len(lines) != rows+1 {
		t.Errorf("CSV header %q and %d lines, want %q and %d lines", lines[0], len(lines), strings.Join(header, ","), rows+1)
	}
	page.AssertAccessible("analyst workspace with a line chart")
	page.Screenshot("docs/screenshots/desktop-analyst.png")

	// Service level per channel: a rate per channel reads as bars.
	page.Do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#report-name"); s.value = "service_level"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	page.WaitJS("service level chosen", `!document.querySelector(".report-result") && [...document.querySelectorAll('input[name="groupBy"]')].some(i => i.value === "channel" && i.checked)`, 10*time.Second)
	clickJS(t, page, `.report-form button[type="submit"]`)
	waitChart(t, page, "bar")
	if m := browsertest.Eval[string](page, `document.querySelector("#report-measure").value`); m != "service_level" {
		t.Errorf("the service level chart shows %q, want service_level", m)
	}
	page.AssertAccessible("analyst workspace with a bar chart")

	// Its option, with its default: a value out of range is refused in a
	// sentence before anything runs; one threshold for every channel runs.
	option := `document.querySelector("#report-option-threshold_seconds")`
	if got := browsertest.Eval[string](page, option+`?.value ?? "missing"`); got != "0" {
		t.Errorf("threshold_seconds field %q, want its default 0", got)
	}
	if help := browsertest.Eval[string](page, `document.querySelector("#report-option-threshold_seconds-help")?.textContent ?? ""`); !strings.Contains(help, "default 0") {
		t.Errorf("threshold_seconds help %q, want its default", help)
	}
	setOption := func(v string) {
		t.Helper()
		page.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const i = %s; i.value = %q; i.dispatchEvent(new Event("input", {bubbles: true})); })()`, option, v)))
		page.WaitJS("the option typed", fmt.Sprintf(`%s.value === %q`, option, v), 10*time.Second)
	}
	setOption("-5")
	page.Do(chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector(".report-form"); f.noValidate = true; f.querySelector('button[type="submit"]').click(); })()`))
	page.WaitJS("the bad option as a sentence", `[...document.querySelectorAll('.report-form [role="alert"]')].some(e => e.textContent.includes("Answer threshold"))`, 10*time.Second)
	setOption("20")
	page.Do(chromedp.Evaluate[chromedp.Void](`document.querySelector('.report-form button[type="submit"]').click()`))
	page.WaitJS("the report with the option", `!document.querySelector('.report-form [role="alert"]') && document.querySelectorAll(".report-table tbody tr").length > 0`, 20*time.Second)

	// Customers as the API masks them for analysts: the mask, never the name.
	page.WaitJS("the customers", `document.querySelectorAll(".customer-table tbody tr").length > 0`, 10*time.Second)
	shown := browsertest.Eval[[]string](page, `[...document.querySelectorAll(".customer-table .customer-name")].map(td => td.textContent)`)
	for _, s := range shown {
		if !strings.HasSuffix(s, "***") {
			t.Errorf("customer shown as %q, want a mask like W***", s)
		}
	}
	text := browsertest.Eval[string](page, `document.body.innerText`)
	for _, n := range names {
		if len([]rune(n)) > 1 && strings.Contains(text, n) {
			t.Errorf("the analyst's page shows the customer name %q", n)
		}
	}
	ids := browsertest.Eval[string](page, `document.querySelector(".customer-table .customer-ids").textContent`)
	if !strings.Contains(ids, "*") {
		t.Errorf("handles shown as %q, want them masked", ids)
	}

	// No agent workspace: /agent sends the analyst back to /analyst.
	page.Do(chromedp.Navigate(base + "/agent"))
	waitAfterLoad(t, page, "back at the analyst workspace", `location.pathname === "/analyst" && !!document.querySelector("#report-name")`)
	if browsertest.Eval[bool](page, `!!document.querySelector("#inbox-title") || !!document.querySelector(".presence")`) {
		t.Error("at /agent the analyst sees the agent workspace")
	}
	for _, m := range page.Console() {
		if m.IsException() {
			t.Errorf("uncaught exception in the page: %s", m.String())
		}
	}
}

// slaClock starts a clock on a subject and checks it at once, recording
// the warning or breach already due, as the SLA policy does.
func slaClock(t *testing.T, h *apiHarness, subjectID string, start domain.StartSla) {
	t.Helper()
	meta := commands.Meta{Actor: "system:sla"}
	if _, _, err := h.cmds.Sla(t.Context(), subjectID, meta, start); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.cmds.Sla(t.Context(), subjectID, meta, domain.CheckSla{}); err != nil {
		t.Fatal(err)
	}
}

// waitChart waits for the report's ECharts SVG: the kind asked for, data
// points, a non-zero size and drawn series.
func waitChart(t *testing.T, page *browsertest.Page, kind string) {
	t.Helper()
	page.WaitJS(kind+" chart", fmt.Sprintf(`(() => {
		const c = document.querySelector(".report-canvas");
		const svg = c && c.querySelector("svg");
		return !!svg && c.dataset.kind === %q && Number(c.dataset.points) > 0 && svg.getBoundingClientRect().width > 0 && svg.getBoundingClientRect().height > 0 && svg.querySelectorAll("path").length > 2;
	})()`, kind), 20*time.Second)
	var box struct{ W, H float64 }
	raw := browsertest.Eval[string](page, `JSON.stringify((r => ({W: r.width, H: r.height}))(document.querySelector(".report-canvas svg").getBoundingClientRect()))`)
	if err := json.Unmarshal([]byte(raw), &box); err != nil || box.W < 100 || box.H < 100 {
		t.Errorf("%s chart is %s, want a visible size", kind, raw)
	}
}

// TestDesktopSupervisorInBrowser: a supervisor sets another agent's
// presence from the wallboard (recorded in the ledger, shown in the row),
// sees a change made elsewhere arrive live, and reassigns an open ticket
// from the page, then corrects a criterion of a QA scorecard (a
// QaOverridden in the ledger, the new score on the page).
func TestDesktopSupervisorInBrowser(t *testing.T) {
	if !app.Built() {
		browsertest.Unavailable(t, "the desktop is not built into this binary: run make ui-app")
	}
	page := browsertest.Start(t)
	h := startAPI(t)
	f := h.seed("a-001", "a-002")
	addUser(t, h.dir, "sup", "supervisor", testPassword)
	base := "http://" + h.srv.addr
	page.Do(chromedp.Navigate(base + "/signin"))
	waitAfterLoad(t, page, "the sign-in form", `!!document.querySelector("#signin-subject")`)
	page.Do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem("ledger.locale", "en"); window.__old = 1`))
	page.Do(chromedp.Reload())
	waitAfterLoad(t, page, "the sign-in form in English", `!window.__old && document.querySelector("#signin-subject") && document.documentElement.lang === "en"`)
	page.Do(
		chromedp.SendKeys(chromedp.CSS("#signin-subject"), "sup"),
		chromedp.SendKeys(chromedp.CSS("#signin-password"), testPassword),
	)
	clickJS(t, page, `form button[type="submit"]`)
	page.WaitJS("the wallboard's agents", `location.pathname === "/supervisor" && !!document.querySelector('tr[data-agent="a-001"] td[data-presence="OFFLINE"]')`, 15*time.Second)
	page.WaitJS("the live connection", `document.querySelector(".conn.live") !== null`, 10*time.Second)
	// Without analytics, today's service level says why it is missing.
	page.WaitJS("no service level, in a sentence", `document.querySelector("#wb-title").parentElement.textContent.includes("analytics component")`, 10*time.Second)

	// SLA alerts: none yet; then the ticket's resolution clock breaches and
	// the interaction's first-response clock warns, as the SLA policy
	// would record them, and both arrive live, the state in words.
	page.WaitJS("no SLA alerts, in a sentence", `document.querySelector("#sla-alerts-title").parentElement.textContent.includes("No SLA is breached or at risk")`, 10*time.Second)
	slaClock(t, h, f.ticketID, domain.StartSla{TicketID: f.ticketID, Metric: domain.SlaResolution, Policy: "std", Target: time.Nanosecond, Calendar: domain.AlwaysOpen()})
	slaClock(t, h, f.interactionID, domain.StartSla{InteractionID: f.interactionID, Metric: domain.SlaFirstResponse, Policy: "webchat",
		Target: time.Hour, WarnShare: 1e-9, Calendar: domain.AlwaysOpen()})
	ticketAlert := fmt.Sprintf(`.sup-sla tr[data-sla-alert=%q]`, f.ticketID)
	chatAlert := fmt.Sprintf(`.sup-sla tr[data-sla-alert=%q]`, f.interactionID)
	page.WaitJS("the ticket's breached clock, overdue in words", fmt.Sprintf(`(() => {
		const s = document.querySelector('%s [data-sla]');
		return !!s && s.dataset.sla === "over" && s.textContent.includes("Resolution overdue by");
	})()`, ticketAlert), 10*time.Second)
	page.WaitJS("the chat's clock at risk, in words, with its channel and customer", fmt.Sprintf(`(() => {
		const r = document.querySelector('%s'), s = r && r.querySelector('[data-sla]');
		return !!s && s.dataset.sla === "warn" && s.textContent.startsWith("At risk:") && r.textContent.includes("Web chat") && r.textContent.includes(%q);
	})()`, chatAlert, fixtureName), 10*time.Second)
	if got := browsertest.Eval[string](page, `[...document.querySelectorAll(".sup-sla tbody tr")].map(r => r.dataset.subjectKind).join(",")`); got != "TICKET,INTERACTION" {
		t.Errorf("SLA alerts in order %q, want the ticket's (earlier deadline) first", got)
	}
	if !browsertest.Eval[bool](page, fmt.Sprintf(`!!document.querySelector('%s #sla-assign-%s') && !!document.querySelector(".sup-sla caption")`, ticketAlert, f.ticketID)) {
		t.Error("the ticket's alert has no reassign control, or the table no caption")
	}

	// Set a-001 on a break, with a reason, from a-001's row.
	page.Do(
		chromedp.SetValue(chromedp.CSS(`#sup-presence-a-001`), "BREAK"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#sup-presence-a-001").dispatchEvent(new Event("change", {bubbles: true}))`),
		chromedp.SendKeys(chromedp.CSS(`#sup-reason-a-001`), "coaching"),
	)
	clickJS(t, page, `tr[data-agent="a-001"] button[type="submit"]`)
	page.WaitJS("a-001 on a break in the row", `!!document.querySelector('tr[data-agent="a-001"] td[data-presence="BREAK"]')`, 10*time.Second)
	eventually(t, "a-001 on a break in the ledger", func() bool {
		a, err := h.srv.readDB.Agent(t.Context(), "a-001")
		return err == nil && a.Presence == domain.PresenceBreak
	})
	if got := browsertest.Eval[string](page, `document.querySelector('tr[data-agent="a-002"] td[data-presence]').dataset.presence`); got != "OFFLINE" {
		t.Errorf("a-002 reads %s, want OFFLINE (untouched)", got)
	}

	// A change made elsewhere (the agent's own desktop) arrives live.
	page.Do(chromedp.Evaluate[chromedp.Void](`window.__noReload = 1`))
	if _, err := h.cmds.Agent(t.Context(), "a-002", domain.ChangePresence{Presence: domain.PresenceAvailable}, commands.Meta{Actor: "agent:a-002"}); err != nil {
		t.Fatal(err)
	}
	page.WaitJS("a-002 available, live", `!!document.querySelector('tr[data-agent="a-002"] td[data-presence="AVAILABLE"]') && window.__noReload === 1`, 10*time.Second)
	// The rows re-sort by presence; each keeps its own form.
	if got := browsertest.Eval[string](page, `document.querySelector("#sup-reason-a-002").value + "|" + document.querySelector('tr[data-agent="a-002"] select').id`); got != "|sup-presence-a-002" {
		t.Errorf("a-002's row form reads %q, want an empty reason and its own select", got)
	}

	// Reassign the open ticket to a-002.
	row := fmt.Sprintf(`.sup-tickets tr[data-ticket=%q]`, f.ticketID)
	page.WaitJS("the open ticket", fmt.Sprintf(`!!document.querySelector('%s')`, row), 10*time.Second)
	sel := fmt.Sprintf(`#sup-assign-%s`, f.ticketID)
	page.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = "a-002"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel)))
	clickJS(t, page, row+` button[type="submit"]`)
	page.WaitJS("assigned, in a sentence", `[...document.querySelectorAll('.sup-tickets [role="status"]')].some(e => e.textContent.includes("a-002"))`, 10*time.Second)
	eventually(t, "the ticket assigned to a-002 in the ledger", func() bool {
		tk, err := h.srv.readDB.Ticket(t.Context(), f.ticketID)
		return err == nil && tk.AssigneeID == "a-002"
	})
	// QA review: the scorecard of a scored interaction, one criterion overridden.
	scored := domain.QaScored{InteractionID: f.interactionID, ScorecardID: "standard", AgentID: "a-001", Channel: domain.ChannelWebchat,
		ClosedAt: time.Now().UTC(), Score: 5000, Results: []domain.QaCriterionResult{
			{CriterionID: "greeting", Kind: domain.QaGreeting, Weight: 1, Result: domain.QaFail},
			{CriterionID: "no-blame", Kind: domain.QaForbidden, Weight: 1, Result: domain.QaPass},
		}}
	if _, err := h.cmds.RecordQaScore(t.Context(), f.interactionID, domain.RecordQaScore{Scored: scored}, commands.Meta{Actor: "system:qa"}); err != nil {
		t.Fatal(err)
	}
	page.Do(chromedp.SendKeys(chromedp.CSS("#qa-interaction"), f.interactionID))
	clickJS(t, page, `#qa-title ~ form button[type="submit"]`)
	page.WaitJS("the scorecard", `document.querySelector('.qa-card[data-scorecard="standard"] .qa-score')?.dataset.score === "5000"`, 10*time.Second)
	clickJS(t, page, `tr[data-criterion="greeting"] button[type="submit"]`)
	page.WaitJS("the reason asked for, in a sentence", `[...document.querySelectorAll('tr[data-criterion="greeting"] [role="alert"]')].some(e => e.textContent.includes("reason"))`, 10*time.Second)
	page.Do(
		chromedp.SendKeys(chromedp.CSS(`#qa-reason-standard-greeting`), "greeted by voice"),
	)
	clickJS(t, page, `tr[data-criterion="greeting"] button[type="submit"]`)
	page.WaitJS("the corrected score", `document.querySelector('.qa-card .qa-score').dataset.score === "10000" && document.querySelector('tr[data-criterion="greeting"] td[data-result]').dataset.result === "PASS"`, 10*time.Second)
	if n := countEvents(t, h.srv, "QaOverridden"); n != 1 {
		t.Errorf("%d QaOverridden events, want 1", n)
	}
	page.AssertAccessible("supervisor workspace")
	// The screenshot shows the workspace from its top, the wallboard: the
	// QA review above has scrolled the page to its bottom.
	page.Do(chromedp.Evaluate[chromedp.Void](`document.activeElement?.blur(); window.scrollTo(0, 0)`))
	page.WaitJS("the page at its top", `window.scrollY === 0 && document.querySelector("#wb-title").getBoundingClientRect().top >= 0`, 10*time.Second)
	page.Screenshot("docs/screenshots/desktop-supervisor.png")
	for _, m := range page.Console() {
		if m.IsException() {
			t.Errorf("uncaught exception in the page: %s", m.String())
		}
	}
}
