package auth

import (
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestMasking(t *testing.T) {
	for _, c := range []struct {
		kind  domain.IdentityKind
		value string
		want  string
	}{
		{domain.IdentityPhone, "+8613800138000", "+86*******8000"},
		{domain.IdentityPhone, "+441632960961", "+44******0961"},
		{domain.IdentityPhone, "12345", "*2345"},
		{domain.IdentityEmail, "wang.fang@example.com", "w***@***.com"},
		{domain.IdentityEmail, "li@mail.example.cn", "l***@***.cn"},
		{domain.IdentityEmail, "broken", "**oken"},
		{domain.IdentityWeChat, "oDemo00042765x2873", "**************2873"},
		{domain.IdentityDevice, "abc", "***"},
	} {
		if got := MaskIdentity(c.kind, c.value); got != c.want {
			t.Errorf("MaskIdentity(%s, %q) = %q, want %q", c.kind, c.value, got, c.want)
		}
	}
	for name, want := range map[string]string{"Wang Fang": "W***", "李静": "李***", "  ": "", "": ""} {
		if got := MaskName(name); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", name, got, want)
		}
	}
	if MaskText("secret", true) != MaskedText || MaskText("", true) != "" || MaskText("plain", false) != "plain" {
		t.Error("text masking")
	}
}
