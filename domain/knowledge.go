package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The knowledge base: articles (what agents read to answer) and reply
// templates (话术: approved wording an agent inserts, with variables filled
// from the conversation). Each item lives in knowledge-<id> and moves
// through draft → published → revised → retired; every version an author
// saved is kept, so an audit shows exactly the wording that was live at any
// moment.

// CategoryKnowledge holds the knowledge base's items.
const CategoryKnowledge = "knowledge"

// KnowledgeStream names a knowledge item's stream.
func KnowledgeStream(id string) string { return CategoryKnowledge + "-" + id }

// KnowledgeKind says what a knowledge item is.
type KnowledgeKind string

// Knowledge kinds.
const (
	KnowledgeArticle  KnowledgeKind = "ARTICLE"
	KnowledgeTemplate KnowledgeKind = "TEMPLATE"
)

// KnowledgeStatus is where an item is in its lifecycle.
type KnowledgeStatus string

// Knowledge statuses. An item with a published version and a newer draft
// is PUBLISHED (its live version is the published one) with a pending
// revision; REVISED is an item whose live version replaced an earlier one.
const (
	KnowledgeStatusDraft     KnowledgeStatus = "DRAFT"
	KnowledgeStatusPublished KnowledgeStatus = "PUBLISHED"
	KnowledgeStatusRevised   KnowledgeStatus = "REVISED"
	KnowledgeStatusRetired   KnowledgeStatus = "RETIRED"
)

// Knowledge languages: the desktop serves Chinese and English.
var KnowledgeLanguages = []string{"zh", "en"}

// Bounds of a knowledge item's content.
const (
	MaxKnowledgeTitle = 200      // runes
	MaxKnowledgeBody  = 64 << 10 // bytes
	MaxKnowledgeTags  = 20       // tags per item
	MaxKnowledgeTag   = 40       // runes per tag
	maxKnowledgeLabel = 80       // runes: category, business domain
)

// KnowledgeContent is one version of an item.
type KnowledgeContent struct {
	Title string `json:"title"`
	// Body is Markdown for an article, the reply's text with {{variables}}
	// (TemplateVariables) for a template.
	Body           string   `json:"body"`
	Language       string   `json:"language"`
	Category       string   `json:"category,omitempty"`
	BusinessDomain string   `json:"businessDomain,omitempty"`
	Tags           []string `json:"tags,omitempty"`
	// Channels a template is worded for; none means every channel.
	Channels []Channel `json:"channels,omitempty"`
}

// KnowledgeVersion is a saved version of an item.
type KnowledgeVersion struct {
	Number      int
	Content     KnowledgeContent
	DraftedBy   string
	DraftedAt   time.Time
	PublishedAt time.Time // zero while never published
}

// KnowledgeItem is an article or a reply template, folded from
// knowledge-<id>.
type KnowledgeItem struct {
	ID       string
	Kind     KnowledgeKind
	Versions []KnowledgeVersion // by number, from 1
	// Live is the number of the version agents see, 0 when none is
	// published or the item is retired.
	Live         int
	Retired      bool
	RetiredAt    time.Time
	RetireReason string
}

// Exists reports whether the item was ever drafted.
func (k KnowledgeItem) Exists() bool { return len(k.Versions) > 0 }

// Status is the item's place in its lifecycle.
func (k KnowledgeItem) Status() KnowledgeStatus {
	switch {
	case k.Retired:
		return KnowledgeStatusRetired
	case k.Live == 0:
		return KnowledgeStatusDraft
	case k.publishedBefore(k.Live):
		return KnowledgeStatusRevised
	default:
		return KnowledgeStatusPublished
	}
}

// publishedBefore reports whether a version other than number was
// published before.
func (k KnowledgeItem) publishedBefore(number int) bool {
	for _, v := range k.Versions {
		if v.Number != number && !v.PublishedAt.IsZero() {
			return true
		}
	}
	return false
}

// PendingRevision is the number of the newest version, when it is newer
// than the live one and was never published (0 when none).
func (k KnowledgeItem) PendingRevision() int {
	if !k.Exists() || k.Retired {
		return 0
	}
	last := k.Versions[len(k.Versions)-1]
	if last.Number > k.Live && last.PublishedAt.IsZero() {
		return last.Number
	}
	return 0
}

// Version returns version number, false when there is none.
func (k KnowledgeItem) Version(number int) (KnowledgeVersion, bool) {
	if number < 1 || number > len(k.Versions) {
		return KnowledgeVersion{}, false
	}
	return k.Versions[number-1], true
}

