package email

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestParseFixtures(t *testing.T) {
	fakePDF := append([]byte("%PDF-1.4\n% fake invoice for tests\n"), func() []byte {
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(i)
		}
		return b
	}()...)
	cases := []struct {
		file string
		want Message // fields compared: see below
		// textHas/textLacks check the text where it is long or converted.
		textHas, textLacks []string
	}{
		{file: "gb2312_base64.eml", want: Message{
			MessageID: "20250106100000.1234@mail.example.cn", From: "LiLei@Example.CN", FromName: "李雷",
			Subject: "关于订单的问题", Date: time.Date(2025, 1, 6, 2, 0, 0, 0, time.UTC),
			Text: "您好，我的订单还没有发货。\n请尽快处理，谢谢！",
		}},
		{file: "gbk_quoted_printable.eml", want: Message{
			MessageID: "gbk-qp-0001@example.cn", From: "wangjun@example.cn", FromName: "王珺",
			Subject: "退款申请（珺）", Date: time.Date(2025, 1, 7, 1, 30, 0, 0, time.UTC),
			Text: "我叫王珺，订单号 A123，商品有质量问题，申请退款。朱镕基、王堃都说好。",
		}},
		{file: "multipart_alternative.eml", want: Message{
			MessageID: "alt-0001@example.de", From: "hanna@example.de", FromName: "Hanna Schmidt",
			Subject: "Lieferung verspätet", Date: time.Date(2025, 1, 8, 7, 0, 0, 0, time.UTC),
			Text: "Hallo, meine Lieferung ist verspätet. Bestellnummer 4711.\nGrüße, Hanna",
		}},
		{file: "html_only_gb2312.eml", want: Message{
			MessageID: "html-only-0001@example.cn", From: "zhangsan@example.cn", Subject: "投诉",
			Date: time.Date(2025, 1, 9, 4, 0, 0, 0, time.UTC),
			Text: "客服您好：\n\n快递三天没有更新。\n订单 号：B-42\n\n- 第一\n- 第二\n\n查询 <https://example.cn/track>",
		}, textLacks: []string{"忽略", "alert", "color"}},
		{file: "attachments.eml", want: Message{
			MessageID: "attach-0001@example.cn", From: "lilei@example.cn", FromName: "Li Lei", Subject: "发票和截图",
			Date: time.Date(2025, 1, 10, 7, 0, 0, 0, time.UTC), Text: "附件是发票和截图。",
			Attachments: []domain.Attachment{
				{Name: "", ContentType: "image/png", Size: 70, SHA256: ""},
				{Name: "发票.pdf", ContentType: "application/pdf", Size: int64(len(fakePDF)), SHA256: sha(fakePDF)},
				{Name: "报告.txt", ContentType: "text/plain", Size: int64(len("report body")), SHA256: sha([]byte("report body"))},
			},
		}},
		{file: "reply_threaded.eml", want: Message{
			MessageID: "20250106180000.5678@mail.example.cn", From: "lilei@example.cn", FromName: "李雷",
			Subject: "回复: 关于订单的问题", Date: time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC), Text: "好的，谢谢。",
			InReplyTo:  "ledger.0f6a.not-ours@example.com",
			References: []string{"20250106100000.1234@mail.example.cn", "ledger.0f6a.not-ours@example.com"},
		}},
		{file: "big5.eml", want: Message{
			MessageID: "big5-0001@example.tw", From: "chen@example.tw", Subject: "訂單查詢", Text: "請問我的訂單何時出貨？",
		}},
		{file: "gb18030_8bit.eml", want: Message{
			MessageID: "gb18030-0001@example.cn", From: "zhao@example.cn", Subject: "gb18030 8bit", Text: "赵堃的包裹𠀀到了吗？",
		}},
		// An unknown label is guessed from the bytes, not shown encoded:
		// Windows-1252 when neither UTF-8 nor GB18030 reads them.
		{file: "unknown_charset.eml", want: Message{
			MessageID: "unknown-charset@example.com", From: "odd@example.com", Subject: "café", Text: "plain ascii survives",
		}},
		// Python's email.header writes GB2312 as eucgb2312_cn.
		{file: "python_charset_alias.eml", want: Message{
			MessageID: "python-alias-0001@example.cn", From: "zhangwei@example.cn", FromName: "张伟", Subject: "订单延迟了", Text: "您好，我的订单延迟一周了。",
		}},
		// An unknown label on GBK bytes: GB18030 reads them whole.
		{file: "guessed_charset.eml", want: Message{
			MessageID: "guessed-charset-0001@example.cn", From: "li@example.cn", Subject: "退款", Text: "请问退款什么时候到账？",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			m, err := Parse(readFixture(t, tc.file), Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			w := tc.want
			check := func(field string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			check("MessageID", m.MessageID, w.MessageID)
			check("Derived", m.Derived, false)
			check("From", m.From, w.From)
			check("FromName", m.FromName, w.FromName)
			check("Subject", m.Subject, w.Subject)
			check("Date", m.Date, w.Date)
			check("Text", m.Text, w.Text)
			check("InReplyTo", m.InReplyTo, w.InReplyTo)
			check("References", strings.Join(m.References, " "), strings.Join(w.References, " "))
			for _, s := range tc.textLacks {
				if strings.Contains(m.Text, s) {
					t.Errorf("Text %q contains %q", m.Text, s)
				}
			}
			if len(m.Attachments) != len(w.Attachments) {
				t.Fatalf("Attachments = %+v, want %d", m.Attachments, len(w.Attachments))
			}
			for i, a := range m.Attachments {
				wa := w.Attachments[i]
				if wa.SHA256 == "" {
					wa.SHA256 = a.SHA256 // inline image: checked for shape below
				}
				if a != wa {
					t.Errorf("attachment %d = %+v, want %+v", i, a, wa)
				}
				if len(a.SHA256) != 64 {
					t.Errorf("attachment %d hash %q is not hex SHA-256", i, a.SHA256)
				}
			}
		})
	}
}

