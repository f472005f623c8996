module github.com/apibuilder/apibuilder/test

go 1.26.8

replace github.com/apibuilder/apibuilder => ../

require (
	github.com/apibuilder/apibuilder v0.0.0 // indirect
	github.com/gruntwork-io/terratest v1.0.1 // indirect
	github.com/hashicorp/terraform-exec v0.26.0 // indirect
)
