package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	neturl "net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/gorilla/websocket"
	"github.com/minio/minio-go/v7"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/blobs/s3test"
	"github.com/interactionledger/ledger/graphql"
	"github.com/interactionledger/ledger/internal/clamav/clamavtest"
)

// attachmentFiles are what the customer's email carries: a PDF invoice
// as an attachment and a PNG screenshot inline in the HTML.
type attachmentFiles struct {
	pdf, png []byte
}

func newAttachmentFiles(t *testing.T) attachmentFiles {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	pdf := testPDF(rng, 300<<10)
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	randomPixels(rng, img.Pix)
	img.Set(0, 0, color.Black)
	return attachmentFiles{pdf: pdf, png: encodePNG(t, img)}
}

// testPDF is a PDF (as sniffing sees it) of n random bytes past its
// header: past the blob store's 64 KiB chunks for any n over that.
func testPDF(rng *rand.Rand, n int) []byte {
	pdf := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")
	for range n {
		pdf = append(pdf, byte(rng.IntN(256)))
	}
	return append(pdf, "\n%%EOF\n"...)
}

func randomPixels(rng *rand.Rand, pix []byte) {
	for i := range pix {
		pix[i] = byte(rng.IntN(256))
	}
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mailWithFiles composes, with go-message's writer as a mail client
// would, a message with an HTML body showing the PNG inline (cid:) and
// the PDF attached.
func mailWithFiles(t *testing.T, messageID string, f attachmentFiles) string {
	t.Helper()
	var out bytes.Buffer
	var h mail.Header
	h.SetAddressList("From", []*mail.Address{{Name: "Li Wei", Address: "li.wei@example.com"}})
	h.SetAddressList("To", []*mail.Address{{Address: "support@shop.example"}})
	h.SetSubject("发票和截图")
	h.SetMessageID(messageID)
	h.SetDate(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	w, err := mail.CreateWriter(&out, h)
	if err != nil {
		t.Fatal(err)
	}
	inline, err := w.CreateInline()
	if err != nil {
		t.Fatal(err)
	}
	var th mail.InlineHeader
	th.Set("Content-Type", "text/html; charset=utf-8")
	tw, err := inline.CreatePart(th)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(tw, `<p>The invoice is attached; the error looks like this:</p><img src="cid:shot@example.com">`)
	tw.Close()
	var ih mail.InlineHeader
	ih.Set("Content-Type", "image/png")
	ih.Set("Content-ID", "<shot@example.com>")
	ih.Set("Content-Disposition", "inline")
	iw, err := inline.CreatePart(ih)
	if err != nil {
		t.Fatal(err)
	}
	iw.Write(f.png)
	iw.Close()
	inline.Close()
	var ah mail.AttachmentHeader
	ah.Set("Content-Type", "application/octet-stream") // the sender's label; the ledger sniffs
	ah.SetFilename("发票 2026-11.pdf")
	aw, err := w.CreateAttachment(ah)
	if err != nil {
		t.Fatal(err)
	}
	aw.Write(f.pdf)
	aw.Close()
	w.Close()
	return out.String()
}

// TestEmailAttachmentsDownload: an email with a PDF and an inline image,
// sent by a real SMTP client into `ledger serve`, is downloaded
// byte-identical through the API by an agent, with the headers that make
// it safe to open; an analyst is refused; every download is an access
// record; erasing the customer makes the files unreadable and deletes
// them, and `ledger verify` still passes.
func TestEmailAttachmentsDownload(t *testing.T) {
	testEmailAttachments(t, "")
}

// TestEmailAttachmentsDownloadS3 is TestEmailAttachmentsDownload with the
// blob store on S3: a real SeaweedFS (weed, built by the test command).
// Erasure leaves none of the customer's objects in the bucket.
func TestEmailAttachmentsDownloadS3(t *testing.T) {
	weed := s3test.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", weed.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", weed.SecretKey)
	bucket := weed.NewBucket(t)
	customer := testEmailAttachments(t, weed.Spec(bucket))
	var left []string
	for obj := range weed.Client().ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		left = append(left, obj.Key)
	}
	for _, key := range left {
		if strings.HasPrefix(key, customer+"/") {
			t.Errorf("erasure left %s in the bucket", key)
		}
	}
}

