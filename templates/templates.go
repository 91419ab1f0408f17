// Package templates holds scaffold's built-in templates, embedded in the
// binary. Each lives in <language>/<framework>/ with a scaffold.yaml at
// its root. "all:" keeps dot files such as .gitignore, which embed
// otherwise skips; sources and go.mod end in .tmpl, so neither the go
// tool nor embed treats them as part of this module.
package templates

import "embed"

// FS holds the built-in templates.
//
//go:embed all:node all:go all:rust
var FS embed.FS
