package image_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/resolve/source"
	"github.com/istio-mab/istio-mab/run/image"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

const envoyURL = "https://storage.googleapis.com/istio-build/proxy/envoy-alpha-abc-arm64.tar.gz"

func src() llb.State {
	return source.State(plan.Source{GitURL: "https://github.com/istio/istio.git", Ref: "refs/tags/1.14.3"},
		"0123456789abcdef0123456789abcdef01234567")
}

// proxyv2 is an image platform as plan.New makes it, with the plan holding its binary.
func proxyv2() (plan.Plan, plan.Image, plan.ImagePlatform) {
	arm64 := platforms.MustParse("linux/arm64")
	ip := plan.ImagePlatform{
		Platform: arm64,
		Binaries: []string{"pilot-agent"},
		Envoy:    &plan.Envoy{Kind: plan.EnvoyURL, Ref: envoyURL, Tarball: true},
	}
	img := plan.Image{
		Name: "proxyv2", Variant: "distroless", Repository: "registry.example.com/istio/proxyv2",
		Tags: []string{"1.14.3-distroless"}, Dockerfile: "pilot/docker/Dockerfile.proxyv2",
		Platforms: []plan.ImagePlatform{ip},
		BuildArgs: map[string]string{
			"BASE_DISTRIBUTION": "distroless", "SOURCE_DATE_EPOCH": "1700000000",
			"BASE_VERSION": "1.14-dev", "proxy_version": "istio-proxy:abc",
		},
		NamedContexts: map[string]string{
			"gcr.io/istio-release/iptables:1.14-dev": "docker-image://mirror.example.com/istio-release/iptables:1.14-dev",
		},
		Files: map[string]string{
			"envoy_bootstrap.json":     "tools/packaging/common/envoy_bootstrap.json",
			"gcp_envoy_bootstrap.json": "tools/packaging/common/gcp_envoy_bootstrap.json",
		},
		Wasm: []plan.Download{
			{URL: "https://storage.googleapis.com/istio-build/proxy/stats-abc.wasm", Name: "stats-filter.wasm"},
			{URL: "https://storage.googleapis.com/istio-build/proxy/metadata_exchange-abc.compiled.wasm", Name: "metadata-exchange-filter.compiled.wasm"},
		},
	}
	p := plan.Plan{
		Version: "1.14.3", GoImage: "docker.io/library/golang:1.26.8", BuildPlatform: platforms.MustParse("linux/amd64"),
		Binaries: []plan.Binary{
			{Name: "pilot-agent", Package: "./pilot/cmd/pilot-agent", Platform: platforms.MustParse("linux/amd64")},
			{Name: "pilot-agent", Package: "./pilot/cmd/pilot-agent", Platform: arm64},
		},
		Images: []plan.Image{img},
	}
	return p, img, ip
}