// testEmailAttachments runs TestEmailAttachmentsDownload on the blob store
// blobsSpec names and returns the erased customer.
func testEmailAttachments(t *testing.T, blobsSpec string) string {
	c := &emailComponent{listen: "127.0.0.1:0", from: "Support <support@shop.example>", maxBytes: "4194304", resolver: noDNS{}}
	h := startAPIWith(t, serveConfig{blobs: blobsSpec}, c)
	files := newAttachmentFiles(t)
	if err := sendMail(c.addr, mailWithFiles(t, "files-1@example.com", files)); err != nil {
		t.Fatalf("SMTP delivery: %v", err)
	}
	h.settle()
	interaction := interactionOn(t, h.srv, domain.ChannelEmail)
	agent, analyst := h.token("agent", "a-agent"), h.token("analyst", "ana")

	var got struct {
		Interaction struct {
			Customer struct{ ID string }
			Messages []struct {
				Attachments []struct {
					Name, ContentType, Sha256 string
					Size                      int64
					DownloadURL               *string `json:"downloadUrl"`
				}
			}
		}
	}
	h.post(agent, `query($id: ID!) { interaction(id: $id) { customer { id } messages(first: 5) { attachments { name contentType size sha256 downloadUrl } } } }`,
		map[string]any{"id": interaction}).ok(t).decode(t, &got)
	if len(got.Interaction.Messages) != 1 || len(got.Interaction.Messages[0].Attachments) != 2 {
		t.Fatalf("messages %+v, want one with two attachments", got.Interaction.Messages)
	}
	want := map[string]struct {
		body        []byte
		contentType string
		inline      string // disposition asked inline
	}{
		"part-1.png":     {files.png, "image/png", "inline"},
		"发票 2026-11.pdf": {files.pdf, "application/pdf", "inline"},
	}
	for _, a := range got.Interaction.Messages[0].Attachments {
		w, ok := want[a.Name]
		if !ok {
			t.Fatalf("attachment %q not sent", a.Name)
		}
		if a.ContentType != w.contentType || a.Size != int64(len(w.body)) || a.DownloadURL == nil {
			t.Fatalf("attachment %+v, want %s of %d bytes with a download URL", a, w.contentType, len(w.body))
		}
		resp, body := download(t, h, agent, *a.DownloadURL)
		if resp.StatusCode != 200 || !bytes.Equal(body, w.body) {
			t.Fatalf("download of %s: %d, %d bytes, identical %v", a.Name, resp.StatusCode, len(body), bytes.Equal(body, w.body))
		}
		for header, value := range map[string]string{
			"Content-Type": w.contentType, "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
		} {
			if got := resp.Header.Get(header); got != value {
				t.Errorf("%s of %s: %q, want %q", header, a.Name, got, value)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox") {
			t.Errorf("CSP %q does not sandbox", csp)
		}
		if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "attachment;") {
			t.Errorf("disposition %q, want an attachment", d)
		}
		resp, _ = download(t, h, agent, *a.DownloadURL+"?inline=1")
		if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, w.inline+";") {
			t.Errorf("inline disposition of %s: %q", a.Name, d)
		}
		if resp, body := download(t, h, analyst, *a.DownloadURL); resp.StatusCode != http.StatusForbidden {
			t.Errorf("analyst download: %d %s, want 403", resp.StatusCode, body)
		}
	}
	res := h.post(analyst, `query($id: ID!) { interaction(id: $id) { messages(first: 5) { attachments { name downloadUrl } } } }`, map[string]any{"id": interaction})
	if codes := res.codes(); len(codes) == 0 || codes[0] != "FORBIDDEN" {
		t.Errorf("analyst's downloadUrl: errors %+v, want FORBIDDEN", res.Errors)
	}
	customer := got.Interaction.Customer.ID
	eventually(t, "four download records", func() bool { return downloadRecords(t, h, customer) == 4 })

	url := *got.Interaction.Messages[0].Attachments[0].DownloadURL
	h.post(h.token("admin", "a-admin"), `mutation($c: ID!) { eraseCustomer(customerId: $c, reason: "DSR-7") { position } }`,
		map[string]any{"c": customer}).ok(t)
	h.settle()
	if resp, body := download(t, h, agent, url); resp.StatusCode != http.StatusGone {
		t.Errorf("download after erasure: %d %s, want 410", resp.StatusCode, body)
	}
	if blobsSpec == "" {
		if left, _ := filepath.Glob(filepath.Join(h.dir, "blobs", "objects", customer, "*")); len(left) != 0 {
			t.Errorf("erasure left %d files of the customer: %v", len(left), left)
		}
	}
	h.srv.shutdown(5 * time.Second)
	if out, err := ledger(t, "verify", "--data", h.dir); err != nil {
		t.Fatalf("verify after erasure: %v\n%s", err, out)
	}
	return customer
}

