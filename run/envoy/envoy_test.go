package envoy_test

import (
	"encoding/json"
	"maps"
	"os"
	"testing"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/envoy"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

const pin = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// graph is a marshaled state: its ops by digest and the head's digest.
type graph struct {
	ops  map[digest.Digest]*pb.Op
	head digest.Digest
}

func marshal(t *testing.T, st llb.State) graph {
	t.Helper()
	def, err := st.Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	g := graph{ops: map[digest.Digest]*pb.Op{}}
	for _, dt := range def.ToPB().Def {
		var o pb.Op
		if err := o.Unmarshal(dt); err != nil {
			t.Fatal(err)
		}
		g.ops[digest.FromBytes(dt)] = &o
	}
	if g.head, err = def.Head(); err != nil {
		t.Fatal(err)
	}
	return g
}

func (g graph) sources() []*pb.Op {
	var out []*pb.Op
	for _, o := range g.ops {
		if o.GetSource() != nil {
			out = append(out, o)
		}
	}
	return out
}

func (g graph) copies() []*pb.FileActionCopy {
	var out []*pb.FileActionCopy
	for _, o := range g.ops {
		for _, a := range o.GetFile().GetActions() {
			if c := a.GetCopy(); c != nil {
				out = append(out, c)
			}
		}
	}
	return out
}

func TestState(t *testing.T) {
	arm64 := platforms.MustParse("linux/arm64")
	for _, tc := range []struct {
		name    string
		e       plan.Envoy
		id      string
		attrs   map[string]string // expected attributes (others may exist)
		noAttrs []string
		from    string // path copied to /envoy
		unpack  bool
	}{
		{
			name:    "url tarball",
			e:       plan.Envoy{Kind: plan.EnvoyURL, Ref: "https://storage.googleapis.com/istio-build/proxy/envoy-alpha-abc-arm64.tar.gz", Tarball: true},
			id:      "https://storage.googleapis.com/istio-build/proxy/envoy-alpha-abc-arm64.tar.gz",
			attrs:   map[string]string{pb.AttrHTTPFilename: "download"},
			noAttrs: []string{pb.AttrHTTPChecksum},
			from:    "/usr/local/bin/envoy",
			unpack:  true,
		},
		{
			name:   "url tarball pinned",
			e:      plan.Envoy{Kind: plan.EnvoyURL, Ref: "https://example.com/envoy.tar.gz", Tarball: true, SHA256: pin},
			id:     "https://example.com/envoy.tar.gz",
			attrs:  map[string]string{pb.AttrHTTPChecksum: "sha256:" + pin},
			from:   "/usr/local/bin/envoy",
			unpack: true,
		},
		{
			name:  "url raw pinned",
			e:     plan.Envoy{Kind: plan.EnvoyURL, Ref: "https://example.com/envoy", SHA256: pin},
			id:    "https://example.com/envoy",
			attrs: map[string]string{pb.AttrHTTPChecksum: "sha256:" + pin, pb.AttrHTTPFilename: "download"},
			from:  "/download",
		},
		{
			name:   "file tarball",
			e:      plan.Envoy{Kind: plan.EnvoyFile, Ref: "/home/me/builds/envoy-arm64.tar.gz", Tarball: true},
			id:     "local://envoy-linux-arm64",
			attrs:  map[string]string{pb.AttrIncludePatterns: `["envoy-arm64.tar.gz"]`, pb.AttrSharedKeyHint: "/home/me/builds/envoy-arm64.tar.gz"},
			from:   "/usr/local/bin/envoy",
			unpack: true,
		},
		{
			name:  "file raw",
			e:     plan.Envoy{Kind: plan.EnvoyFile, Ref: "/home/me/builds/envoy-bin"},
			id:    "local://envoy-linux-arm64",
			attrs: map[string]string{pb.AttrIncludePatterns: `["envoy-bin"]`},
			from:  "/envoy-bin",
		},
		{
			name: "image",
			e:    plan.Envoy{Kind: plan.EnvoyImage, Ref: "registry.example.com/istio/proxyv2:1.14.3"},
			id:   "docker-image://registry.example.com/istio/proxyv2:1.14.3",
			from: "/usr/local/bin/envoy",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := marshal(t, envoy.State(tc.e, arm64))
			srcs := g.sources()
			if len(srcs) != 1 {
				t.Fatalf("%d source ops, want 1", len(srcs))
			}
			src := srcs[0]
			if id := src.GetSource().GetIdentifier(); id != tc.id {
				t.Errorf("source = %q, want %q", id, tc.id)
			}
			attrs := src.GetSource().GetAttrs()
			for k, want := range tc.attrs {
				if got := attrs[k]; got != want {
					t.Errorf("attr %s = %q, want %q (all: %v)", k, got, want, attrs)
				}
			}
			for _, k := range tc.noAttrs {
				if v, ok := attrs[k]; ok {
					t.Errorf("attr %s = %q, want none", k, v)
				}
			}
			if tc.e.Kind == plan.EnvoyImage {
				if pl := src.GetPlatform(); pl.GetOS() != "linux" || pl.GetArchitecture() != "arm64" {
					t.Errorf("image platform = %v, want linux/arm64", pl)
				}
			}

			unpacks := 0
			for _, c := range g.copies() {
				if c.GetAttemptUnpackDockerCompatibility() {
					unpacks++
				}
			}
			if (unpacks > 0) != tc.unpack {
				t.Errorf("%d unpacking copies, want unpack %t", unpacks, tc.unpack)
			}

			head := g.ops[g.head]
			if head == nil || len(head.GetFile().GetActions()) != 1 {
				t.Fatalf("head %s is not a single file action: %v", g.head, head)
			}
			last := head.GetFile().GetActions()[0].GetCopy()
			if last.GetDest() != "/"+envoy.File || os.FileMode(last.GetMode()) != 0o755 || last.GetSrc() != tc.from {
				t.Errorf("last copy %s -> %s mode %o, want %s -> /envoy mode 755", last.GetSrc(), last.GetDest(), last.GetMode(), tc.from)
			}
			if head.GetFile().GetActions()[0].GetInput() != -1 {
				t.Errorf("result is not built on scratch: it must hold only /envoy")
			}
		})
	}
}

