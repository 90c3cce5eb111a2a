package graphql

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// TestOverrideQaCriterionMutation: a supervisor corrects a criterion, the
// score follows, repeating it changes nothing, and unknown criteria and
// other roles are refused with their codes.
func TestOverrideQaCriterionMutation(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	scored := domain.QaScored{
		InteractionID: f.interactionID, ScorecardID: "standard", Channel: domain.ChannelWebchat,
		ClosedAt: time.Now().UTC(),
		Results: []domain.QaCriterionResult{
			{CriterionID: "greeting", Result: domain.QaFail, Weight: 1},
			{CriterionID: "resolution", Result: domain.QaPass, Weight: 1},
		},
	}
	if _, err := e.cmds.RecordQaScore(e.ctx, f.interactionID, domain.RecordQaScore{Scored: scored}, commands.Meta{Actor: "system:qa"}); err != nil {
		t.Fatal(err)
	}
	q := `mutation($i: ID!, $c: String!) { overrideQaCriterion(interactionId: $i, scorecard: "standard", criterion: $c, result: PASS, reason: "greeted by voice") { interactionId scorecard score position } }`
	var got struct {
		OverrideQaCriterion struct {
			InteractionID, Scorecard string
			Score                    int
			Position                 int64
		}
	}
	vars := map[string]any{"i": f.interactionID, "c": "greeting"}
	e.post(e.token(auth.RoleSupervisor, "sup1"), q, vars).ok(t).decode(t, &got)
	if o := got.OverrideQaCriterion; o.Score != domain.QaMaxScore || o.Position == 0 || o.Scorecard != "standard" || o.InteractionID != f.interactionID {
		t.Fatalf("override %+v, want score %d and a position", o, domain.QaMaxScore)
	}
	review, err := e.cmds.LoadQaReview(e.ctx, f.interactionID)
	if err != nil || !review.Scorecards["standard"].Results[0].Overridden {
		t.Fatalf("review after override %+v, %v", review, err)
	}

	e.post(e.token(auth.RoleSupervisor, "sup1"), q, vars).ok(t).decode(t, &got)
	if o := got.OverrideQaCriterion; o.Position != 0 || o.Score != domain.QaMaxScore {
		t.Fatalf("repeated override %+v, want no write", o)
	}
	for _, c := range []struct {
		role      auth.Role
		criterion string
		code      string
	}{
		{auth.RoleSupervisor, "no-such-criterion", apierror.CodeNotFound},
		{auth.RoleAgent, "greeting", apierror.CodeForbidden},
		{auth.RoleAnalyst, "greeting", apierror.CodeForbidden},
		{auth.RoleAuditor, "greeting", apierror.CodeForbidden},
	} {
		r := e.post(e.token(c.role, "x1"), q, map[string]any{"i": f.interactionID, "c": c.criterion})
		if codes := r.codes(); len(codes) != 1 || codes[0] != c.code {
			t.Errorf("%s on %q: codes %v, want %s", c.role, c.criterion, codes, c.code)
		}
	}
}
