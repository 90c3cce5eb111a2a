package domain

import (
	"slices"
	"strings"
	"time"
)

// QA review: every closed interaction is scored against configurable
// scorecards (see qa_rules.go for the rules); supervisors may override a
// criterion's result with a reason. Reviews live in their own stream,
// qa-<interaction id>, because an interaction's stream takes no commands
// once it is closed, and because scoring is a later judgement about the
// conversation, not part of it.

// CategoryQa holds QA reviews, one stream per interaction.
const CategoryQa = "qa"

// QaStream names the QA review stream of an interaction.
func QaStream(interactionID string) string { return CategoryQa + "-" + interactionID }

// QaResult is a criterion's outcome.
type QaResult string

// Criterion outcomes. NA criteria do not count toward the score.
const (
	QaPass QaResult = "PASS"
	QaFail QaResult = "FAIL"
	QaNA   QaResult = "NA"
)

// Valid reports whether r is a known outcome.
func (r QaResult) Valid() bool { return r == QaPass || r == QaFail || r == QaNA }

// QaEvidence says what a criterion's outcome rests on: which message
// matched (or broke) the rule and what in it. It never copies message text:
// the message id points into the interaction's stream, where the text
// stays under the ledger's protection of personal data.
type QaEvidence struct {
	MessageID string  `json:"messageId,omitempty"`
	Phrase    string  `json:"phrase,omitempty"`
	Seconds   float64 `json:"seconds,omitempty"`
	Sentiment float64 `json:"sentiment,omitempty"`
	Note      string  `json:"note,omitempty"`
}

// QaCriterionResult is one criterion's outcome on one interaction.
type QaCriterionResult struct {
	CriterionID string       `json:"criterionId"`
	Kind        QaRuleKind   `json:"kind"`
	Weight      int          `json:"weight"`
	Result      QaResult     `json:"result"`
	Evidence    []QaEvidence `json:"evidence,omitempty"`
	// Overridden is set once a supervisor changed the result.
	Overridden bool `json:"overridden,omitempty"`
}

// QaMaxScore is a perfect score: scores are hundredths of a percent, so
// that they are exact integers wherever they are summed.
const QaMaxScore = 10000

// QaScore is the weighted share of applicable criteria that passed, in
// hundredths of a percent (rounded half up); QaMaxScore when no criterion
// applies.
func QaScore(results []QaCriterionResult) int {
	applicable, passed := 0, 0
	for _, r := range results {
		if r.Result == QaNA {
			continue
		}
		applicable += r.Weight
		if r.Result == QaPass {
			passed += r.Weight
		}
	}
	if applicable == 0 {
		return QaMaxScore
	}
	return (2*passed*QaMaxScore + applicable) / (2 * applicable)
}

// QA events.
type (
	// QaScored is a scorecard's verdict on a closed interaction. The
	// interaction's dimensions (agent, team, channel, queue, close time)
	// are copied in as they were when it closed, so reports need no join
	// with agent history.
	QaScored struct {
		InteractionID string              `json:"interactionId"`
		ScorecardID   string              `json:"scorecardId"`
		AgentID       string              `json:"agentId,omitempty"`
		Team          string              `json:"team,omitempty"`
		Channel       Channel             `json:"channel"`
		Queue         string              `json:"queue,omitempty"`
		ClosedAt      time.Time           `json:"closedAt"`
		Score         int                 `json:"score"`
		Results       []QaCriterionResult `json:"results"`
		At            time.Time           `json:"at"`
	}
	// QaOverridden is a supervisor's correction of one criterion.
	QaOverridden struct {
		InteractionID string    `json:"interactionId"`
		ScorecardID   string    `json:"scorecardId"`
		CriterionID   string    `json:"criterionId"`
		From          QaResult  `json:"from"`
		To            QaResult  `json:"to"`
		Reason        string    `json:"reason"`
		SupervisorID  string    `json:"supervisorId"`
		Score         int       `json:"score"` // the scorecard's score after the override
		At            time.Time `json:"at"`
	}
)

// EventType implements Event.
func (QaScored) EventType() string { return "QaScored" }

// EventType implements Event.
func (QaOverridden) EventType() string { return "QaOverridden" }

func init() {
	register[QaScored]()
	register[QaOverridden]()
}

// QaReview is the QA state of one interaction, folded from qa-<id>: the
// latest results of every scorecard that scored it.
type QaReview struct {
	InteractionID string
	Scorecards    map[string]QaScored
}