// download GETs a file with a bearer token.
func download(t *testing.T, h *apiHarness, token, path string) (*http.Response, []byte) {
	t.Helper()
	return bearerDo(t, h, http.MethodGet, path, token, nil)
}

// bearerDo sends a request to the server with a bearer token and reads
// the whole answer.
func bearerDo(t *testing.T, h *apiHarness, method, path, token string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(h.ctx, method, "http://"+h.srv.addr+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, raw
}

// downloadRecords counts the access records of downloads of the
// customer's files.
func downloadRecords(t *testing.T, h *apiHarness, customerID string) int {
	t.Helper()
	page, err := h.srv.store.ReadAll(h.ctx, 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rec := range page {
		if rec.Type != "CustomerDataAccessed" {
			continue
		}
		e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range e.(domain.CustomerDataAccessed).Accesses {
			if strings.HasPrefix(a.Operation, "download ") && len(a.CustomerIDs) == 1 && a.CustomerIDs[0] == customerID {
				n++
			}
		}
	}
	return n
}

// TestEmailEICARQuarantined: with clamd scanning (a real daemon with a
// local EICAR signature), an email carrying the EICAR test file next to a
// clean PDF records the EICAR file as quarantined, without its bytes; its
// download is refused to everyone, and the clean PDF is served as usual.
func TestEmailEICARQuarantined(t *testing.T) {
	clamd := clamavtest.Start(t)
	c := &emailComponent{listen: "127.0.0.1:0", from: "Support <support@shop.example>", maxBytes: "4194304", resolver: noDNS{}}
	h := startAPIWith(t, serveConfig{clamd: clamd.Addr()}, c)
	files := newAttachmentFiles(t)
	files.png = clamavtest.EICAR() // in place of the screenshot
	if err := sendMail(c.addr, mailWithFiles(t, "eicar-1@example.com", files)); err != nil {
		t.Fatalf("SMTP delivery: %v", err)
	}
	h.settle()
	interaction := interactionOn(t, h.srv, domain.ChannelEmail)
	var got struct {
		Interaction struct {
			Messages []struct {
				Attachments []struct {
					Name, Sha256 string
					Quarantined  *string
					DownloadURL  *string `json:"downloadUrl"`
				}
			}
		}
	}
	for _, role := range []string{"agent", "admin"} {
		token := h.token(role, "a-"+role)
		h.post(token, `query($id: ID!) { interaction(id: $id) { messages(first: 5) { attachments { name sha256 quarantined downloadUrl } } } }`,
			map[string]any{"id": interaction}).ok(t).decode(t, &got)
		as := got.Interaction.Messages[0].Attachments
		if len(as) != 2 {
			t.Fatalf("attachments %+v, want 2", as)
		}
		for _, a := range as {
			infected := a.Name == "part-1.png" // the inline part, declared an image
			switch {
			case infected && (a.Quarantined == nil || *a.Quarantined != clamavtest.Signature || a.DownloadURL != nil):
				t.Errorf("%s sees the EICAR file as %+v, want quarantined as %s without a download", role, a, clamavtest.Signature)
			case !infected && (a.Quarantined != nil || a.DownloadURL == nil):
				t.Errorf("%s sees the clean PDF as %+v", role, a)
			}
			if infected {
				resp, body := download(t, h, token, "/files/interactions/"+interaction+"/"+a.Sha256)
				if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "quarantined") {
					t.Errorf("%s downloading the EICAR file: %d %s, want 403 quarantined", role, resp.StatusCode, body)
				}
			} else if resp, body := download(t, h, token, *a.DownloadURL); resp.StatusCode != 200 || !bytes.Equal(body, files.pdf) {
				t.Errorf("%s downloading the PDF: %d, %d bytes", role, resp.StatusCode, len(body))
			}
		}
	}
	if left, _ := filepath.Glob(filepath.Join(h.dir, "blobs", "objects", "*", blobs.SHA256Hex(clamavtest.EICAR()))); len(left) != 0 {
		t.Errorf("the EICAR file was kept: %v", left)
	}
}

// TestTicketFileUploadAndAttach: an agent uploads a file for a ticket and
// attaches it to a note; a supervisor downloads it byte-identical, an
// analyst is refused. A token is good only for its ticket and its
// uploader; uploads without a name, over the limit or for nothing are
// refused with clear errors.
func TestTicketFileUploadAndAttach(t *testing.T) {
	h := startAPI(t)
	f := h.seed("a-agent", "a-super")
	agent := h.token("agent", "a-agent")
	content := bytes.Repeat([]byte("serial 42, line 7\n"), 10_000)

	up := upload(t, h, agent, "?ticket="+f.ticketID+"&name="+neturl.QueryEscape("C:\\scans\\保修单.txt"), content)
	if up.status != 200 || up.Name != "保修单.txt" || up.Size != int64(len(content)) || up.ContentType != "text/plain; charset=utf-8" || up.Token == "" {
		t.Fatalf("upload: %+v", up)
	}
	other := h.openTicket(f.customerID)
	res := h.post(agent, `mutation($t: ID!, $f: [String!]) { commentOnTicket(ticketId: $t, text: "", files: $f) { position } }`,
		map[string]any{"t": other, "f": []string{up.Token}})
	if codes := res.codes(); len(codes) != 1 || codes[0] != "BAD_USER_INPUT" {
		t.Errorf("token used on another ticket: %+v, want BAD_USER_INPUT", res.Errors)
	}
	res = h.post(h.token("supervisor", "a-super"), `mutation($t: ID!, $f: [String!]) { commentOnTicket(ticketId: $t, text: "", files: $f) { position } }`,
		map[string]any{"t": f.ticketID, "f": []string{up.Token}})
	if codes := res.codes(); len(codes) != 1 || codes[0] != "BAD_USER_INPUT" {
		t.Errorf("token used by another person: %+v, want BAD_USER_INPUT", res.Errors)
	}
	h.post(agent, `mutation($t: ID!, $f: [String!]) { commentOnTicket(ticketId: $t, text: "warranty card", files: $f, consistency: READ_YOUR_WRITES) { position } }`,
		map[string]any{"t": f.ticketID, "f": []string{up.Token}}).ok(t)

	var got struct {
		Ticket struct {
			Notes []struct {
				Text        string
				Attachments []struct {
					Name        string
					DownloadURL *string `json:"downloadUrl"`
				}
			}
		}
	}
	h.post(agent, `query($t: ID!) { ticket(id: $t) { notes(first: 10) { text attachments { name downloadUrl } } } }`, map[string]any{"t": f.ticketID}).ok(t).decode(t, &got)
	notes := got.Ticket.Notes
	last := notes[len(notes)-1]
	if last.Text != "warranty card" || len(last.Attachments) != 1 || last.Attachments[0].Name != "保修单.txt" || last.Attachments[0].DownloadURL == nil {
		t.Fatalf("last note %+v", last)
	}
	url := *last.Attachments[0].DownloadURL
	if !strings.HasPrefix(url, "/files/tickets/"+f.ticketID+"/") {
		t.Errorf("download URL %s", url)
	}
	if resp, body := download(t, h, h.token("supervisor", "a-super"), url); resp.StatusCode != 200 || !bytes.Equal(body, content) {
		t.Errorf("supervisor's download: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := download(t, h, h.token("analyst", "ana"), url); resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst's download: %d, want 403", resp.StatusCode)
	}

	for _, bad := range []struct {
		name, query string
		body        []byte
		status      int
	}{
		{"no name", "?ticket=" + f.ticketID, content, http.StatusBadRequest},
		{"for nothing", "?name=a.txt", content, http.StatusBadRequest},
		{"unknown ticket", "?name=a.txt&ticket=nope", content, http.StatusNotFound},
		{"too large", "?name=big.bin&ticket=" + f.ticketID, make([]byte, graphql.MaxUploadBytes+1), http.StatusRequestEntityTooLarge},
	} {
		if up := upload(t, h, agent, bad.query, bad.body); up.status != bad.status {
			t.Errorf("%s: %d %s, want %d", bad.name, up.status, up.raw, bad.status)
		}
	}
	if up := upload(t, h, h.token("analyst", "ana"), "?name=a.txt&ticket="+f.ticketID, content); up.status != http.StatusForbidden {
		t.Errorf("analyst's upload: %d, want 403", up.status)
	}
}

type uploadResult struct {
	status                   int
	raw                      string
	Token, Name, ContentType string
	Size                     int64
	SHA256                   string `json:"sha256"`
}

// upload POSTs content to /files/uploads with query.
func upload(t *testing.T, h *apiHarness, token, query string, content []byte) uploadResult {
	t.Helper()
	resp, raw := bearerDo(t, h, http.MethodPost, "/files/uploads"+query, token, bytes.NewReader(content))
	r := uploadResult{status: resp.StatusCode, raw: string(raw)}
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("upload answer %s: %v", raw, err)
		}
	}
	return r
}

