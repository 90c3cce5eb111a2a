package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// MaxMediaBytes bounds one media file fetched from WeChat: the platform's
// own limit for images and videos is 10 MB (voice 2 MB).
const MaxMediaBytes = 10 << 20

// ErrMediaGone is a media file WeChat no longer has (or never had: its
// MediaId is kept for three days, and an invalid one is never valid), or
// one it answers only by a description (a video's URL): the message is
// recorded with the media's description.
var ErrMediaGone = errors.New("wechat media gone")

// Media fetches a customer's image, voice or video by its MediaId from the
// temporary media API (GET /cgi-bin/media/get) with the access token; the
// caller closes the body. WeChat answers errors as JSON: a revoked token
// is fetched again once, a media id WeChat does not know is ErrMediaGone,
// anything else is worth trying again later.
func (s *Sender) Media(ctx context.Context, mediaID string) (io.ReadCloser, error) {
	body, err := s.media(ctx, mediaID)
	if isTokenError(err) && s.tokens != nil {
		s.tokens.invalidate()
		body, err = s.media(ctx, mediaID)
	}
	return body, err
}

func (s *Sender) media(ctx context.Context, mediaID string) (io.ReadCloser, error) {
	q := url.Values{"media_id": {mediaID}}
	if s.tokens != nil {
		token, err := s.tokens.get(ctx)
		if err != nil {
			return nil, err
		}
		q.Set("access_token", token)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/cgi-bin/media/get?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("build WeChat media request: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("WeChat media API unreachable: %w", redactURL(err))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("WeChat media API answered %s", resp.Status)
	}
	if mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mediaType == "application/json" || mediaType == "text/plain" {
		defer resp.Body.Close()
		return nil, mediaAPIError(resp.Body)
	}
	return resp.Body, nil
}

// mediaAPIError reads the JSON error WeChat answers in place of a file.
func mediaAPIError(body io.Reader) error {
	var ans apiAnswer
	if err := json.NewDecoder(io.LimitReader(body, 64<<10)).Decode(&ans); err != nil {
		return fmt.Errorf("WeChat media API answered neither a file nor an error: %w", err)
	}
	apiErr := &APIError{Code: ans.ErrCode, Message: ans.ErrMsg}
	switch ans.ErrCode {
	case 0:
		// Not an error, and not a file: a video answers its URL
		// ({"video_url": ...}), which the ledger records by its
		// description rather than fetch from wherever it points.
		return fmt.Errorf("%w: the media API answered a description, not the file", ErrMediaGone)
	case errInvalidMediaID:
		return fmt.Errorf("%w: %w", ErrMediaGone, apiErr)
	}
	return fmt.Errorf("fetch WeChat media: %w", apiErr)
}

// errInvalidMediaID is WeChat's "invalid media_id".
const errInvalidMediaID = 40007
