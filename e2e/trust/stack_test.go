package trust

// Tests that the stack's pieces for signed and attested releases work with
// real clients: BuildKit's attest:sbom with the stack's SBOM generator image
// and SLSA provenance, cosign signing and verifying with a key pair, and the
// OCI 1.1 referrers API of the referrers registry (scripts/stack-up.sh).

import (
	"bytes"
	"crypto/rand"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TrustStack is the part of .stack/env the trust tests read.
type TrustStack struct {
	Cosign            string // cosign CLI (scripts/install-cosign.sh)
	SBOMGenerator     string // image for attest:sbom=generator=...
	ReferrersRegistry string // HOST:PORT, plain HTTP, with the referrers API
}

func trustStack(t testing.TB) TrustStack {
	t.Helper()
	get := func(k string) string {
		v := os.Getenv(k)
		if v == "" {
			t.Fatalf("$%s is not set: run the tests with `make test`, which starts the stack and exports .stack/env", k)
		}
		return v
	}
	return TrustStack{Cosign: get("COSIGN"), SBOMGenerator: get("SBOM_GENERATOR"), ReferrersRegistry: get("REFERRERS_REGISTRY")}
}

const (
	predicateSPDX       = "https://spdx.dev/Document"
	predicateProvenance = "https://slsa.dev/provenance/v1"
	// Annotations BuildKit puts on the attestation manifests it pushes in an
	// image's index, and on their in-toto layers.
	annotationRefType       = "vnd.docker.reference.type"
	annotationRefDigest     = "vnd.docker.reference.digest"
	annotationPredicateType = "in-toto.io/predicate-type"
)

// inToto is the part of an in-toto statement the tests read.
type inToto struct {
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	Predicate json.RawMessage `json:"predicate"`
}

// The stack's buildctl builds a Go binary into an image with an SPDX SBOM
// (from the seeded generator image) and max-mode SLSA v1 provenance, and
// pushes both as attestation manifests in the image's index.
func TestTrustBuildctlAttestsSBOMAndProvenance(t *testing.T) {
	st, tr := e2etest.LoadStack(t), trustStack(t)
	dir := t.TempDir()
	// A Go binary with real module dependencies: the stack's own stackctl.
	app := filepath.Join(dir, "app")
	copyExecutable(t, filepath.Join(st.Dir, "bin", "stackctl"), app)
	base := st.BaseRegistry + "/base:" + e2etest.FixtureReleases(t)[0].BaseVersion
	dockerfile := fmt.Sprintf("FROM %s\nCOPY app /usr/local/bin/app\nENTRYPOINT [\"/usr/local/bin/app\"]\n", base)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := st.Registry + "/e2e-trust/attested-" + e2etest.RandomSuffix(t) + ":t"
	// version=v1 is BuildKit v0.34's default (frontend/attestations), named so
	// that a change of default cannot pass unseen. No cache: a cached SBOM
	// would prove nothing about the generator image.
	runTool(t, nil, st.Buildctl, "--addr", st.BuildkitHost, "build", "--progress", "plain", "--no-cache",
		"--frontend", "dockerfile.v0", "--local", "context="+dir, "--local", "dockerfile="+dir,
		"--opt", "platform=linux/amd64",
		"--opt", "attest:sbom=generator="+tr.SBOMGenerator,
		"--opt", "attest:provenance=mode=max,version=v1",
		"--output", "type=image,name="+ref+",push=true,registry.insecure=true")

	idx, err := remote.Index(parseInsecure(t, ref), remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("reading the pushed index %s: %v", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var image v1.Hash
	var attestations []v1.Descriptor
	for _, d := range im.Manifests {
		if d.Annotations[annotationRefType] == "attestation-manifest" {
			attestations = append(attestations, d)
			continue
		}
		if d.Platform == nil || d.Platform.OS != "linux" || d.Platform.Architecture != "amd64" {
			t.Errorf("image manifest %s has platform %v, want linux/amd64", d.Digest, d.Platform)
		}
		image = d.Digest
	}
	statements := map[string]inToto{}
	for _, d := range attestations {
		if got := d.Annotations[annotationRefDigest]; got != image.String() {
			t.Errorf("attestation manifest %s refers to %s, want the image %s", d.Digest, got, image)
		}
		for pt, s := range attestationStatements(t, idx, d.Digest) {
			statements[pt] = s
		}
	}
	if image.Hex == "" {
		t.Fatalf("index %s holds no image manifest: %+v", ref, im.Manifests)
	}
	for _, pt := range []string{predicateSPDX, predicateProvenance} {
		s, ok := statements[pt]
		if !ok {
			t.Fatalf("no attestation layer with predicate type %s; have %v", pt, slices.Sorted(maps.Keys(statements)))
		}
		if len(s.Subject) == 0 || s.Subject[0].Digest["sha256"] != image.Hex {
			t.Errorf("%s statement's subject is %+v, want the image manifest %s", pt, s.Subject, image)
		}
	}
	checkSPDXListsModules(t, statements[predicateSPDX].Predicate, app)
	checkProvenance(t, statements[predicateProvenance].Predicate, base)
}

// attestationStatements reads the in-toto layers of one attestation manifest
// by their predicate-type annotation.
func attestationStatements(t *testing.T, idx v1.ImageIndex, digest v1.Hash) map[string]inToto {
	t.Helper()
	img, err := idx.Image(digest)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]inToto{}
	for _, l := range m.Layers {
		layer, err := img.LayerByDigest(l.Digest)
		if err != nil {
			t.Fatal(err)
		}
		// In-toto layers are stored as they are, uncompressed.
		rc, err := layer.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		var s inToto
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("attestation layer %s (%s) is not an in-toto statement: %v", l.Digest, l.MediaType, err)
		}
		if s.PredicateType != l.Annotations[annotationPredicateType] {
			t.Errorf("layer %s is annotated %q but holds predicate type %q", l.Digest, l.Annotations[annotationPredicateType], s.PredicateType)
		}
		out[s.PredicateType] = s
	}
	return out
}

// checkSPDXListsModules: the SBOM lists every module compiled into the Go
// binary at its version, and the Go standard library at the Go version that
// built it, as the binary's own build info says.
func checkSPDXListsModules(t *testing.T, predicate []byte, binary string) {
	t.Helper()
	var doc struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			Name         string `json:"name"`
			VersionInfo  string `json:"versionInfo"`
			ExternalRefs []struct {
				Locator string `json:"referenceLocator"`
			} `json:"externalRefs"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(predicate, &doc); err != nil {
		t.Fatalf("SPDX predicate: %v", err)
	}
	if !strings.HasPrefix(doc.SPDXVersion, "SPDX-") {
		t.Errorf("spdxVersion = %q, want SPDX-x.y", doc.SPDXVersion)
	}
	listed := map[string]bool{}
	for _, p := range doc.Packages {
		listed[p.Name+"@"+p.VersionInfo] = true
		for _, r := range p.ExternalRefs {
			// Package URLs escape "+" (v29.8.2+incompatible) and the like.
			if u, err := url.PathUnescape(r.Locator); err == nil {
				listed[u] = true
			}
		}
	}
	bi, err := buildinfo.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"stdlib@" + bi.GoVersion}
	for _, d := range bi.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		want = append(want, d.Path+"@"+d.Version, "pkg:golang/"+d.Path+"@"+d.Version)
	}
	if len(bi.Deps) < 5 {
		t.Fatalf("%s depends on %d modules: not a test of module listing", binary, len(bi.Deps))
	}
	var missing []string
	for _, w := range want {
		if !listed[w] {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the SBOM of %d packages misses %d of the binary's %d modules and Go version: %v",
			len(doc.Packages), len(missing), len(want), missing)
	}
}

// checkProvenance: SLSA v1 provenance of the Dockerfile build, in max mode,
// naming the base image it resolved.
func checkProvenance(t *testing.T, predicate []byte, base string) {
	t.Helper()
	var p struct {
		BuildDefinition struct {
			ExternalParameters struct {
				Request struct {
					Frontend string `json:"frontend"`
				} `json:"request"`
			} `json:"externalParameters"`
			ResolvedDependencies []struct {
				URI string `json:"uri"`
			} `json:"resolvedDependencies"`
			InternalParameters struct {
				BuildConfig struct {
					LLBDefinition []json.RawMessage `json:"llbDefinition"`
				} `json:"buildConfig"`
			} `json:"internalParameters"`
		} `json:"buildDefinition"`
	}
	if err := json.Unmarshal(predicate, &p); err != nil {
		t.Fatalf("provenance predicate: %v", err)
	}
	if got := p.BuildDefinition.ExternalParameters.Request.Frontend; got != "dockerfile.v0" {
		t.Errorf("provenance names frontend %q, want dockerfile.v0", got)
	}
	// As a package URL: pkg:docker/HOST:PORT/REPO@TAG?platform=...
	tag := parseInsecure(t, base).(name.Tag)
	purl := "pkg:docker/" + tag.RegistryStr() + "/" + tag.RepositoryStr() + "@" + tag.TagStr() + "?"
	found := false
	for _, d := range p.BuildDefinition.ResolvedDependencies {
		found = found || strings.HasPrefix(d.URI, purl)
	}
	if !found {
		t.Errorf("provenance's resolved dependencies %+v do not name the base %s", p.BuildDefinition.ResolvedDependencies, base)
	}
	// Max mode records the build's LLB definition; min mode does not.
	if len(p.BuildDefinition.InternalParameters.BuildConfig.LLBDefinition) == 0 {
		t.Error("provenance has no buildConfig.llbDefinition: not mode=max")
	}
}

// cosignKeys is a password-protected key pair in a temporary directory, and
// a signing config with no services (no Fulcio, Rekor or TSA): cosign v3's
// way to sign with the key alone. The password reaches cosign through the
// environment only, never argv or the log.
type cosignKeys struct {
	key, pub, signingConfig string
	env                     []string
}

func newCosignKeys(t *testing.T, tr TrustStack) cosignKeys {
	t.Helper()
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	k := cosignKeys{
		key: filepath.Join(dir, "cosign.key"), pub: filepath.Join(dir, "cosign.pub"),
		signingConfig: filepath.Join(dir, "signing-config.json"),
	}
	// No credentials or TUF cache of the user's; no inherited COSIGN_* settings.
	k.env = append(cleanEnv("COSIGN_", "SIGSTORE_", "TUF_ROOT=", "DOCKER_CONFIG=", "HOME="),
		"COSIGN_PASSWORD="+hex.EncodeToString(b), "DOCKER_CONFIG="+filepath.Join(dir, "docker"), "HOME="+dir)
	runTool(t, k.env, tr.Cosign, "generate-key-pair", "--output-key-prefix", filepath.Join(dir, "cosign"))
	runTool(t, k.env, tr.Cosign, "signing-config", "create", "--out", k.signingConfig)
	return k
}

// cleanEnv is the test's environment without the variables named by prefix.
func cleanEnv(prefixes ...string) []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(kv, p) })
	})
}

// pushRandom pushes a random image to host and returns it by digest.
func pushRandom(t *testing.T, host string) name.Digest {
	t.Helper()
	tag := parseInsecure(t, host+"/e2e-trust/signed-"+e2etest.RandomSuffix(t)+":t").(name.Tag)
	img := e2etest.RandomImage(t, "amd64")
	if err := remote.Write(tag, img, remote.WithContext(t.Context())); err != nil {
		t.Fatalf("pushing %s: %v", tag, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return tag.Context().Digest(d.String())
}

const (
	sigstoreBundle = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// What cosign verify prints as each verified signature's type.
	bundleSignature  = "https://sigstore.dev/cosign/sign/v1"
	classicSignature = "cosign container image signature"
)

// cosignVerify verifies img with the key pair's public key and no
// transparency log, checks which kind of signature it found, and that another
// key pair's public key is refused.
func cosignVerify(t *testing.T, tr TrustStack, keys cosignKeys, img name.Digest, wantType string) {
	t.Helper()
	out := runTool(t, keys.env, tr.Cosign, "verify", "--key", keys.pub, "--insecure-ignore-tlog", "--allow-http-registry", img.String())
	if !strings.Contains(out, `"docker-manifest-digest":"`+img.DigestStr()+`"`) || !strings.Contains(out, `"type":"`+wantType+`"`) {
		t.Errorf("cosign verify did not report a %q signature of %s:\n%s", wantType, img.DigestStr(), out)
	}
	other := newCosignKeys(t, tr)
	if out, err := toolOutput(t, other.env, tr.Cosign, "verify", "--key", other.pub, "--insecure-ignore-tlog", "--allow-http-registry", img.String()); err == nil {
		t.Errorf("cosign verify with another key pair's public key succeeded:\n%s", out)
	}
}

// cosign v3 signs into an OCI 1.1 referrer (a Sigstore bundle whose manifest
// names the image as its subject) on the referrers registry, the referrers
// API lists it by its artifact type, and cosign verifies it.
func TestTrustCosignSignsIntoReferrers(t *testing.T) {
	tr := trustStack(t)
	keys := newCosignKeys(t, tr)
	img := pushRandom(t, tr.ReferrersRegistry)
	runTool(t, keys.env, tr.Cosign, "sign", "--yes", "--key", keys.key, "--signing-config", keys.signingConfig,
		"--allow-http-registry", img.String())

	url := fmt.Sprintf("http://%s/v2/%s/referrers/%s?artifactType=%s", tr.ReferrersRegistry, img.RepositoryStr(), img.DigestStr(), sigstoreBundle)
	code, body := e2etest.HTTPGet(t, strings.Replace(url, "+", "%2B", 1))
	if code != 200 {
		t.Fatalf("GET referrers of %s: HTTP %d: %s", img, code, body)
	}
	var referrers v1.IndexManifest
	if err := json.Unmarshal(body, &referrers); err != nil {
		t.Fatalf("referrers of %s: %v: %s", img, err, body)
	}
	if len(referrers.Manifests) != 1 || referrers.Manifests[0].ArtifactType != sigstoreBundle {
		t.Fatalf("referrers of %s: want one Sigstore bundle, got %s", img, body)
	}
	// Stored as a referrer only: no fallback tag beside it.
	fallback := img.Context().Tag(strings.Replace(img.DigestStr(), ":", "-", 1))
	if _, err := remote.Head(fallback, remote.WithContext(t.Context())); err == nil {
		t.Errorf("cosign also wrote the fallback tag %s on a registry with the referrers API", fallback)
	}
	cosignVerify(t, tr, keys, img, bundleSignature)
}

// The Debian registry (distribution 2.8) has no referrers API: cosign's
// classic signature goes under the tag sha256-<hex>.sig, and cosign v3's
// bundle under the OCI 1.1 fallback tag sha256-<hex> (an index of referrers);
// both verify.
func TestTrustCosignSignsTagSchemes(t *testing.T) {
	st, tr := e2etest.LoadStack(t), trustStack(t)
	keys := newCosignKeys(t, tr)

	t.Run("classic", func(t *testing.T) {
		img := pushRandom(t, st.Registry)
		// The classic format is deprecated in cosign v3: only these flags make it.
		runTool(t, keys.env, tr.Cosign, "sign", "--yes", "--key", keys.key, "--use-signing-config=false",
			"--tlog-upload=false", "--new-bundle-format=false", "--allow-http-registry", img.String())
		sig := img.Context().Tag(strings.Replace(img.DigestStr(), ":", "-", 1) + ".sig")
		if _, err := remote.Head(sig, remote.WithContext(t.Context())); err != nil {
			t.Fatalf("no signature tag %s: %v", sig, err)
		}
		cosignVerify(t, tr, keys, img, classicSignature)
	})
	t.Run("bundle", func(t *testing.T) {
		img := pushRandom(t, st.Registry)
		runTool(t, keys.env, tr.Cosign, "sign", "--yes", "--key", keys.key, "--signing-config", keys.signingConfig,
			"--allow-http-registry", img.String())
		fallback := img.Context().Tag(strings.Replace(img.DigestStr(), ":", "-", 1))
		idx, err := remote.Index(fallback, remote.WithContext(t.Context()))
		if err != nil {
			t.Fatalf("no referrers fallback tag %s: %v", fallback, err)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Manifests) != 1 || m.Manifests[0].ArtifactType != sigstoreBundle {
			t.Fatalf("fallback tag %s lists %+v, want one Sigstore bundle", fallback, m.Manifests)
		}
		cosignVerify(t, tr, keys, img, bundleSignature)
	})
}

// runTool runs a client of the stack and fails the test with its output if
// it fails; env nil means the test's environment.
func runTool(t *testing.T, env []string, bin string, args ...string) string {
	t.Helper()
	out, err := toolOutput(t, env, bin, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return out
}

func toolOutput(t *testing.T, env []string, bin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func parseInsecure(t *testing.T, ref string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func copyExecutable(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}