// TestEmailReplyCarriesFiles: an agent uploads a file for an email
// conversation and replies with it through GraphQL; the reply leaves
// through the relay as a multipart message whose attachment is the file,
// byte for byte, under its name; the conversation shows the reply's file
// with its download link.
func TestEmailReplyCarriesFiles(t *testing.T) {
	sink := startMailSink(t)
	c := &emailComponent{listen: "127.0.0.1:0", relay: sink.addr, from: "Support <support@shop.example>", maxBytes: "4194304", resolver: noDNS{}}
	h := startAPIWith(t, serveConfig{}, c, newOutboundComponent())
	h.seed("a-agent")
	if err := sendMail(c.addr, customerMail); err != nil {
		t.Fatal(err)
	}
	h.settle()
	interaction := interactionOn(t, h.srv, domain.ChannelEmail)
	agent := h.token("agent", "a-agent")
	quote := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("报价 quote line\n"), 20_000)...)
	up := upload(t, h, agent, "?interaction="+interaction+"&name="+neturl.QueryEscape("报价单.pdf"), quote)
	if up.status != 200 || up.ContentType != "application/pdf" {
		t.Fatalf("upload: %+v", up)
	}
	h.post(agent, `mutation($i: ID!, $f: [String!]) { replyToInteraction(interactionId: $i, text: "Here is the quote.", files: $f) { position } }`,
		map[string]any{"i": interaction, "f": []string{up.Token}}).ok(t)
	eventually(t, "the reply relayed", func() bool { return len(sink.received()) == 1 })
	r, err := mail.CreateReader(bytes.NewReader(sink.rawReceived()[0]))
	if err != nil {
		t.Fatal(err)
	}
	var gotName string
	var gotBody []byte
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ah, ok := p.Header.(*mail.AttachmentHeader); ok {
			gotName, _ = ah.Filename()
			gotBody, _ = io.ReadAll(p.Body)
		}
	}
	if gotName != "报价单.pdf" || !bytes.Equal(gotBody, quote) {
		t.Fatalf("relayed attachment %q of %d bytes, want 报价单.pdf of %d identical bytes", gotName, len(gotBody), len(quote))
	}
	eventually(t, "the delivery recorded", func() bool { return countEvents(t, h.srv, "MessageDelivered") == 1 })
	var got struct {
		Interaction struct {
			Messages []struct {
				Direction   string
				Attachments []struct {
					Name        string
					DownloadURL *string `json:"downloadUrl"`
				}
			}
		}
	}
	h.settle()
	h.post(agent, `query($id: ID!) { interaction(id: $id) { messages(first: 5) { direction attachments { name downloadUrl } } } }`,
		map[string]any{"id": interaction}).ok(t).decode(t, &got)
	out := got.Interaction.Messages[len(got.Interaction.Messages)-1]
	if out.Direction != "OUT" || len(out.Attachments) != 1 || out.Attachments[0].DownloadURL == nil {
		t.Fatalf("the reply as the conversation shows it: %+v", out)
	}
	if resp, body := download(t, h, agent, *out.Attachments[0].DownloadURL); resp.StatusCode != 200 || !bytes.Equal(body, quote) {
		t.Errorf("download of the reply's file: %d, %d bytes", resp.StatusCode, len(body))
	}
}

