package domain

import (
	"slices"
	"strings"
)

// TemplateVariable names a value a reply template may insert: what the
// desktop knows of the conversation when the agent picks the template.
type TemplateVariable string

// The variables a reply template may use, as {{customer.displayName}}.
const (
	VarCustomerName       TemplateVariable = "customer.displayName"
	VarCustomerTier       TemplateVariable = "customer.tier"
	VarTicketNumber       TemplateVariable = "ticket.number"
	VarTicketSubject      TemplateVariable = "ticket.subject"
	VarAgentName          TemplateVariable = "agent.name"
	VarInteractionChannel TemplateVariable = "interaction.channel"
)

// TemplateVariableNames lists every variable a template may use.
var TemplateVariableNames = []TemplateVariable{
	VarCustomerName, VarCustomerTier, VarTicketNumber, VarTicketSubject, VarAgentName, VarInteractionChannel,
}

// templatePart is a run of literal text or a variable of a template.
type templatePart struct {
	text     string
	variable TemplateVariable // set for a variable
}

// parseTemplate splits a template into its literal runs and variables. A
// "{{" always opens a variable: one that is not closed by "}}", or that
// names no known variable, makes the template invalid, so a typo is caught
// when the template is saved, not when a customer receives "{{custmer}}".
func parseTemplate(text string) ([]templatePart, error) {
	var parts []templatePart
	for {
		open := strings.Index(text, "{{")
		if open < 0 {
			if text != "" {
				parts = append(parts, templatePart{text: text})
			}
			return parts, nil
		}
		if open > 0 {
			parts = append(parts, templatePart{text: text[:open]})
		}
		rest := text[open+2:]
		end := strings.Index(rest, "}}")
		if end < 0 {
			return nil, invalid("template: a {{ is never closed by }}")
		}
		name := TemplateVariable(strings.TrimSpace(rest[:end]))
		if !slices.Contains(TemplateVariableNames, name) {
			return nil, invalid("template: unknown variable {{%s}} (known: %v)", excerptRunes(string(name), 40), TemplateVariableNames)
		}
		parts = append(parts, templatePart{variable: name})
		text = rest[end+2:]
	}
}

// TemplateVariables returns the variables a template uses, each once, in
// order of first use; an invalid template is an EINVALID error.
func TemplateVariables(text string) ([]TemplateVariable, error) {
	parts, err := parseTemplate(text)
	if err != nil {
		return nil, err
	}
	var vars []TemplateVariable
	for _, p := range parts {
		if p.variable != "" && !slices.Contains(vars, p.variable) {
			vars = append(vars, p.variable)
		}
	}
	return vars, nil
}

// FillTemplate writes a template with its variables replaced by values;
// a variable without a value is left as it is written, for the agent to
// see and complete before sending.
func FillTemplate(text string, values map[TemplateVariable]string) (string, error) {
	parts, err := parseTemplate(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range parts {
		switch v, ok := values[p.variable]; {
		case p.variable == "":
			b.WriteString(p.text)
		case ok && v != "":
			b.WriteString(v)
		default:
			b.WriteString("{{" + string(p.variable) + "}}")
		}
	}
	return b.String(), nil
}

// excerptRunes cuts s to at most n runes, for error messages.
func excerptRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
