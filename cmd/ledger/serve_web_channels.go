package main

import (
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/channels/sms"
	"github.com/interactionledger/ledger/channels/webchat"
	"github.com/interactionledger/ledger/channels/wechat"
	"github.com/interactionledger/ledger/domain"
)

// webChannelsComponent wires the HTTP channels (web chat, SMS, WeChat,
// app) on --http into `ledger serve`, and adds their senders of agents'
// replies to the outbound dispatcher.
type webChannelsComponent struct {
	appKey, appPush                                   string
	smsAuthToken, smsAPI, smsFrom                     string
	wechatToken, wechatAPI, wechatAppID, wechatSecret string
	webchatSecret, webchatOrigins                     string

	chat *webchat.Server // built by provide
}

func newWebChannelsComponent() serveComponent { return &webChannelsComponent{} }

func (c *webChannelsComponent) addFlags(fs *flag.FlagSet) {
	str := func(dst *string, name, usage string) {
		env := "LEDGER_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		fs.StringVar(dst, name, envOr(env, ""), usage+" (env "+env+")")
	}
	str(&c.appKey, "app-key", "API key the mobile app sends in X-Api-Key; /channels/app refuses every request without one")
	str(&c.appPush, "app-push", "URL agents' replies on the app channel are POSTed to (signed with the app key); without it the app fetches them")
	str(&c.smsAuthToken, "sms-auth-token", "SMS provider auth token: checks X-Twilio-Signature on /channels/sms and authenticates --sms-api")
	str(&c.smsAPI, "sms-api", "SMS provider REST base for replies, e.g. https://api.twilio.com/2010-04-01/Accounts/AC...")
	str(&c.smsFrom, "sms-from", "with --sms-api: number (or messaging service id MG...) replies are sent from")
	str(&c.wechatToken, "wechat-token", "WeChat official account server token; /channels/wechat refuses every request without one")
	str(&c.wechatAPI, "wechat-api", "WeChat API base for replies (customer-service messages), e.g. https://api.weixin.qq.com")
	str(&c.wechatAppID, "wechat-appid", "with --wechat-api: app id that fetches the access token (omit behind a token gateway)")
	str(&c.wechatSecret, "wechat-secret", "with --wechat-appid: app secret")
	str(&c.webchatSecret, "webchat-secret", "HMAC secret of the site backend's identity assertions (JWT HS256, iss interaction-ledger-site, aud interaction-ledger-webchat) for verified web chat customers; at least 32 bytes")
	str(&c.webchatOrigins, "webchat-origins", "comma-separated web origins whose pages may open web chat sockets (* for any)")
}

// provide builds the web chat server and offers the reply senders of the
// web channels.
func (c *webChannelsComponent) provide(core *serveCore) (offers, error) {
	chat, err := webchat.NewServer(webchat.Config{
		Ledger: core.handler, Secret: c.webchatSecret, AllowedOrigins: splitList(c.webchatOrigins),
		Logger: c.logger().With("channel", "webchat"), Registerer: core.registry,
	})
	if err != nil {
		return offers{}, err
	}
	c.chat = chat
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

// mount registers the inbound endpoints on the HTTP server.
func (c *webChannelsComponent) mount(core *serveCore, chat *webchat.Server, logger *slog.Logger) {
	core.mux.Handle("GET /channels/webchat", chat)
	core.mux.Handle("POST /channels/sms", sms.NewWebhook(sms.Config{Receiver: core.handler, AuthToken: c.smsAuthToken, Logger: logger.With("channel", "sms")}))
	core.mux.Handle("/channels/wechat", wechat.NewHandler(wechat.Config{Ledger: core.handler, Token: c.wechatToken, Logger: logger.With("channel", "wechat")}))
	core.mux.Handle("/channels/app", app.NewHandler(app.Config{Receiver: core.handler, Key: c.appKey, Logger: logger.With("channel", "app")}))
	if c.smsAuthToken == "" {
		logger.Warn("/channels/sms accepts unsigned requests: set --sms-auth-token")
	}
	if c.wechatToken == "" {
		logger.Info("/channels/wechat is disabled: no --wechat-token")
	}
	if c.appKey == "" {
		logger.Info("/channels/app is disabled: no --app-key")
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
	}
	if c.appPush != "" {
		p, err := app.NewPusher(c.appPush, c.appKey, nil)
		if err != nil {
			return nil, fmt.Errorf("--app-push: %w", err)
		}
		out[domain.ChannelApp] = p
	}
	return out, nil
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