// TestWeChatImageKept: a WeChat image message's picture is fetched through
// the media API with the access token and kept; an agent downloads it
// byte for byte. An image whose media id WeChat no longer knows is still
// recorded, by its description.
func TestWeChatImageKept(t *testing.T) {
	p := newProviders(t, testAppPushSecret)
	h := startAPIWith(t, serveConfig{}, channelsComponent(p))
	base := "http://" + h.srv.addr
	wechatImage(t, base, "24000000000000101", "oWeChatFan9", testWeChatMediaID)
	wechatImage(t, base, "24000000000000102", "oWeChatFan9", "media-expired")
	h.settle()
	interaction := interactionOn(t, h.srv, domain.ChannelWeChat)
	agent := h.token("agent", "a-agent")
	var got struct {
		Interaction struct {
			Messages []struct {
				Attachments []struct {
					Name, ContentType string
					DownloadURL       *string `json:"downloadUrl"`
				}
			}
		}
	}
	h.post(agent, `query($id: ID!) { interaction(id: $id) { messages(first: 5) { attachments { name contentType downloadUrl } } } }`,
		map[string]any{"id": interaction}).ok(t).decode(t, &got)
	msgs := got.Interaction.Messages
	if len(msgs) != 2 || len(msgs[0].Attachments) != 1 || len(msgs[1].Attachments) != 1 {
		t.Fatalf("messages %+v, want two with one attachment each", msgs)
	}
	kept, gone := msgs[0].Attachments[0], msgs[1].Attachments[0]
	if kept.Name != "image-24000000000000101.jpg" || kept.ContentType != "image/png" || kept.DownloadURL == nil {
		t.Fatalf("kept picture %+v", kept)
	}
	if resp, body := download(t, h, agent, *kept.DownloadURL); resp.StatusCode != 200 || !bytes.Equal(body, testWeChatPhoto) {
		t.Errorf("download: %d, %d bytes", resp.StatusCode, len(body))
	}
	if gone.DownloadURL != nil || !strings.Contains(gone.Name, "media-expired") {
		t.Errorf("expired picture %+v, want its description without a download", gone)
	}
}