func TestSolveOpt(t *testing.T) {
	_, img, ip := proxyv2()
	ctx := llb.Scratch().File(llb.Mkfile("/marker", 0o644, []byte("context")))
	for _, tc := range []struct {
		name           string
		push, insecure bool
		mt             plan.MediaTypes
		oci            string // the exporter's oci-mediatypes
	}{
		{"push", true, false, plan.OCI, "true"},
		{"build only", false, false, plan.OCI, "true"},
		{"push insecure", true, true, plan.OCI, "true"},
		{"build only insecure", false, true, plan.OCI, "true"},
		{"push docker", true, false, plan.Docker, "false"},
		{"build only docker", false, false, plan.Docker, "false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			so := image.SolveOpt(img, ip, plan.Attest{}, ctx, src())
			so.Exports = []client.ExportEntry{image.PushExport(img.Repository, tc.insecure, tc.mt)}
			if !tc.push {
				so.Exports[0] = image.OCIExport(img.Repository, nil, tc.mt)
			}
			if so.Frontend != "dockerfile.v0" {
				t.Errorf("frontend %q, want dockerfile.v0", so.Frontend)
			}
			want := map[string]string{
				"filename":                                       "pilot/docker/Dockerfile.proxyv2",
				"platform":                                       "linux/arm64",
				"build-arg:BASE_DISTRIBUTION":                    "distroless",
				"build-arg:SOURCE_DATE_EPOCH":                    "1700000000",
				"build-arg:BASE_VERSION":                         "1.14-dev",
				"build-arg:proxy_version":                        "istio-proxy:abc",
				"context:gcr.io/istio-release/iptables:1.14-dev": "docker-image://mirror.example.com/istio-release/iptables:1.14-dev",
			}
			if !maps.Equal(so.FrontendAttrs, want) {
				t.Errorf("frontend attrs\n%v\nwant\n%v", so.FrontendAttrs, want)
			}
			if got := slices.Sorted(maps.Keys(so.FrontendInputs)); !slices.Equal(got, []string{"context", "dockerfile"}) {
				t.Fatalf("frontend inputs %v, want context and dockerfile", got)
			}
			if a, b := head(t, so.FrontendInputs["context"]), head(t, ctx); a != b {
				t.Errorf("context input is not the given context state")
			}
			if a, b := head(t, so.FrontendInputs["dockerfile"]), head(t, src()); a != b {
				t.Errorf("dockerfile input is not the source state")
			}
			wantExport := map[string]string{
				"name":              "registry.example.com/istio/proxyv2",
				"oci-mediatypes":    tc.oci,
				"rewrite-timestamp": "true",
				"compression":       "gzip",
				"compression-level": "4",
			}
			if tc.push {
				wantExport["push"], wantExport["push-by-digest"] = "true", "true"
			}
			if tc.push && tc.insecure {
				wantExport["registry.insecure"] = "true"
			}
			if got := so.Exports[0].Attrs; !maps.Equal(got, wantExport) {
				t.Errorf("export attrs\n%v\nwant\n%v", got, wantExport)
			}
		})
	}
}

func TestSolveOptNoNamedContexts(t *testing.T) {
	_, img, ip := proxyv2()
	img.NamedContexts = nil
	so := image.SolveOpt(img, ip, plan.Attest{}, llb.Scratch(), src())
	for k := range so.FrontendAttrs {
		if strings.HasPrefix(k, "context:") {
			t.Errorf("unexpected named context %s", k)
		}
	}
}

