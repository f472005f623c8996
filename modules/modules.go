// Package modules carries apibuilder's Terraform modules inside every
// build of the tool, so a project outside this repository gets the exact
// modules of the apibuilder version that generated it (written into the
// project under .apibuilder/modules/<version>/ by the generator).
//
// The modules themselves are plain Terraform: api_gateway/ and
// lambda_route/ next to this file. Only their .tf files travel.
package modules

import "embed"

// FS holds api_gateway/*.tf and lambda_route/*.tf.
//
//go:embed api_gateway/*.tf lambda_route/*.tf
var FS embed.FS

// Names are the modules, in the order the generator writes them.
var Names = []string{"api_gateway", "lambda_route"}
