package summarize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDraft(t *testing.T) {
	long := strings.Repeat("The router light blinks red after the storm and the broadband line drops. ", 20)
	for _, tc := range []struct {
		name  string
		lines []Line
		want  string
	}{
		{"Chinese: the reason and the outcome",
			[]Line{
				{false, "你好"},
				{false, "我的订单已经一周了还没到，订单号是 DL-2231。快递查不到物流信息。"},
				{true, "您好，请稍等，我帮您查一下。"},
				{true, "查到了，您的订单因仓库爆仓延迟发货，物流信息明天更新。"},
				{false, "好的谢谢"},
				{true, "已为您加急处理订单，预计后天送达。"},
			},
			"客户：我的订单已经一周了还没到，订单号是 DL-2231。快递查不到物流信息。 坐席：查到了，您的订单因仓库爆仓延迟发货，物流信息明天更新。已为您加急处理订单，预计后天送达。"},
		{"English, greetings left out",
			[]Line{
				{false, "Hi there"},
				{false, "I was charged twice for my March bill. Can you refund the double charge?"},
				{true, "Thanks for waiting."},
				{true, "I can see the double charge on the March bill. The refund of the second charge is issued and arrives in 5 working days."},
			},
			"Customer: I was charged twice for my March bill. Can you refund the double charge? Agent: I can see the double charge on the March bill. The refund of the second charge is issued and arrives in 5 working days."},
		{"nothing of substance", []Line{{false, "hello"}, {true, "Hi, how can I help?"}, {false, "ok thanks"}}, ""},
		{"no lines: a call", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Draft(tc.lines)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("draft\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
	got, err := Draft([]Line{{false, long}, {true, long}})
	if err != nil || utf8.RuneCountInString(got) > MaxRunes {
		t.Fatalf("a long conversation drafts %d runes, more than %d (%v)", utf8.RuneCountInString(got), MaxRunes, err)
	}
}

func TestSplitSentences(t *testing.T) {
	got := splitSentences("Costs 7.5 yuan. Paid?Yes!\n第一句。第二句；第三句")
	want := []string{"Costs 7.5 yuan.", "Paid?", "Yes!", "第一句。", "第二句；", "第三句"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sentences %q, want %q", got, want)
	}
}
