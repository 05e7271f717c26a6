package parse

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/client"
)

// Cache reads --cache-from or --cache-to (flag) entries, as buildx does:
// type=registry,ref=REPO[:TAG][,mode=max].
func Cache(flag string, values []string) ([]client.CacheOptionsEntry, error) {
	var out []client.CacheOptionsEntry
	for _, v := range values {
		e, err := cacheEntry(flag, v)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func cacheEntry(flag, v string) (client.CacheOptionsEntry, error) {
	e := client.CacheOptionsEntry{Attrs: map[string]string{}}
	for _, field := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok {
			return e, fmt.Errorf("%s %q: want KEY=VALUE fields, e.g. type=registry,ref=registry.example.com/istio/cache", flag, v)
		}
		if k == "type" {
			e.Type = val
		} else {
			e.Attrs[k] = val
		}
	}
	if e.Type == "" {
		return e, fmt.Errorf("%s %q: name the cache type, e.g. type=registry", flag, v)
	}
	if e.Type == "registry" && e.Attrs["ref"] == "" {
		return e, fmt.Errorf("%s %q: a registry cache needs ref=REPO[:TAG]", flag, v)
	}
	return e, nil
}
