package run

import (
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// compileKey names the cache of one binary's compile.
func compileKey(name string, pl ocispecs.Platform) string {
	return "compile-" + name + "-" + platforms.Format(pl)
}

// withCache adds the run's --cache-from and --cache-to to one solve. Each
// solve gets its own ref (the given tag plus key): an export replaces what
// is at its ref, and a run has many solves.
func (r runner) withCache(opt client.SolveOpt, key string) client.SolveOpt {
	for _, e := range r.s.CacheFrom {
		opt.CacheImports = append(opt.CacheImports, perSolve(e, key))
	}
	for _, e := range r.s.CacheTo {
		opt.CacheExports = append(opt.CacheExports, perSolve(e, key))
	}
	return opt
}

// withCompileCacheFrom adds the --cache-from refs of ip's compiles to its
// image solve, which copies their results: on a fresh builder, a compile
// that exported nothing may have found its result in the registry cache
// without pulling it.
func (r runner) withCompileCacheFrom(opt client.SolveOpt, ip plan.ImagePlatform) client.SolveOpt {
	for _, e := range r.s.CacheFrom {
		if _, ok := e.Attrs["ref"]; !ok {
			continue // one place, imported already
		}
		for _, name := range ip.Binaries {
			opt.CacheImports = append(opt.CacheImports, perSolve(e, compileKey(name, ip.Platform)))
		}
	}
	return opt
}

func perSolve(e client.CacheOptionsEntry, key string) client.CacheOptionsEntry {
	ref, ok := e.Attrs["ref"]
	if !ok {
		return e // local and other cache types keep one place
	}
	out := client.CacheOptionsEntry{Type: e.Type, Attrs: map[string]string{}}
	for k, v := range e.Attrs {
		out.Attrs[k] = v
	}
	tag := "cache"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref, tag = ref[:i], ref[i+1:]
	}
	out.Attrs["ref"] = ref + ":" + tag + "-" + sanitize(key)
	return out
}

// sanitize keeps a cache key a valid tag: [A-Za-z0-9_.-], at most 128 long.
func sanitize(key string) string {
	b := []byte(key)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			b[i] = '-'
		}
	}
	if len(b) > 100 {
		b = b[:100]
	}
	return string(b)
}
