package email

import (
	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Labels Chinese mailers write that the IANA and WHATWG indexes behind
// go-message/charset do not know. EUC-CN is GB2312's encoding form; it is
// decoded as GBK, its superset, as GB2312 itself is, because mailers
// labelling text GB2312 routinely send GBK characters.
func init() {
	charset.RegisterEncoding("euc-cn", simplifiedchinese.GBK)
	charset.RegisterEncoding("x-euc-cn", simplifiedchinese.GBK)
}
