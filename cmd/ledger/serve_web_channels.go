package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/channels/sms"
	"github.com/interactionledger/ledger/channels/webchat"
	"github.com/interactionledger/ledger/channels/wechat"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
	"github.com/interactionledger/ledger/ui/widget"
)

// webChannelsComponent wires the HTTP channels (web chat, SMS, WeChat,
// app) on --http into `ledger serve`, and adds their senders of agents'
// replies to the outbound dispatcher.
type webChannelsComponent struct {
	appKey                                            string // removed: refused with a pointer to its successors
	appServerKey, appAssertionSecret                  string
	appIssuer, appAudience, appPush, appPushSecret    string
	smsAuthToken, smsAPI, smsFrom                     string
	smsInsecure                                       bool
	wechatToken, wechatAPI, wechatAppID, wechatSecret string
	webchatSecret, webchatOrigins, webchatVisitorKey  string

	chat  *webchat.Server // built by provide
	appIn *app.Handler    // built by provide
	// wechatMedia fetches customers' WeChat media: the sender, when the
	// API is configured (built by provide); nil otherwise.
	wechatMedia wechat.MediaFetcher
}

// webchatVisitorKeyFile holds, in the data directory, the key web chat
// visitor ids are digested with (see webchat.VisitorDigest).
const webchatVisitorKeyFile = "webchat-visitor.key"

func newWebChannelsComponent() serveComponent { return &webChannelsComponent{} }

func (c *webChannelsComponent) addFlags(fs *flag.FlagSet) {
	str := func(dst *string, name, usage string) {
		env := "LEDGER_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		fs.StringVar(dst, name, envOr(env, ""), usage+" (env "+env+")")
	}
	str(&c.appKey, "app-key", "removed: use --app-assertion-secret (apps) or --app-server-key (your backend), and --app-push-secret")
	str(&c.appAssertionSecret, "app-assertion-secret", "HMAC secret (32+ bytes) of the per-user identity assertions (JWT HS256) your backend issues to app users; apps send them in X-Identity-Assertion")
	str(&c.appIssuer, "app-assertion-issuer", "iss claim app identity assertions must carry (required with --app-assertion-secret)")
	fs.StringVar(&c.appAudience, "app-assertion-audience", envOr("LEDGER_APP_ASSERTION_AUDIENCE", app.DefaultAudience),
		"aud claim app identity assertions must carry (env LEDGER_APP_ASSERTION_AUDIENCE)")
	str(&c.appServerKey, "app-server-key", "key (32+ bytes) your backend sends in X-Api-Key to post to /channels/app as any customer, server to server; never ship it in an app")
	str(&c.appPush, "app-push", "URL agents' replies on the app channel are POSTed to (signed with --app-push-secret); without it the app fetches them")
	str(&c.appPushSecret, "app-push-secret", "HMAC secret (32+ bytes) signing pushes to --app-push (X-Ledger-Signature); must differ from the inbound secrets")
	str(&c.smsAuthToken, "sms-auth-token", "SMS provider auth token: checks X-Twilio-Signature on /channels/sms and authenticates --sms-api")
	fs.BoolVar(&c.smsInsecure, "sms-insecure", envOr("LEDGER_SMS_INSECURE", "") == "true",
		"without --sms-auth-token, accept unsigned posts on /channels/sms (anyone who reaches it can then write as any phone number): for local trials only; without either the endpoint is disabled (env LEDGER_SMS_INSECURE=true)")
	str(&c.smsAPI, "sms-api", "SMS provider REST base for replies, e.g. https://api.twilio.com/2010-04-01/Accounts/AC...")
	str(&c.smsFrom, "sms-from", "with --sms-api: number (or messaging service id MG...) replies are sent from")
	str(&c.wechatToken, "wechat-token", "WeChat official account server token; /channels/wechat refuses every request without one")
	str(&c.wechatAPI, "wechat-api", "WeChat API base for replies (customer-service messages), e.g. https://api.weixin.qq.com")
	str(&c.wechatAppID, "wechat-appid", "with --wechat-api: app id that fetches the access token (omit behind a token gateway)")
	str(&c.wechatSecret, "wechat-secret", "with --wechat-appid: app secret")
	str(&c.webchatSecret, "webchat-secret", "HMAC secret of the site backend's identity assertions (JWT HS256, iss interaction-ledger-site, aud interaction-ledger-webchat) for verified web chat customers; at least 32 bytes")
	str(&c.webchatVisitorKey, "webchat-visitor-key", "file of the key (hex, 32+ bytes, mode 0600) digesting web chat visitor ids; created if missing (default: "+webchatVisitorKeyFile+" in the data directory; give every node serving one ledger the same file)")
	str(&c.webchatOrigins, "webchat-origins", "comma-separated web origins whose pages may open web chat sockets (* for any)")
}

// provide builds the web chat server and offers the reply senders of the
// web channels.
func (c *webChannelsComponent) provide(core *serveCore) (offers, error) {
	keyFile := c.webchatVisitorKey
	if keyFile == "" {
		keyFile = filepath.Join(core.dataDir, webchatVisitorKeyFile)
	}
	visitorKey, err := webchat.LoadOrCreateVisitorKey(keyFile)
	if err != nil {
		return offers{}, err
	}
	connects, sockets := core.limits.webchatConnects()
	chat, err := webchat.NewServer(webchat.Config{
		Ledger: core.handler, Secret: c.webchatSecret, VisitorKey: visitorKey, AllowedOrigins: splitList(c.webchatOrigins),
		Logger: c.logger().With("channel", "webchat"), Registerer: core.registry,
		Limits: core.limits.guard(clientRate), Connects: connects, Sockets: sockets, Files: webchatFiles(core),
	})
	if err != nil {
		return offers{}, err
	}
	c.chat = chat
	if c.appIn, err = c.appHandler(core.handler, core.limits.guard(providerRate)); err != nil {
		return offers{}, err
	}
	core.goRun(func() {
		<-core.ctx.Done()
		chat.Close() // says goodbye to every socket and waits for them
	})
	senders, err := c.senders(chat)
	if err != nil {
		return offers{}, err
	}
	return offers{senders: senders}, nil
}

