package wechat

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

// rawMessage is every field of the push XML this channel reads.
type rawMessage struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   string   `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	MsgID        string   `xml:"MsgId"`
	Content      string   `xml:"Content"`
	PicURL       string   `xml:"PicUrl"`
	MediaID      string   `xml:"MediaId"`
	Format       string   `xml:"Format"`
	Recognition  string   `xml:"Recognition"`
	LocationX    string   `xml:"Location_X"`
	LocationY    string   `xml:"Location_Y"`
	Label        string   `xml:"Label"`
	Title        string   `xml:"Title"`
	Description  string   `xml:"Description"`
	URL          string   `xml:"Url"`
	Event        string   `xml:"Event"`
	Encrypt      string   `xml:"Encrypt"`
}

// Kind is what an inbound push asks the ledger to do.
type Kind int

// Kinds of inbound pushes.
const (
	// KindIgnored is a push the contact centre has no use for (menu clicks,
	// location reports); it is acknowledged and dropped.
	KindIgnored Kind = iota
	KindMessage
	KindSubscribe
	KindUnsubscribe
)

// Inbound is one push from WeChat, validated.
type Inbound struct {
	Kind    Kind
	OpenID  string // the sender: FromUserName
	Account string // the official account: ToUserName
	// ID is MsgId for messages; events have none, so it is derived from
	// FromUserName, CreateTime and the event.
	ID          string
	CreateTime  time.Time
	Text        string
	Attachments []domain.Attachment
	// MediaID names the image, voice or video to fetch through the media
	// API (Sender.Media), and MediaName the file it becomes.
	MediaID, MediaName string
}

// ParseMessage validates a push body (plaintext mode). Every error is a
// domain EINVALID error naming what is wrong.
func ParseMessage(body []byte) (Inbound, error) {
	if !utf8.Valid(body) {
		return Inbound{}, invalid("the body is not valid UTF-8")
	}
	var m rawMessage
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	if err := dec.Decode(&m); err != nil {
		return Inbound{}, invalid("the body is not a WeChat XML message: %v", err)
	}
	if m.Encrypt != "" {
		return Inbound{}, invalid("encrypted (safe mode) messages are not supported; configure the official account in plaintext mode")
	}
	in, err := header(m)
	if err != nil {
		return Inbound{}, err
	}
	switch m.MsgType {
	case "event":
		return event(in, m)
	case "text", "image", "voice", "video", "shortvideo", "location", "link":
		return content(in, m)
	default:
		return in, nil // a type added after this was written: acknowledged, not recorded
	}
}

func header(m rawMessage) (Inbound, error) {
	if strings.TrimSpace(m.FromUserName) == "" || strings.TrimSpace(m.MsgType) == "" {
		return Inbound{}, invalid("FromUserName and MsgType are required")
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(m.CreateTime), 10, 64)
	if err != nil || secs <= 0 {
		return Inbound{}, invalid("CreateTime %q is not a Unix time", m.CreateTime)
	}
	return Inbound{OpenID: strings.TrimSpace(m.FromUserName), Account: strings.TrimSpace(m.ToUserName), CreateTime: time.Unix(secs, 0).UTC()}, nil
}

func event(in Inbound, m rawMessage) (Inbound, error) {
	switch strings.ToLower(strings.TrimSpace(m.Event)) {
	case "subscribe":
		in.Kind = KindSubscribe
	case "unsubscribe":
		in.Kind = KindUnsubscribe
	case "":
		return Inbound{}, invalid("an event push needs its Event")
	default:
		return in, nil
	}
	in.ID = fmt.Sprintf("event:%s:%d:%s", in.OpenID, in.CreateTime.Unix(), strings.ToLower(strings.TrimSpace(m.Event)))
	return in, nil
}

// content turns a customer's message into text and attachments: the
// description of its media (MediaId, the picture URL), and the MediaId to
// fetch its content by.
func content(in Inbound, m rawMessage) (Inbound, error) {
	in.Kind, in.ID = KindMessage, strings.TrimSpace(m.MsgID)
	if in.ID == "" || len(in.ID) > 64 {
		return Inbound{}, invalid("a %s message needs its MsgId (at most 64 characters)", m.MsgType)
	}
	media := func(name, contentType, file string) {
		if name = strings.TrimSpace(name); name != "" {
			in.Attachments = []domain.Attachment{{Name: name, ContentType: contentType}}
		}
		if id := strings.TrimSpace(m.MediaID); id != "" {
			in.MediaID, in.MediaName = id, file+"-"+in.ID
		}
	}
	switch m.MsgType {
	case "text":
		in.Text = m.Content
	case "image":
		// Without the media API, the picture URL is what an agent can
		// open; the MediaId is good only through the API, for three days.
		media(cmp.Or(m.PicURL, m.MediaID), "image/*", "image")
		in.MediaName += ".jpg"
	case "voice":
		format := cmp.Or(strings.ToLower(strings.TrimSpace(m.Format)), "amr")
		media(m.MediaID, "audio/"+format, "voice")
		in.MediaName += "." + format
		in.Text = m.Recognition // speech recognition, when enabled
	case "video", "shortvideo":
		media(m.MediaID, "video/*", "video")
		in.MediaName += ".mp4"
	case "location":
		in.Text = strings.TrimSpace(fmt.Sprintf("[location] %s (%s, %s)", m.Label, m.LocationX, m.LocationY))
	case "link":
		in.Text = strings.TrimSpace(strings.Join([]string{m.Title, m.Description, m.URL}, "\n"))
	}
	if strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0 {
		return Inbound{}, invalid("the %s message carries nothing", m.MsgType)
	}
	return in, nil
}

func invalid(format string, args ...any) error {
	return domain.Errorf(domain.EINVALID, format, args...)
}
