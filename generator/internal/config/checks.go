package config

import "github.com/apibuilder/apibuilder/generator/internal/diag"

// Check is a rule over the whole validated config that adds its problems
// to the same list as validation, so one run still reports everything.
type Check func(cfg *Config, diags *diag.List)

// registered are the checks other packages add. Package awsrules registers
// AWS's documented rules here: it reads the config's types, so config
// cannot import it. package generate imports awsrules, so every run of the
// generator checks them; this package's tests link it through
// awsrules_link_test.go.
var registered []Check

// Register adds a check that every Load runs after validation. It is meant
// for package initialization.
func Register(c Check) { registered = append(registered, c) }

func runRegistered(cfg *Config, diags *diag.List) {
	for _, c := range registered {
		c(cfg, diags)
	}
}