// start mounts the channels' endpoints.
func (c *webChannelsComponent) start(core *serveCore, _ offers) error {
	c.mount(core, c.chat, c.logger())
	return nil
}

func (c *webChannelsComponent) logger() *slog.Logger {
	return slog.Default().With("component", "channels")
}

// mount registers the inbound endpoints on the HTTP server, and the web
// chat widget sites embed (/widget.js) with its demo page
// (/widget-demo.html).
func (c *webChannelsComponent) mount(core *serveCore, chat *webchat.Server, logger *slog.Logger) {
	core.mux.Handle("GET /channels/webchat", chat)
	core.mux.HandleFunc("/channels/webchat/files", chat.ServeFiles)
	core.mux.HandleFunc("/channels/webchat/files/{sha256}", chat.ServeFiles)
	widget.Mount(core.mux)
	if !widget.Built() {
		logger.Warn("the web chat widget is not built into this binary: /widget.js is a placeholder; run make ui-widget, then rebuild")
	}
	core.mux.Handle("POST /channels/sms", sms.NewWebhook(sms.Config{Receiver: core.handler, AuthToken: c.smsAuthToken, Insecure: c.smsInsecure, Logger: logger.With("channel", "sms"),
		Limits: core.limits.guard(providerRate)}))
	core.mux.Handle("/channels/wechat", wechat.NewHandler(wechat.Config{Ledger: core.handler, Token: c.wechatToken, Logger: logger.With("channel", "wechat"),
		Limits: core.limits.guard(providerRate), Media: c.wechatMedia}))
	core.mux.Handle("/channels/app", c.appIn)
	switch {
	case c.smsAuthToken == "" && c.smsInsecure:
		logger.Warn("/channels/sms accepts unsigned requests (--sms-insecure): anyone who reaches it can write as any phone number; set --sms-auth-token")
	case c.smsAuthToken == "":
		logger.Info("/channels/sms is disabled: no --sms-auth-token")
	}
	if c.wechatToken == "" {
		logger.Info("/channels/wechat is disabled: no --wechat-token")
	}
	if c.appAssertionSecret == "" && c.appServerKey == "" {
		logger.Info("/channels/app is disabled: no --app-assertion-secret or --app-server-key")
	}
}

// senders returns the outbound sender of every channel that has one
// configured; replies on other channels are not delivered by this
// component.
func (c *webChannelsComponent) senders(chat *webchat.Server) (map[domain.Channel]outbound.Sender, error) {
	out := map[domain.Channel]outbound.Sender{domain.ChannelWebchat: chat}
	if c.smsAPI != "" {
		s, err := sms.NewSender(sms.SenderConfig{BaseURL: c.smsAPI, AuthToken: c.smsAuthToken, From: c.smsFrom})
		if err != nil {
			return nil, fmt.Errorf("--sms-api: %w", err)
		}
		out[domain.ChannelSMS] = s
	}
	if c.wechatAPI != "" {
		s, err := wechat.NewSender(wechat.SenderConfig{BaseURL: c.wechatAPI, AppID: c.wechatAppID, AppSecret: c.wechatSecret})
		if err != nil {
			return nil, fmt.Errorf("--wechat-api: %w", err)
		}
		out[domain.ChannelWeChat] = s
		c.wechatMedia = s
	}
	if c.appPush != "" {
		p, err := app.NewPusher(c.appPush, c.appPushSecret, nil)
		if err != nil {
			return nil, fmt.Errorf("--app-push: %w", err)
		}
		out[domain.ChannelApp] = p
	}
	return out, nil
}

// appHandler builds /channels/app from the app flags, refusing the removed
// shared --app-key and a push secret that is also an inbound secret.
func (c *webChannelsComponent) appHandler(receiver *commands.Handler, limits *limit.Guard) (*app.Handler, error) {
	if c.appKey != "" {
		return nil, errors.New("--app-key (LEDGER_APP_KEY) was removed: one key shipped in the app let anyone post as any customer and forge pushes; " +
			"set --app-assertion-secret and --app-assertion-issuer for per-user assertions, --app-server-key for your backend, and --app-push-secret for pushes")
	}
	if c.appPushSecret != "" && (c.appPushSecret == c.appServerKey || c.appPushSecret == c.appAssertionSecret) {
		return nil, errors.New("--app-push-secret must differ from --app-server-key and --app-assertion-secret")
	}
	if c.appServerKey != "" && c.appServerKey == c.appAssertionSecret {
		return nil, errors.New("--app-server-key must differ from --app-assertion-secret")
	}
	cfg := app.Config{Receiver: receiver, ServerKey: c.appServerKey, Logger: c.logger().With("channel", "app"), Limits: limits}
	if c.appAssertionSecret != "" {
		v, err := app.NewVerifier([]byte(c.appAssertionSecret), c.appIssuer, c.appAudience)
		if err != nil {
			return nil, fmt.Errorf("--app-assertion-secret: %w", err)
		}
		cfg.Assertions = v
	}
	h, err := app.NewHandler(cfg)
	if err != nil {
		return nil, fmt.Errorf("--app-server-key: %w", err)
	}
	return h, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// webchatFiles is the web chat's view of the kept files: none (nil) on a
// ledger in clear.
func webchatFiles(core *serveCore) webchat.FileStore {
	if core.files == nil {
		return nil
	}
	return core.files
}