func TestParseRefusesBrokenMIME(t *testing.T) {
	for _, file := range []string{"broken_boundary.eml", "unterminated_multipart.eml", "bad_base64.eml", "multipart_no_boundary.eml"} {
		t.Run(file, func(t *testing.T) {
			m, err := Parse(readFixture(t, file), Limits{})
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %+v, %v; want a *ParseError", m, err)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	nested := "Content-Type: multipart/mixed; boundary=b0\r\n\r\n"
	for i := 1; i <= 10; i++ {
		nested += "--b" + string(rune('0'+i-1)) + "\r\nContent-Type: multipart/mixed; boundary=b" + string(rune('0'+i)) + "\r\n\r\n"
	}
	cases := []struct {
		name string
		raw  string
		lim  Limits
	}{
		{"too many parts", "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
			strings.Repeat("--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n", 5) + "--x--\r\n", Limits{MaxParts: 3}},
		{"nested too deep", "From: a@example.com\r\n" + nested, Limits{MaxDepth: 4}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.raw), tc.lim)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse: %v, want a *ParseError", err)
			}
		})
	}
}

func TestParseCutsLongText(t *testing.T) {
	body := strings.Repeat("长文本。", 10000) // 120,000 bytes of UTF-8
	raw := "From: a@example.com\r\nMessage-ID: <long@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
	m, err := Parse([]byte(raw), Limits{MaxTextBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Truncated || len(m.Text) > 4096 || !strings.HasPrefix(m.Text, "长文本。长文本。") || !strings.Contains(m.Text, "[message cut to 4 KiB") {
		t.Errorf("Truncated=%v len=%d text ends %q", m.Truncated, len(m.Text), m.Text[max(0, len(m.Text)-80):])
	}
}

func TestDerivedMessageIDIsStable(t *testing.T) {
	raw := readFixture(t, "no_message_id.eml")
	m, err := Parse(raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Derived || !strings.HasSuffix(m.MessageID, "@"+derivedIDDomain) {
		t.Fatalf("MessageID = %q (derived %v), want one derived from the content", m.MessageID, m.Derived)
	}
	// A relay's retry adds trace fields and may use bare LF: same id.
	resent := append([]byte("Received: from relay2 by mx; Sun, 12 Jan 2025 00:00:00 +0000\r\n"), raw...)
	resent = []byte(strings.ReplaceAll(string(resent), "\r\n", "\n"))
	again, err := Parse(resent, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if again.MessageID != m.MessageID {
		t.Errorf("resent message got id %q, first delivery %q", again.MessageID, m.MessageID)
	}
	// Another body is another message.
	other, err := Parse([]byte(strings.Replace(string(raw), "A message", "Another message", 1)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if other.MessageID == m.MessageID {
		t.Errorf("different messages share the derived id %q", m.MessageID)
	}
}

func TestParseMsgIDs(t *testing.T) {
	cases := []struct {
		field string
		want  string
	}{
		{"<a@b>", "a@b"},
		{"  <a@b>  <c@d>\r\n <e@f>", "a@b c@d e@f"},
		{"<a@b> (Bob's message of Monday)", "a@b"},
		{`"Bob" <a@b>`, "a@b"},
		{"bare@id.example", "bare@id.example"},
		{"two bare ids", ""},
		{"<>", ""},
		{"<has space@b> <ok@b>", "ok@b"},
		{"<unterminated@b", ""},
		{"<no-at-sign>", "no-at-sign"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := strings.Join(parseMsgIDs(tc.field), " "); got != tc.want {
			t.Errorf("parseMsgIDs(%q) = %q, want %q", tc.field, got, tc.want)
		}
	}
}

func TestFromAddressFallbacks(t *testing.T) {
	cases := []struct {
		from, addr, name string
	}{
		{"plain@example.com", "plain@example.com", ""},
		{`"Zhang, San" <zs@example.cn>`, "zs@example.cn", "Zhang, San"},
		{"=?UTF-8?B?5byg5LiJ?= <zs@example.cn>", "zs@example.cn", "张三"},
		{"Zhang San [Sales] <zs@example.cn>", "zs@example.cn", "Zhang San [Sales]"}, // unquoted specials
		{`"` + strings.Repeat("名", 250) + `" <long@example.cn>`, "long@example.cn", strings.Repeat("名", 200)},
		{"", "", ""},
	}
	for _, tc := range cases {
		raw := "From: " + tc.from + "\r\nMessage-ID: <x@y>\r\n\r\nhi\r\n"
		m, err := Parse([]byte(raw), Limits{})
		if err != nil {
			t.Fatalf("%q: %v", tc.from, err)
		}
		if m.From != tc.addr || m.FromName != tc.name {
			t.Errorf("From %q: got %q %q, want %q %q", tc.from, m.From, m.FromName, tc.addr, tc.name)
		}
	}
}

// TestFilesHandsOverEveryPart: Files streams the decoded content of every
// part Parse describes, inline images included, in the same order, with
// the unnamed image named after its place and type; an error of the
// callback stops the walk and comes back as it is.
func TestFilesHandsOverEveryPart(t *testing.T) {
	raw := readFixture(t, "attachments.eml")
	m, err := Parse(raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	err = Files(raw, Limits{}, func(name string, content io.Reader) error {
		b, err := io.ReadAll(content)
		if err != nil {
			return err
		}
		a := m.Attachments[len(names)]
		if int64(len(b)) != a.Size || a.SHA256 != "" && sha(b) != a.SHA256 {
			t.Errorf("%s: %d bytes, want %d with hash %s", name, len(b), a.Size, a.SHA256)
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"part-1.png", "发票.pdf", "报告.txt"}; !slices.Equal(names, want) {
		t.Fatalf("files %q, want %q", names, want)
	}
	stop := errors.New("full")
	calls := 0
	if err := Files(raw, Limits{}, func(string, io.Reader) error { calls++; return stop }); err != stop || calls != 1 {
		t.Fatalf("err %v after %d calls, want the callback's error after 1", err, calls)
	}
}