// QaCommand is a request to change a QA review.
type QaCommand interface{ qaCommand() }

// QA commands.
type (
	// RecordQaScore records a scorecard's verdict; recording a scorecard
	// that already scored the interaction changes nothing (the policy may
	// see an interaction close twice after a restart).
	RecordQaScore struct{ Scored QaScored }
	// OverrideQaCriterion changes one criterion's result.
	OverrideQaCriterion struct {
		ScorecardID  string
		CriterionID  string
		Result       QaResult
		Reason       string
		SupervisorID string
	}
)

func (RecordQaScore) qaCommand()       {}
func (OverrideQaCriterion) qaCommand() {}

// DecideQaReview decides which events a command produces on review r.
func DecideQaReview(r QaReview, cmd QaCommand, now time.Time) ([]Event, error) {
	switch cmd := cmd.(type) {
	case RecordQaScore:
		return decideRecordQaScore(r, cmd.Scored, now)
	case OverrideQaCriterion:
		return decideQaOverride(r, cmd, now)
	default:
		return nil, invalid("unknown QA command %T", cmd)
	}
}

func decideRecordQaScore(r QaReview, s QaScored, now time.Time) ([]Event, error) {
	if s.InteractionID == "" || s.ScorecardID == "" {
		return nil, invalid("a QA score needs an interaction and a scorecard")
	}
	if err := sameID("interaction", r.InteractionID, s.InteractionID); err != nil {
		return nil, err
	}
	if _, done := r.Scorecards[s.ScorecardID]; done {
		return nil, nil
	}
	for _, res := range s.Results {
		if !res.Result.Valid() || res.Weight < 0 {
			return nil, invalid("criterion %q: result %q, weight %d", res.CriterionID, res.Result, res.Weight)
		}
	}
	s.Results = slices.Clone(s.Results)
	s.Score = QaScore(s.Results)
	s.At = now
	return []Event{s}, nil
}

func decideQaOverride(r QaReview, cmd OverrideQaCriterion, now time.Time) ([]Event, error) {
	scored, ok := r.Scorecards[cmd.ScorecardID]
	if !ok {
		return nil, notFound("interaction %s was not scored with scorecard %q", r.InteractionID, cmd.ScorecardID)
	}
	i := slices.IndexFunc(scored.Results, func(c QaCriterionResult) bool { return c.CriterionID == cmd.CriterionID })
	if i < 0 {
		return nil, notFound("scorecard %q has no criterion %q", cmd.ScorecardID, cmd.CriterionID)
	}
	if !cmd.Result.Valid() {
		return nil, invalid("unknown QA result %q", cmd.Result)
	}
	reason, err := cleanText(cmd.Reason, "reason", 4096, false)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cmd.SupervisorID) == "" {
		return nil, invalid("an override needs the supervisor who makes it")
	}
	from := scored.Results[i].Result
	if from == cmd.Result {
		return nil, nil
	}
	results := slices.Clone(scored.Results)
	results[i].Result, results[i].Overridden = cmd.Result, true
	return []Event{QaOverridden{
		InteractionID: r.InteractionID, ScorecardID: cmd.ScorecardID, CriterionID: cmd.CriterionID,
		From: from, To: cmd.Result, Reason: reason, SupervisorID: cmd.SupervisorID,
		Score: QaScore(results), At: now,
	}}, nil
}

// EvolveQaReview folds one event into the review.
func EvolveQaReview(r QaReview, e Event) QaReview {
	switch e := e.(type) {
	case QaScored:
		r.InteractionID = e.InteractionID
		cards := cloneMap(r.Scorecards)
		cards[e.ScorecardID] = e
		r.Scorecards = cards
	case QaOverridden:
		scored, ok := r.Scorecards[e.ScorecardID]
		if !ok {
			return r
		}
		scored.Results = ApplyQaOverride(scored.Results, e)
		scored.Score = e.Score
		cards := cloneMap(r.Scorecards)
		cards[e.ScorecardID] = scored
		r.Scorecards = cards
	}
	return r
}

// ApplyQaOverride returns results with the override applied (a copy).
func ApplyQaOverride(results []QaCriterionResult, e QaOverridden) []QaCriterionResult {
	out := slices.Clone(results)
	for i := range out {
		if out[i].CriterionID == e.CriterionID {
			out[i].Result, out[i].Overridden = e.To, true
		}
	}
	return out
}