// TestAppMultipartFileKept: the app posts a message with a file as a
// multipart form; the file is kept and an agent downloads it byte for
// byte.
func TestAppMultipartFileKept(t *testing.T) {
	p := newProviders(t, testAppPushSecret)
	h := startAPIWith(t, serveConfig{}, channelsComponent(p))
	receipt := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("receipt "), 40_000)...)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormField("message")
	io.WriteString(part, `{"messageId": "app-file-1", "identity": {"kind": "ACCOUNT", "value": "u-42"}, "text": "my receipt"}`)
	part, _ = w.CreateFormFile("file", "receipt.pdf")
	part.Write(receipt)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, "http://"+h.srv.addr+"/channels/app", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set(app.KeyHeader, testAppServerKey)
	if status, answer := postTo(t, req); status != http.StatusOK {
		t.Fatalf("app post: %d %s", status, answer)
	}
	h.settle()
	interaction := interactionOn(t, h.srv, domain.ChannelApp)
	agent := h.token("agent", "a-agent")
	var got struct {
		Interaction struct {
			Messages []struct {
				Text        string
				Attachments []struct {
					Name        string
					DownloadURL *string `json:"downloadUrl"`
				}
			}
		}
	}
	h.post(agent, `query($id: ID!) { interaction(id: $id) { messages(first: 5) { text attachments { name downloadUrl } } } }`,
		map[string]any{"id": interaction}).ok(t).decode(t, &got)
	m := got.Interaction.Messages
	if len(m) != 1 || m[0].Text != "my receipt" || len(m[0].Attachments) != 1 || m[0].Attachments[0].Name != "receipt.pdf" || m[0].Attachments[0].DownloadURL == nil {
		t.Fatalf("messages %+v", m)
	}
	if resp, b := download(t, h, agent, *m[0].Attachments[0].DownloadURL); resp.StatusCode != 200 || !bytes.Equal(b, receipt) {
		t.Errorf("download: %d, %d bytes", resp.StatusCode, len(b))
	}
}