func head(t *testing.T, st llb.State) digest.Digest {
	t.Helper()
	def, err := st.Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	d, err := def.Head()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestContext(t *testing.T) {
	p, img, ip := proxyv2()
	def, err := image.Context(p, img, ip, src(), nil).Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var sources, dests []string
	var copied []string
	execs := 0
	for _, dt := range def.ToPB().Def {
		var o pb.Op
		if err := o.Unmarshal(dt); err != nil {
			t.Fatal(err)
		}
		if s := o.GetSource(); s != nil {
			sources = append(sources, s.GetIdentifier())
		}
		for _, a := range o.GetFile().GetActions() {
			if c := a.GetCopy(); c != nil {
				dests = append(dests, c.GetDest())
				copied = append(copied, c.GetSrc())
			}
		}
		if o.GetExec() != nil {
			execs++
		}
	}
	for _, want := range []string{
		"/arm64/pilot-agent", "/arm64/envoy",
		"/envoy_bootstrap.json", "/gcp_envoy_bootstrap.json",
		"/stats-filter.wasm", "/metadata-exchange-filter.compiled.wasm",
	} {
		if !slices.Contains(dests, want) {
			t.Errorf("context copies %q lack %s", dests, want)
		}
	}
	for _, want := range []string{
		envoyURL,
		"https://storage.googleapis.com/istio-build/proxy/stats-abc.wasm",
		"https://storage.googleapis.com/istio-build/proxy/metadata_exchange-abc.compiled.wasm",
		"local://" + image.BinariesLocal,
	} {
		if !slices.Contains(sources, want) {
			t.Errorf("sources %q lack %s", sources, want)
		}
	}
	// The checked binary is sent, never compiled again for the image.
	if execs != 0 {
		t.Errorf("context runs %d steps, want none (binaries come from the client)", execs)
	}
	if !slices.Contains(copied, "/linux_arm64/pilot-agent") {
		t.Errorf("context copies %q, want this platform's checked binary /linux_arm64/pilot-agent", copied)
	}
}

func TestContextWithoutEnvoy(t *testing.T) {
	p, img, ip := proxyv2()
	ip.Envoy = nil
	img.Wasm = nil
	def, err := image.Context(p, img, ip, src(), nil).Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range def.ToPB().Def {
		var o pb.Op
		if err := o.Unmarshal(dt); err != nil {
			t.Fatal(err)
		}
		if s := o.GetSource(); s != nil && s.GetIdentifier() == envoyURL {
			t.Errorf("context without Envoy downloads %s", envoyURL)
		}
		for _, a := range o.GetFile().GetActions() {
			if c := a.GetCopy(); c != nil && c.GetDest() == "/arm64/envoy" {
				t.Errorf("context without Envoy has /arm64/envoy")
			}
		}
	}
}

// Building the same context twice must give the same definition, so an
// unchanged rebuild is a cache hit.
func TestContextDeterministic(t *testing.T) {
	p, img, ip := proxyv2()
	if a, b := head(t, image.Context(p, img, ip, src(), nil)), head(t, image.Context(p, img, ip, src(), nil)); a != b {
		t.Errorf("same inputs gave contexts %s and %s", a, b)
	}
}

// A binary compiled on the image's node is copied from its compile's
// result, so the client neither exports it nor sends it back.
func TestContextCopiesACompiledBinaryFromItsCompile(t *testing.T) {
	p, img, ip := proxyv2()
	compiled := llb.Image("golang").Run(llb.Shlex("go build -o /out/pilot-agent")).AddMount("/out", llb.Scratch())
	def, err := image.Context(p, img, ip, src(), map[string]llb.State{"/linux_arm64/pilot-agent": compiled}).Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var copied []string
	execs := 0
	for _, dt := range def.ToPB().Def {
		var o pb.Op
		if err := o.Unmarshal(dt); err != nil {
			t.Fatal(err)
		}
		if s := o.GetSource(); s != nil && s.GetIdentifier() == "local://"+image.BinariesLocal {
			t.Errorf("context still takes a binary from the client's %s", image.BinariesLocal)
		}
		if o.GetExec() != nil {
			execs++
		}
		for _, a := range o.GetFile().GetActions() {
			if c := a.GetCopy(); c != nil && c.GetDest() == "/arm64/pilot-agent" {
				copied = append(copied, c.GetSrc())
			}
		}
	}
	if execs != 1 || !slices.Equal(copied, []string{"/pilot-agent"}) {
		t.Errorf("context runs %d steps and copies %q to /arm64/pilot-agent, want the compile's /pilot-agent", execs, copied)
	}
}

// Attestations are asked of the Dockerfile frontend: SLSA v1 provenance
// with every input, and the SBOM from the named generator.
func TestAttestAttrs(t *testing.T) {
	got := image.AttestAttrs(plan.Attest{Provenance: true, SBOM: true, SBOMGenerator: "registry.local/syft-scanner:1"})
	want := map[string]string{"attest:provenance": "mode=max,version=v1", "attest:sbom": "generator=registry.local/syft-scanner:1"}
	if !maps.Equal(got, want) {
		t.Errorf("AttestAttrs = %v, want %v", got, want)
	}
	if got := image.AttestAttrs(plan.Attest{}); len(got) != 0 {
		t.Errorf("no attestations asked, got %v", got)
	}
}
