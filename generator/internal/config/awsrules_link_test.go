package config_test

// The error cases (TestErrorCases) include AWS's rules, which package
// awsrules registers with config: link it into this test binary.
import _ "github.com/apibuilder/apibuilder/generator/internal/awsrules"
