package qa

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func TestScoreConversations(t *testing.T) {
	scorer := NewScorer(config.DefaultScorecards())
	type want struct {
		card    string
		score   int
		results map[string]domain.QaResult
		// evidence: criterion -> message id of its first evidence
		evidence map[string]string
	}
	tests := []struct {
		name string
		t    domain.QaTranscript
		want []want
	}{
		{
			name: "english chat, polite and quick, customer ends happy",
			t: domain.QaTranscript{
				InteractionID: "i-en", Channel: domain.ChannelWebchat, Queue: "general", AgentID: "a1",
				StartedAt: at(0), ArrivedAt: at(0), ClosedAt: at(900), Disposition: domain.DispositionResolved,
				Messages: []domain.QaMessage{
					{ID: "c1", At: at(0), Text: "My bill is wrong and I'm really disappointed."},
					{ID: "a1", FromAgent: true, At: at(40), Text: "Hello! Thank you for contacting us, let me look."},
					{ID: "c2", At: at(120), Text: "It is order 2026-1187."},
					{ID: "a2", FromAgent: true, At: at(300), Text: "I have refunded the difference. Thanks for your patience."},
					{ID: "c3", At: at(400), Text: "Great, thank you, that was helpful."},
				},
			},
			want: []want{{card: "written", score: 10000,
				results:  map[string]domain.QaResult{"greeting": domain.QaPass, "compliance": domain.QaPass, "forbidden": domain.QaPass, "first_response": domain.QaPass, "next_response": domain.QaPass, "sentiment": domain.QaPass, "resolution": domain.QaPass},
				evidence: map[string]string{"greeting": "a1", "compliance": "a1", "first_response": "a1", "next_response": "a2", "sentiment": "c1"},
			}},
		},
		{
			name: "chinese wechat, rude agent, slow, customer stays angry",
			t: domain.QaTranscript{
				InteractionID: "i-zh", Channel: domain.ChannelWeChat, Queue: "general", AgentID: "a2",
				StartedAt: at(0), ArrivedAt: at(0), ClosedAt: at(3000), Disposition: domain.DispositionFollowUp,
				Messages: []domain.QaMessage{
					{ID: "c1", At: at(0), Text: "宽带又断了，你们的服务太差了！"},
					{ID: "a1", FromAgent: true, At: at(600), Text: "这不关我的事，你找别人吧。"},
					{ID: "c2", At: at(700), Text: "我要投诉，非常失望"},
					{ID: "a2", FromAgent: true, At: at(2000), Text: "已记录"},
					{ID: "c3", At: at(2100), Text: "我对处理结果很不满意"},
				},
			},
			want: []want{{card: "written", score: 0,
				results:  map[string]domain.QaResult{"greeting": domain.QaFail, "compliance": domain.QaFail, "forbidden": domain.QaFail, "first_response": domain.QaFail, "next_response": domain.QaFail, "sentiment": domain.QaFail, "resolution": domain.QaFail},
				evidence: map[string]string{"greeting": "a1", "forbidden": "a1", "first_response": "a1", "next_response": "a2", "sentiment": "c1"},
			}},
		},
		{
			name: "chinese chat, greeting and thanks, customer calms down",
			t: domain.QaTranscript{
				InteractionID: "i-zh2", Channel: domain.ChannelApp, Queue: "billing", AgentID: "a3",
				StartedAt: at(0), ArrivedAt: at(0), ClosedAt: at(1200), Disposition: domain.DispositionResolved,
				Messages: []domain.QaMessage{
					{ID: "c1", At: at(0), Text: "我的账单有问题，很生气"},
					{ID: "a1", FromAgent: true, At: at(30), Text: "您好，非常抱歉，我马上为您查询。"},
					{ID: "a2", FromAgent: true, At: at(200), Text: "已经为您退款，感谢您的耐心等待。"},
					{ID: "c2", At: at(300), Text: "好的，谢谢，很满意"},
				},
			},
			want: []want{{card: "written", score: 10000,
				results:  map[string]domain.QaResult{"greeting": domain.QaPass, "compliance": domain.QaPass, "forbidden": domain.QaPass, "first_response": domain.QaPass, "next_response": domain.QaNA, "sentiment": domain.QaPass, "resolution": domain.QaPass},
				evidence: map[string]string{"greeting": "a1", "compliance": "a2", "first_response": "a1", "sentiment": "c1"},
			}},
		},
		{
			name: "phone call answered late but resolved",
			t: domain.QaTranscript{
				InteractionID: "i-ph", Channel: domain.ChannelPhone, Queue: "general", AgentID: "a4",
				StartedAt: at(0), ArrivedAt: at(2), AnsweredAt: at(40), ClosedAt: at(600), Disposition: domain.DispositionResolved,
			},
			want: []want{{card: "voice", score: 5000,
				results: map[string]domain.QaResult{"answer_time": domain.QaFail, "resolution": domain.QaPass},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := scorer.Score(tc.t, "Team A")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d verdicts, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.ScorecardID != w.card || g.Score != w.score || g.Team != "Team A" || g.AgentID != tc.t.AgentID {
					t.Errorf("verdict %s score %d team %q agent %q, want %s score %d", g.ScorecardID, g.Score, g.Team, g.AgentID, w.card, w.score)
				}
				for _, r := range g.Results {
					if want, ok := w.results[r.CriterionID]; ok && r.Result != want {
						t.Errorf("%s: %s, want %s (evidence %+v)", r.CriterionID, r.Result, want, r.Evidence)
					}
					if want, ok := w.evidence[r.CriterionID]; ok && (len(r.Evidence) == 0 || r.Evidence[0].MessageID != want) {
						t.Errorf("%s: evidence %+v, want message %s", r.CriterionID, r.Evidence, want)
					}
				}
				if len(g.Results) != len(w.results) {
					t.Errorf("%d results, want %d", len(g.Results), len(w.results))
				}
			}
		})
	}
}