// Knowledge events.
type (
	// KnowledgeDrafted saves a new version of an item (version 1 creates
	// it); it is not live until published.
	KnowledgeDrafted struct {
		ItemID  string           `json:"itemId"`
		Kind    KnowledgeKind    `json:"kind"`
		Version int              `json:"version"`
		Content KnowledgeContent `json:"content"`
		By      string           `json:"by"`
		At      time.Time        `json:"at"`
	}
	// KnowledgePublished makes a version the live one; the version live
	// before is superseded but kept.
	KnowledgePublished struct {
		ItemID  string    `json:"itemId"`
		Version int       `json:"version"`
		By      string    `json:"by"`
		At      time.Time `json:"at"`
	}
	// KnowledgeRetired takes an item out of search and suggestions for
	// good; its versions stay in the ledger.
	KnowledgeRetired struct {
		ItemID string    `json:"itemId"`
		Reason string    `json:"reason"`
		By     string    `json:"by"`
		At     time.Time `json:"at"`
	}
)

func (KnowledgeDrafted) EventType() string   { return "KnowledgeDrafted" }
func (KnowledgePublished) EventType() string { return "KnowledgePublished" }
func (KnowledgeRetired) EventType() string   { return "KnowledgeRetired" }

func init() {
	register[KnowledgeDrafted]()
	register[KnowledgePublished]()
	register[KnowledgeRetired]()
}

// EvolveKnowledge applies one event to an item.
func EvolveKnowledge(k KnowledgeItem, e Event) KnowledgeItem {
	switch e := e.(type) {
	case KnowledgeDrafted:
		k.ID, k.Kind = e.ItemID, e.Kind
		k.Versions = append(slices.Clip(k.Versions), KnowledgeVersion{Number: e.Version, Content: e.Content, DraftedBy: e.By, DraftedAt: e.At})
	case KnowledgePublished:
		if e.Version >= 1 && e.Version <= len(k.Versions) {
			k.Versions = slices.Clone(k.Versions)
			k.Versions[e.Version-1].PublishedAt = e.At
			k.Live = e.Version
		}
	case KnowledgeRetired:
		k.Retired, k.RetiredAt, k.RetireReason, k.Live = true, e.At, e.Reason, 0
	}
	return k
}

// KnowledgeCommand is a request to change a knowledge item.
type KnowledgeCommand interface{ knowledgeCommand() }

// Knowledge commands. By is the author (a supervisor or an admin: the
// caller's role is checked before the command is decided).
type (
	// DraftKnowledge saves a new version of an item, creating it with
	// Kind when it does not exist.
	DraftKnowledge struct {
		Kind    KnowledgeKind
		Content KnowledgeContent
		By      string
	}
	// PublishKnowledge makes Version live (0: the newest version).
	PublishKnowledge struct {
		Version int
		By      string
	}
	// RetireKnowledge retires the item.
	RetireKnowledge struct {
		Reason string
		By     string
	}
)

func (DraftKnowledge) knowledgeCommand()   {}
func (PublishKnowledge) knowledgeCommand() {}
func (RetireKnowledge) knowledgeCommand()  {}

// DecideKnowledge decides which events a command produces on item k.
func DecideKnowledge(k KnowledgeItem, cmd KnowledgeCommand, now time.Time) ([]Event, error) {
	switch cmd := cmd.(type) {
	case DraftKnowledge:
		return decideDraftKnowledge(k, cmd, now)
	case PublishKnowledge:
		return decidePublishKnowledge(k, cmd, now)
	case RetireKnowledge:
		return decideRetireKnowledge(k, cmd, now)
	default:
		return nil, invalid("unknown knowledge command %T", cmd)
	}
}

func decideDraftKnowledge(k KnowledgeItem, cmd DraftKnowledge, now time.Time) ([]Event, error) {
	if k.Retired {
		return nil, conflict("knowledge item %s is retired", k.ID)
	}
	kind := cmd.Kind
	if k.Exists() {
		if kind != "" && kind != k.Kind {
			return nil, invalid("knowledge item %s is a %s, not a %s", k.ID, k.Kind, kind)
		}
		kind = k.Kind
	}
	content, err := normalizeKnowledge(kind, cmd.Content)
	if err != nil {
		return nil, err
	}
	if k.Exists() && k.Versions[len(k.Versions)-1].Content.Equal(content) {
		return nil, nil // saved already: a retry, or nothing changed
	}
	return []Event{KnowledgeDrafted{ItemID: k.ID, Kind: kind, Version: len(k.Versions) + 1, Content: content, By: cmd.By, At: now}}, nil
}

