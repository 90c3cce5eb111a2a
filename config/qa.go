package config

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/interactionledger/ledger/domain"
)

//go:embed default_scorecards.yaml
var defaultScorecards []byte

// DefaultScorecards returns the QA scorecards shipped with the ledger.
func DefaultScorecards() []domain.Scorecard {
	cards, err := ParseScorecards(defaultScorecards)
	if err != nil {
		panic(fmt.Sprintf("default scorecards: %v", err)) // a test guards the embedded file
	}
	return cards
}

// maxScorecardFile bounds a scorecard file: it is configuration, never
// bulk data.
const maxScorecardFile = 1 << 20

// scorecardFile is the scorecard file's shape: {"scorecards": [...]}.
type scorecardFile struct {
	Scorecards []domain.Scorecard `json:"scorecards"`
}

// ParseScorecards reads a scorecard file, JSON or YAML (JSON is YAML, but
// is read with encoding/json when it looks like JSON, for exact errors).
// Unknown fields are errors, so a misspelt key does not silently disable a
// rule. Every scorecard is validated, and ids must be unique. Errors are
// *domain.Error with code EINVALID.
func ParseScorecards(data []byte) ([]domain.Scorecard, error) {
	if len(data) > maxScorecardFile {
		return nil, domain.Errorf(domain.EINVALID, "scorecard file is %d bytes, more than %d", len(data), maxScorecardFile)
	}
	raw := bytes.TrimSpace(data)
	if len(raw) == 0 || raw[0] != '{' {
		converted, err := yamlToJSON(data)
		if err != nil {
			return nil, err
		}
		raw = converted
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f scorecardFile
	if err := dec.Decode(&f); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "scorecard file: %v", err)
	}
	if dec.More() {
		return nil, domain.Errorf(domain.EINVALID, "scorecard file: data after the top-level object")
	}
	return validateScorecards(f.Scorecards)
}

func validateScorecards(cards []domain.Scorecard) ([]domain.Scorecard, error) {
	if len(cards) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "scorecard file has no scorecards")
	}
	seen := map[string]bool{}
	for _, c := range cards {
		if err := c.Validate(); err != nil {
			return nil, err
		}
		if seen[c.ID] {
			return nil, domain.Errorf(domain.EINVALID, "scorecard id %q is used twice", c.ID)
		}
		seen[c.ID] = true
	}
	return cards, nil
}

// yamlToJSON converts a YAML document to JSON, so that one strict JSON
// decoder (with the domain types' field names) reads both formats.
func yamlToJSON(data []byte) ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "scorecard file: %v", err)
	}
	doc, err := jsonable(doc, 0)
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "scorecard file: %v", err)
	}
	return out, nil
}

// jsonable turns what yaml.v3 decodes into values encoding/json can
// write: maps with non-string keys are refused.
func jsonable(v any, depth int) (any, error) {
	if depth > 32 {
		return nil, domain.Errorf(domain.EINVALID, "scorecard file nests too deep")
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			c, err := jsonable(x, depth+1)
			if err != nil {
				return nil, err
			}
			v[k] = c
		}
		return v, nil
	case map[any]any:
		return nil, domain.Errorf(domain.EINVALID, "scorecard file: keys must be strings")
	case []any:
		for i, x := range v {
			c, err := jsonable(x, depth+1)
			if err != nil {
				return nil, err
			}
			v[i] = c
		}
		return v, nil
	default:
		return v, nil
	}
}

// LoadScorecards reads a QA scorecard file; see ParseScorecards.
func LoadScorecards(path string) ([]domain.Scorecard, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scorecards: %w", err)
	}
	cards, err := ParseScorecards(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cards, nil
}