// TestWebChatFiles: a visitor uploads a picture from the widget's page
// (another origin, allowed: CORS); it is recorded as a message with the
// file, shown on the visitor's open socket with its attachment, and
// downloadable byte for byte by the visitor and by an agent. Another
// visitor cannot download it; a file of a type the widget may not send,
// or over the limit, is refused with nothing recorded.
func TestWebChatFiles(t *testing.T) {
	h := startAPI(t, &webChannelsComponent{webchatOrigins: "https://shop.example.com"})
	base := "http://" + h.srv.addr
	const visitor = "v-files-visitor-0123456789"
	_, next := chatSocket(t, h.srv.addr, visitor)
	next("welcome")

	preflight, _ := http.NewRequest(http.MethodOptions, base+"/channels/webchat/files", nil)
	preflight.Header.Set("Origin", "https://shop.example.com")
	preflight.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(preflight)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "X-Visitor-Id") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}

	photo := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("pixels"), 50_000)...)
	chatFile := func(method, path, who string, body []byte) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Origin", "https://shop.example.com")
		req.Header.Set("X-Visitor-Id", who)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, ack := chatFile(http.MethodPost, "/channels/webchat/files?id=f-1&name=screen.png", visitor, photo)
	if resp.StatusCode != 200 || !strings.Contains(string(ack), `"type":"ack"`) || resp.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Fatalf("upload: %d %s", resp.StatusCode, ack)
	}
	shown := next("message")
	atts, _ := shown["attachments"].([]any)
	if len(atts) != 1 {
		t.Fatalf("the socket was shown %v, want the message with its file", shown)
	}
	sha := atts[0].(map[string]any)["sha256"].(string)
	if resp, b := chatFile(http.MethodGet, "/channels/webchat/files/"+sha, visitor, nil); resp.StatusCode != 200 || !bytes.Equal(b, photo) ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("visitor's download: %d, %d bytes, %v", resp.StatusCode, len(b), resp.Header)
	}
	if resp, _ := chatFile(http.MethodGet, "/channels/webchat/files/"+sha, "v-someone-else-0123456789", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another visitor's download: %d, want 404", resp.StatusCode)
	}
	head, _ := h.srv.store.HeadPosition(h.ctx)
	if resp, b := chatFile(http.MethodPost, "/channels/webchat/files?id=f-2&name=run.exe", visitor, []byte("MZ\x90\x00\x03\x00\x00\x00binary")); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("an executable: %d %s, want 415", resp.StatusCode, b)
	}
	if resp, b := chatFile(http.MethodPost, "/channels/webchat/files?id=f-3&name=big.png", visitor, append(photo[:8:8], make([]byte, 10<<20)...)); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a file over 10 MiB: %d %s, want 413", resp.StatusCode, b)
	}
	if after, _ := h.srv.store.HeadPosition(h.ctx); after != head {
		t.Errorf("refused uploads appended %d events", after-head)
	}

	h.settle()
	interaction := interactionOn(t, h.srv, domain.ChannelWebchat)
	if resp, b := download(t, h, h.token("agent", "a-agent"), "/files/interactions/"+interaction+"/"+sha); resp.StatusCode != 200 || !bytes.Equal(b, photo) {
		t.Errorf("agent's download: %d, %d bytes", resp.StatusCode, len(b))
	}
}

