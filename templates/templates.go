// Package templates holds scaffold's built-in templates, embedded in the
// binary. Each lives in <language>/<framework>/ with a scaffold.yaml at
// its root. Files several templates share live in _shared folders, the
// layers their manifests include: _shared/license for all of them,
// node/_shared for the Node.js ones. A _shared folder has no manifest,
// so it is never listed as a template. "all:" keeps dot files such as .gitignore, which embed
// otherwise skips; sources and go.mod end in .tmpl, so neither the go
// tool nor embed treats them as part of this module.
package templates

import "embed"

// FS holds the built-in templates.
//
//go:embed all:_shared all:node all:go all:rust all:workspace
var FS embed.FS