func TestStateIncludePatternIsJSON(t *testing.T) {
	g := marshal(t, envoy.State(plan.Envoy{Kind: plan.EnvoyFile, Ref: "/x/y/envoy"}, platforms.MustParse("linux/amd64")))
	var patterns []string
	if err := json.Unmarshal([]byte(g.sources()[0].GetSource().GetAttrs()[pb.AttrIncludePatterns]), &patterns); err != nil || len(patterns) != 1 || patterns[0] != "envoy" {
		t.Errorf("include patterns %v (%v), want [envoy]", patterns, err)
	}
	if id := g.sources()[0].GetSource().GetIdentifier(); id != "local://envoy-linux-amd64" {
		t.Errorf("source = %s, want local://envoy-linux-amd64", id)
	}
}

func TestLocalName(t *testing.T) {
	for pl, want := range map[string]string{
		"linux/arm64":   "envoy-linux-arm64",
		"linux/amd64":   "envoy-linux-amd64",
		"linux/arm/v7":  "envoy-linux-arm-v7",
		"linux/aarch64": "envoy-linux-arm64",
		"linux/x86_64":  "envoy-linux-amd64",
	} {
		if got := envoy.LocalName(platforms.MustParse(pl)); got != want {
			t.Errorf("LocalName(%s) = %q, want %q", pl, got, want)
		}
	}
}

func TestLocals(t *testing.T) {
	amd64, arm64 := platforms.MustParse("linux/amd64"), platforms.MustParse("linux/arm64")
	file := &plan.Envoy{Kind: plan.EnvoyFile, Ref: "/builds/arm64/envoy.tar.gz", Tarball: true}
	url := &plan.Envoy{Kind: plan.EnvoyURL, Ref: "https://example.com/envoy.tar.gz", Tarball: true}
	img := &plan.Envoy{Kind: plan.EnvoyImage, Ref: "registry.example.com/istio/proxyv2:1.14.3"}
	p := plan.Plan{Images: []plan.Image{
		{Name: "pilot", Platforms: []plan.ImagePlatform{{Platform: amd64}, {Platform: arm64}}},
		{Name: "proxyv2", Variant: "debug", Platforms: []plan.ImagePlatform{{Platform: amd64, Envoy: url}, {Platform: arm64, Envoy: file}}},
		{Name: "proxyv2", Variant: "distroless", Platforms: []plan.ImagePlatform{{Platform: amd64, Envoy: url}, {Platform: arm64, Envoy: file}}},
	}}
	want := map[string]string{"envoy-linux-arm64": "/builds/arm64"}
	if got := envoy.Locals(p); !maps.Equal(got, want) {
		t.Errorf("Locals = %v, want %v", got, want)
	}

	p.Images[1].Platforms[1].Envoy = img
	p.Images[2].Platforms[1].Envoy = img
	if got := envoy.Locals(p); len(got) != 0 {
		t.Errorf("Locals without file Envoys = %v, want none", got)
	}
}
