package main

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/client"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func registerCacheFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArray("cache-from", nil, "BuildKit cache to import, as buildx: type=registry,ref=REPO[:TAG] (repeatable);\n"+
		"each compile and image gets its own tag under REPO")
	fl.StringArray("cache-to", nil, "BuildKit cache to export, as buildx: type=registry,ref=REPO[:TAG][,mode=max] (repeatable)")
}

// cacheOptions parses --cache-from and --cache-to.
func cacheOptions(fl *pflag.FlagSet) (from, to []client.CacheOptionsEntry, err error) {
	if from, err = parseCacheEntries("--cache-from", getStrings(fl, "cache-from")); err != nil {
		return nil, nil, err
	}
	to, err = parseCacheEntries("--cache-to", getStrings(fl, "cache-to"))
	return from, to, err
}

func parseCacheEntries(flag string, values []string) ([]client.CacheOptionsEntry, error) {
	var out []client.CacheOptionsEntry
	for _, v := range values {
		e := client.CacheOptionsEntry{Attrs: map[string]string{}}
		for _, field := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(field), "=")
			if !ok {
				return nil, fmt.Errorf("%s %q: want KEY=VALUE fields, e.g. type=registry,ref=registry.example.com/istio/cache", flag, v)
			}
			if k == "type" {
				e.Type = val
			} else {
				e.Attrs[k] = val
			}
		}
		if e.Type == "" {
			return nil, fmt.Errorf("%s %q: name the cache type, e.g. type=registry", flag, v)
		}
		if e.Type == "registry" && e.Attrs["ref"] == "" {
			return nil, fmt.Errorf("%s %q: a registry cache needs ref=REPO[:TAG]", flag, v)
		}
		out = append(out, e)
	}
	return out, nil
}
