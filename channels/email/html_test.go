package email

import "testing"

func TestHTMLToText(t *testing.T) {
	cases := []struct {
		name, html, want string
	}{
		{"paragraphs and breaks", "<p>one</p><p>two<br>three</p>", "one\n\ntwo\nthree"},
		{"whitespace collapses", "<div>  a \n\t b  </div><div>c</div>", "a b\nc"},
		{"inline elements keep spacing", "a <b>bold</b> word", "a bold word"},
		{"entities", "caf&eacute; &amp; &lt;tea&gt;&nbsp;now", "café & <tea> now"},
		{"head, style and script dropped", "<html><head><title>t</title><style>x{}</style></head><body>hi<script>bad()</script></body></html>", "hi"},
		{"list items", "<ul><li>one</li><li>two</li></ul>", "- one\n- two"},
		{"link with other text keeps its address", `<a href="https://x.example/a">here</a>`, "here <https://x.example/a>"},
		{"link showing its address", `<a href="https://x.example/">https://x.example/</a>`, "https://x.example/"},
		{"mailto link", `<a href="mailto:a@b.example">write us</a>`, "write us <a@b.example>"},
		{"javascript link dropped", `<a href="javascript:x()">click</a>`, "click"},
		{"image alt", `<img src="x.png" alt="logo">`, "[logo]"},
		{"pre keeps layout", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"broken markup still yields text", "<p>open <b>never closed <div>and <i>more", "open never closed\nand more"},
		{"unclosed script drops the rest", "before<script>never closed", "before"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := htmlToText(tc.html); got != tc.want {
				t.Errorf("htmlToText(%q) = %q, want %q", tc.html, got, tc.want)
			}
		})
	}
}
