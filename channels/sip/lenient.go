package sip

import (
	"fmt"

	siplib "github.com/emiago/sipgo/sip"
)

// lenientHeaderParsers returns sipgo's header parsers changed in one way:
// a header that does not parse (a From without a URI, a CSeq that is not a
// number) is kept as an unparsed header instead of failing the whole
// message. sipgo drops a message that fails to parse without a word, so a
// phone sending a malformed header would retransmit into silence; kept,
// the request reaches the handlers, which find the typed header missing
// and answer 400 (or the transaction layer does, for a missing CSeq).
// Via and Content-Length stay strict: without them there is nobody to
// answer, or no way to tell where the message ends.
func lenientHeaderParsers() map[string]siplib.HeaderParser {
	strict := siplib.DefaultHeadersParser()
	out := make(map[string]siplib.HeaderParser, len(strict))
	for name, parse := range strict {
		switch name {
		case "via", "v", "content-length", "l":
			out[name] = parse
			continue
		}
		canonical := canonicalHeaderName(name)
		out[name] = func(headerName []byte, value string) (siplib.Header, error) {
			h, err := parse(headerName, value)
			if err == nil || isCommaSplit(err) {
				return h, err
			}
			return siplib.NewHeader(canonical, value), nil
		}
	}
	return out
}

// isCommaSplit recognises the error sipgo's parsers use internally to say
// "one value parsed, more follow after a comma"; it is part of normal
// parsing and must pass through. sipgo does not export its type.
func isCommaSplit(err error) bool {
	return fmt.Sprintf("%T", err) == "sip.errComaDetected"
}

// canonicalHeaderName maps a parser key (lower case or compact form) to
// the name handlers look a header up by.
func canonicalHeaderName(key string) string {
	switch key {
	case "f", "from":
		return "From"
	case "t", "to":
		return "To"
	case "m", "contact":
		return "Contact"
	case "i", "call-id":
		return "Call-ID"
	case "c", "content-type":
		return "Content-Type"
	case "cseq":
		return "CSeq"
	case "max-forwards":
		return "Max-Forwards"
	case "route":
		return "Route"
	case "record-route":
		return "Record-Route"
	case "r", "refer-to":
		return "Refer-To"
	case "b", "referred-by":
		return "Referred-By"
	default:
		return key
	}
}