// TestWebChatReplyCarriesFiles: an agent's reply with a file reaches the
// visitor's socket with its attachment, and the visitor downloads it.
func TestWebChatReplyCarriesFiles(t *testing.T) {
	h := startAPI(t, &webChannelsComponent{}, newOutboundComponent())
	h.seed("a-agent")
	const visitor = "v-reply-files-0123456789"
	ws, next := chatSocket(t, h.srv.addr, visitor)
	next("welcome")
	if err := ws.WriteJSON(map[string]any{"type": "message", "id": "c-1", "text": "the manual please"}); err != nil {
		t.Fatal(err)
	}
	interaction := next("ack")["interactionId"].(string)
	h.settle()
	agent := h.token("agent", "a-agent")
	manual := append([]byte("%PDF-1.5\n"), bytes.Repeat([]byte("manual page\n"), 30_000)...)
	up := upload(t, h, agent, "?interaction="+interaction+"&name=manual.pdf", manual)
	if up.status != 200 {
		t.Fatalf("upload: %+v", up)
	}
	h.post(agent, `mutation($i: ID!, $f: [String!]) { replyToInteraction(interactionId: $i, text: "", files: $f) { position } }`,
		map[string]any{"i": interaction, "f": []string{up.Token}}).ok(t)
	var reply map[string]any
	for reply == nil || reply["direction"] != "OUT" {
		reply = next("message")
	}
	atts, _ := reply["attachments"].([]any)
	if len(atts) != 1 || atts[0].(map[string]any)["name"] != "manual.pdf" {
		t.Fatalf("reply frame %v, want manual.pdf attached", reply)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+h.srv.addr+"/channels/webchat/files/"+up.SHA256, nil)
	req.Header.Set("X-Visitor-Id", visitor)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || !bytes.Equal(b, manual) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("visitor's download of the reply's file: %d, %d bytes, %v", resp.StatusCode, len(b), resp.Header)
	}
}

// chatSocket opens a web chat socket as the visitor, says hello and
// returns next, which waits for the next frame of a type.
func chatSocket(t *testing.T, addr, visitor string) (*websocket.Conn, func(typ string) map[string]any) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/channels/webchat", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if err := ws.WriteJSON(map[string]any{"type": "hello", "visitorId": visitor}); err != nil {
		t.Fatal(err)
	}
	return ws, func(typ string) map[string]any {
		t.Helper()
		for {
			var f map[string]any
			_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
			if err := ws.ReadJSON(&f); err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			if f["type"] == typ {
				return f
			}
		}
	}
}

// TestFilesRefusedOnTextOnlyReplies: a reply with files on a channel whose
// replies are text only (SMS here) is refused, not recorded as sent with a
// file the customer never gets.
func TestFilesRefusedOnTextOnlyReplies(t *testing.T) {
	p := newProviders(t, testAppPushSecret)
	h := startAPIWith(t, serveConfig{}, channelsComponent(p))
	h.seed("a-agent")
	res, err := h.cmds.ReceiveInbound(h.ctx, commands.InboundMessage{Channel: domain.ChannelSMS,
		From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613900990001"}, ProviderMessageID: "sms-files-1", Text: "send me the manual"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	h.settle()
	agent := h.token("agent", "a-agent")
	up := upload(t, h, agent, "?interaction="+res.InteractionID+"&name=manual.txt", []byte("page 1"))
	if up.status != 200 {
		t.Fatalf("upload: %+v", up)
	}
	r := h.post(agent, `mutation($i: ID!, $f: [String!]) { replyToInteraction(interactionId: $i, text: "here", files: $f) { position } }`,
		map[string]any{"i": res.InteractionID, "f": []string{up.Token}})
	if codes := r.codes(); len(codes) != 1 || codes[0] != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "sms") {
		t.Errorf("files on an SMS reply: %+v, want BAD_USER_INPUT naming the channel", r.Errors)
	}
	if n := countEvents(t, h.srv, "MessageSent"); n != 0 {
		t.Errorf("%d replies recorded", n)
	}
}