func decidePublishKnowledge(k KnowledgeItem, cmd PublishKnowledge, now time.Time) ([]Event, error) {
	if !k.Exists() {
		return nil, notFound("knowledge item %s does not exist", k.ID)
	}
	if k.Retired {
		return nil, conflict("knowledge item %s is retired", k.ID)
	}
	version := cmd.Version
	if version == 0 {
		version = len(k.Versions)
	}
	if _, ok := k.Version(version); !ok {
		return nil, invalid("knowledge item %s has no version %d (it has %d)", k.ID, version, len(k.Versions))
	}
	if version == k.Live {
		return nil, nil // live already
	}
	return []Event{KnowledgePublished{ItemID: k.ID, Version: version, By: cmd.By, At: now}}, nil
}

func decideRetireKnowledge(k KnowledgeItem, cmd RetireKnowledge, now time.Time) ([]Event, error) {
	if !k.Exists() {
		return nil, notFound("knowledge item %s does not exist", k.ID)
	}
	if k.Retired {
		return nil, nil
	}
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxKnowledgeLabel*4 {
		return nil, invalid("retiring knowledge item %s needs a reason of 1 to %d characters", k.ID, maxKnowledgeLabel*4)
	}
	return []Event{KnowledgeRetired{ItemID: k.ID, Reason: reason, By: cmd.By, At: now}}, nil
}

// normalizeKnowledge checks a version's content for kind and returns it
// trimmed, with its tags lower-cased, deduplicated and sorted.
func normalizeKnowledge(kind KnowledgeKind, c KnowledgeContent) (KnowledgeContent, error) {
	if kind != KnowledgeArticle && kind != KnowledgeTemplate {
		return c, invalid("knowledge kind must be %s or %s, not %q", KnowledgeArticle, KnowledgeTemplate, kind)
	}
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" || utf8.RuneCountInString(c.Title) > MaxKnowledgeTitle || !utf8.ValidString(c.Title) {
		return c, invalid("a title of 1 to %d characters", MaxKnowledgeTitle)
	}
	c.Body = strings.TrimSpace(c.Body)
	if c.Body == "" || len(c.Body) > MaxKnowledgeBody || !utf8.ValidString(c.Body) {
		return c, invalid("a body of 1 byte to %d KiB of text", MaxKnowledgeBody>>10)
	}
	if !slices.Contains(KnowledgeLanguages, c.Language) {
		return c, invalid("language must be one of %v, not %q", KnowledgeLanguages, c.Language)
	}
	var err error
	if c.Category, err = knowledgeLabel("category", c.Category); err != nil {
		return c, err
	}
	if c.BusinessDomain, err = knowledgeLabel("business domain", c.BusinessDomain); err != nil {
		return c, err
	}
	if c.Tags, err = knowledgeTags(c.Tags); err != nil {
		return c, err
	}
	if c.Channels, err = knowledgeChannels(kind, c.Channels); err != nil {
		return c, err
	}
	if kind == KnowledgeTemplate {
		if _, err := TemplateVariables(c.Body); err != nil {
			return c, err
		}
	}
	return c, nil
}

func knowledgeLabel(what, s string) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxKnowledgeLabel || !utf8.ValidString(s) {
		return s, invalid("a %s of at most %d characters", what, maxKnowledgeLabel)
	}
	return s, nil
}

func knowledgeTags(tags []string) ([]string, error) {
	var out []string
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > MaxKnowledgeTag || !utf8.ValidString(t) {
			return nil, invalid("tags of at most %d characters", MaxKnowledgeTag)
		}
		out = append(out, t)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxKnowledgeTags {
		return nil, invalid("at most %d tags, got %d", MaxKnowledgeTags, len(out))
	}
	return out, nil
}

func knowledgeChannels(kind KnowledgeKind, channels []Channel) ([]Channel, error) {
	if len(channels) > 0 && kind != KnowledgeTemplate {
		return nil, invalid("only a reply template is worded for channels")
	}
	out := slices.Clone(channels)
	for _, ch := range out {
		if !slices.Contains(Channels, ch) {
			return nil, invalid("unknown channel %q", ch)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Equal reports whether two versions' contents are the same (both
// normalized, as the domain stores them).
func (a KnowledgeContent) Equal(b KnowledgeContent) bool {
	return a.Title == b.Title && a.Body == b.Body && a.Language == b.Language && a.Category == b.Category &&
		a.BusinessDomain == b.BusinessDomain && slices.Equal(a.Tags, b.Tags) && slices.Equal(a.Channels, b.Channels)
}
