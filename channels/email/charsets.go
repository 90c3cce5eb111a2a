package email

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Labels Chinese mailers write that the IANA and WHATWG indexes behind
// go-message/charset do not know: EUC-CN is GB2312's encoding form, and
// Python's codec names (its email.header writes GB2312 as
// "eucgb2312_cn") travel as labels too. GB2312 labels decode as GBK, its
// superset, as GB2312 itself does, because mailers labelling text GB2312
// routinely send GBK characters.
var charsetAliases = map[string]encoding.Encoding{
	"euc-cn": simplifiedchinese.GBK, "x-euc-cn": simplifiedchinese.GBK, "euccn": simplifiedchinese.GBK, "euc_cn": simplifiedchinese.GBK,
	"eucgb2312_cn": simplifiedchinese.GBK, "eucgb2312-cn": simplifiedchinese.GBK, "gb2312_1980": simplifiedchinese.GBK,
	"gb2312-1980": simplifiedchinese.GBK, "gb2312_80": simplifiedchinese.GBK, "gb2312-80": simplifiedchinese.GBK,
	"chinese": simplifiedchinese.GBK, "cp936": simplifiedchinese.GBK, "ms936": simplifiedchinese.GBK, "936": simplifiedchinese.GBK,
	"gb18030_2000": simplifiedchinese.GB18030, "gb18030-2000": simplifiedchinese.GB18030,
	"big5_tw": traditionalchinese.Big5, "big5-tw": traditionalchinese.Big5, "big5_hkscs": traditionalchinese.Big5,
	"cp950": traditionalchinese.Big5, "ms950": traditionalchinese.Big5,
}

func init() {
	for name, enc := range charsetAliases {
		charset.RegisterEncoding(name, enc)
	}
	known := message.CharsetReader
	message.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		if r, err := known(label, input); err == nil {
			return r, nil
		}
		return guessCharset(label, input)
	}
}

// maxGuessBytes bounds what an unknown charset's text is read into memory
// to be guessed from; a part is bounded by the message's size already.
const maxGuessBytes = 32 << 20

// guessCharset decodes text whose charset label is unknown, rather than
// keeping it encoded: UTF-8 when it is valid UTF-8; else GB18030 (which
// covers GB2312 and GBK, what Chinese mail mislabels most) when that
// decodes it whole, or when the label names something Chinese; else
// Windows-1252, which maps every byte.
func guessCharset(label string, input io.Reader) (io.Reader, error) {
	raw, err := io.ReadAll(io.LimitReader(input, maxGuessBytes))
	if err != nil {
		return nil, err
	}
	if utf8.Valid(raw) {
		return bytes.NewReader(raw), nil
	}
	if text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw); err == nil && (!bytes.ContainsRune(text, utf8.RuneError) || chineseLabel(label)) {
		return bytes.NewReader(text), nil
	}
	text, err := charmap.Windows1252.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(text), nil
}

// chineseLabel reports whether a charset label names a Chinese encoding
// by its look (gb…, …cn…, chinese).
func chineseLabel(label string) bool {
	l := strings.ToLower(label)
	return strings.HasPrefix(l, "gb") || strings.Contains(l, "cn") || strings.Contains(l, "chinese")
}
