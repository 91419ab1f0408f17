package cli

import (
	"io/fs"

	"github.com/scaffold-cli/scaffold/internal/catalog"
	"github.com/scaffold-cli/scaffold/internal/config"
)

// loadCatalog is every template scaffold knows: the built-ins (builtins,
// or the embedded ones when nil) and the team's aliases in the config.
func loadCatalog(builtins fs.FS, loadConfig func() (*config.Config, error)) (*catalog.Catalog, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	cat, err := catalog.Builtins(builtins)
	if err != nil {
		return nil, err
	}
	return cat.WithConfig(cfg), nil
}

// builtinCatalog is the catalog of built-ins alone, for help and
// completion, which must not fail: a broken built-in fails its own tests.
func builtinCatalog(builtins fs.FS) *catalog.Catalog {
	cat, err := catalog.Builtins(builtins)
	if err != nil {
		return &catalog.Catalog{}
	}
	return cat
}
