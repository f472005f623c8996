package dataplane

import (
	"encoding/json"
	"strings"
)

// policyDocument is the IAM policy a Lambda authorizer returns.
type policyDocument struct {
	Version   string     `json:"Version"`
	Statement statements `json:"Statement"`
}

type statement struct {
	Effect   string     `json:"Effect"`
	Action   stringList `json:"Action"`
	Resource stringList `json:"Resource"`
}

// statements accepts IAM's two spellings: one statement object or a list.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var one statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var list []statement
	err := json.Unmarshal(b, &list)
	*s = list
	return err
}

// stringList accepts IAM's two spellings: "a" or ["a", "b"].
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = stringList{one}
		return nil
	}
	var list []string
	err := json.Unmarshal(b, &list)
	*l = list
	return err
}

type decision int

const (
	implicitDeny decision = iota
	allow
	deny
)

// evaluate decides as IAM does: an explicit Deny of a matching statement
// wins, then any matching Allow; otherwise the request is implicitly denied.
func (p *policyDocument) evaluate(action, resource string) decision {
	if p == nil {
		return implicitDeny
	}
	result := implicitDeny
	for _, st := range p.Statement {
		if !matchesAny(st.Action, action, true) || !matchesAny(st.Resource, resource, false) {
			continue
		}
		switch {
		case strings.EqualFold(st.Effect, "Deny"):
			return deny
		case strings.EqualFold(st.Effect, "Allow"):
			result = allow
		}
	}
	return result
}

// matchesAny matches IAM patterns; actions compare case-insensitively,
// resources (ARNs) case-sensitively.
func matchesAny(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			p, s = strings.ToLower(p), strings.ToLower(s)
		}
		if wildcardMatch(p, s) {
			return true
		}
	}
	return false
}

// wildcardMatch is IAM's glob: * matches any run of characters (slashes
// and colons included), ? exactly one.
func wildcardMatch(pattern, s string) bool {
	// Iterative glob with backtracking to the last star.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
