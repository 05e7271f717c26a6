package lock

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/containerd/platforms"

	"github.com/istio-mab/istio-mab/plan"
)

// Lock is a build's inputs as immutable ids.
type Lock struct {
	Version string `json:"version"`
	Recipe  string `json:"recipe"` // release line of the recipe used
	Commit  string `json:"commit"` // of the source at the tag
	GoSum   string `json:"goSum"`  // sha256 of go.sum; empty when the tree has none
	GoImage string `json:"goImage"`
	Bases   []Base `json:"bases"`
	Envoys  []File `json:"envoys"`
	Wasm    []File `json:"wasm,omitempty"`
}

// Base is one base image as a node resolves it for one platform.
type Base struct {
	Image    string `json:"image"`    // as the Dockerfile names it
	Platform string `json:"platform"` // image platform
	Pinned   string `json:"pinned"`   // REF@DIGEST
}

// File is a fetched input: an Envoy (per platform) or a wasm filter.
type File struct {
	Platform string `json:"platform,omitempty"`
	Name     string `json:"name,omitempty"` // a wasm filter's name in the image
	Source   string `json:"source"`         // URL (credentials redacted), file, or image REF@DIGEST
	SHA256   string `json:"sha256"`
}

// Of records p's inputs; sha256s holds the digest of every Envoy and wasm
// download by URL (Fetch computes them).
func Of(p plan.Plan, line string, sha256s map[string]string) (Lock, error) {
	l := Lock{Version: p.Version, Recipe: line, Commit: p.Facts.Commit, GoSum: p.Facts.GoSum}
	if len(p.Nodes) > 0 {
		l.GoImage = p.Nodes[0].GoImage
	}
	seen := map[string]bool{}
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			pl := platforms.Format(ip.Platform)
			for _, k := range slices.Sorted(maps.Keys(ip.Bases)) {
				if key := k + " " + pl; !seen[key] {
					seen[key] = true
					l.Bases = append(l.Bases, Base{Image: k, Platform: pl, Pinned: ip.Bases[k]})
				}
			}
			if ip.Envoy != nil && !seen["envoy "+pl] {
				seen["envoy "+pl] = true
				f, err := envoyFile(*ip.Envoy, pl, sha256s)
				if err != nil {
					return Lock{}, err
				}
				l.Envoys = append(l.Envoys, f)
			}
		}
		for _, w := range img.Wasm {
			if !seen["wasm "+w.URL] {
				seen["wasm "+w.URL] = true
				l.Wasm = append(l.Wasm, File{Name: w.Name, Source: plan.Redact(w.URL), SHA256: cmp.Or(w.SHA256, sha256s[w.URL])})
			}
		}
	}
	return l, nil
}

func envoyFile(e plan.Envoy, pl string, sha256s map[string]string) (File, error) {
	f := File{Platform: pl, Source: e.Name(), SHA256: e.SHA256}
	switch e.Kind {
	case plan.EnvoyImage:
		f.Source = e.Ref // pinned by digest in Resolve
	case plan.EnvoyURL:
		if f.SHA256 == "" {
			f.SHA256 = sha256s[e.Ref]
		}
	case plan.EnvoyFile:
		if f.SHA256 == "" {
			f.SHA256 = sha256s[e.Ref]
		}
	}
	if f.SHA256 == "" && e.Kind != plan.EnvoyImage {
		return File{}, fmt.Errorf("Envoy for %s (%s): no sha256 was computed", pl, e.Name())
	}
	return f, nil
}

// Write writes l as indented JSON.
func Write(w io.Writer, l Lock) error {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Read reads a lock file.
func Read(path string) (Lock, error) {
	var l Lock
	b, err := os.ReadFile(path)
	if err != nil {
		return l, fmt.Errorf("--lock: %w", err)
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("--lock %s is not a lock file written by istio-mab lock: %w", path, err)
	}
	if l.Commit == "" || l.Version == "" {
		return l, fmt.Errorf("--lock %s names no version or commit: write it with istio-mab lock", path)
	}
	return l, nil
}
