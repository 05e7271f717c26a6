// Package fakenode is a BuildKit node without a daemon, for tests and the
// facade's examples: it answers Platforms and Pin from its fields and
// emulates each Solve's result with real tiny executables, pushing images
// to the registry BuildKit would push to.
package fakenode

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/compile"
	"github.com/istio-mab/istio-mab/run/envoy"
	"github.com/istio-mab/istio-mab/run/image"
)

// Kind is what a solve did, as the fake tells it from its input.
type Kind string

const (
	Compile Kind = "compile"
	Envoy   Kind = "envoy"
	Image   Kind = "image"
)

// solve is one solve a fake node received.
type Solve struct {
	Kind     Kind
	Platform string   // target platform: the image's or Envoy's; for compiles, every binary's
	Built    []string // compile: "name linux/arm64" of each binary
	BuildOn  string   // compile: the platform the compiles ran on
	Kept     bool     // compile: kept in the node's cache, not exported
}

// Node is a BuildKit node without a daemon: it answers Platforms and
// Pin from its fields and emulates each Solve's result with real tiny
// executables, pushing images to the registry BuildKit would push to.
type Node struct {
	platforms []ocispecs.Platform
	// ImagePlatforms is, per image ref, the platforms it has a variant
	// for; Pin of another platform resolves to the first, as a
	// single-platform image does. Refs not listed have every platform.
	ImagePlatforms map[string][]ocispecs.Platform
	Fail           map[Kind]error
	// EnvoyFor puts an Envoy for another platform into the images of a
	// platform ("linux/arm64" -> "linux/amd64"), as a broken build would.
	EnvoyFor map[string]string

	mu     sync.Mutex
	solves []Solve
	reads  int // ReadFiles calls: the compiles' file listings
}

func New(pls ...string) *Node {
	n := &Node{ImagePlatforms: map[string][]ocispecs.Platform{}, Fail: map[Kind]error{}, EnvoyFor: map[string]string{}}
	for _, pl := range pls {
		n.platforms = append(n.platforms, platforms.MustParse(pl))
	}
	return n
}

func (n *Node) ResolveGit(context.Context, llb.State) (string, []byte, error) {
	return "", nil, errors.New("fake node: no git")
}

// ReadFiles serves the compiles' file lists as empty: the fake compiles
// need no source.
func (n *Node) ReadFiles(_ context.Context, _ llb.State, _ map[string]string, fn func(func(string) ([]byte, error)) error) error {
	n.mu.Lock()
	n.reads++
	n.mu.Unlock()
	return fn(func(string) ([]byte, error) { return nil, nil })
}

func (n *Node) Platforms(context.Context) ([]ocispecs.Platform, error) { return n.platforms, nil }

func (n *Node) Pin(_ context.Context, refs []buildkit.ImageRef) ([]buildkit.Pinned, error) {
	out := make([]buildkit.Pinned, len(refs))
	for i, r := range refs {
		pl := r.Platform
		if have, ok := n.ImagePlatforms[r.Ref]; ok && !containsPlatform(have, pl) {
			pl = have[0]
		}
		out[i] = buildkit.Pinned{Ref: r.Ref + "@" + digest.FromString(r.Ref).String(), Platform: pl}
	}
	return out, nil
}

func containsPlatform(pls []ocispecs.Platform, pl ocispecs.Platform) bool {
	for _, p := range pls {
		if plan.SamePlatform(p, pl) {
			return true
		}
	}
	return false
}

// SolvesOf returns the solves of one kind the node received.
func (n *Node) SolvesOf(kind Kind) []Solve {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []Solve
	for _, s := range n.solves {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

func (n *Node) record(s Solve) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.solves = append(n.solves, s)
}

// ExportUnlessKept always sends: the fake keeps no results between solves.
func (n *Node) ExportUnlessKept(ctx context.Context, def *llb.Definition, opt client.SolveOpt, locals map[string]string, _ string, solved func()) (bool, error) {
	_, err := n.Solve(ctx, def, opt, locals)
	solved()
	return true, err
}

func (n *Node) Solve(ctx context.Context, def *llb.Definition, opt client.SolveOpt, locals map[string]string) (map[string]string, error) {
	if def == nil {
		if opt.Frontend != "dockerfile.v0" || len(opt.Exports) != 1 {
			return nil, fmt.Errorf("fake node: unexpected frontend solve %q", opt.Frontend)
		}
		return n.buildImage(ctx, opt, locals)
	}
	ops, err := readOps(def)
	if err != nil {
		return nil, err
	}
	bins := compiledBinaries(ops)
	if len(opt.Exports) == 0 && len(bins) > 0 {
		return nil, n.compile(bins, ops, "") // kept in the node's cache
	}
	if len(opt.Exports) != 1 || opt.Exports[0].Type != client.ExporterLocal || opt.Exports[0].OutputDir == "" {
		return nil, errors.New("fake node: an LLB solve must export to a local directory, or be a compile kept on the node")
	}
	if len(bins) > 0 {
		return nil, n.compile(bins, ops, opt.Exports[0].OutputDir)
	}
	return nil, n.fetchEnvoy(def, opt.Exports[0].OutputDir)
}

// compile writes the binary the definition compiles, as its export holds it.
func (n *Node) compile(bins []plan.Binary, ops []*pb.Op, dir string) error {
	s := Solve{Kind: Compile, BuildOn: buildPlatform(ops), Kept: dir == ""}
	for _, b := range bins {
		s.Built = append(s.Built, b.Name+" "+platforms.Format(b.Platform))
	}
	s.Platform = strings.Join(s.Built, ", ")
	n.record(s)
	if err := n.Fail[Compile]; err != nil {
		return err
	}
	for _, b := range bins {
		if dir == "" {
			continue
		}
		if err := writeExe(filepath.Join(dir, compile.FileName(b)), b.Platform); err != nil {
			return err
		}
	}
	return nil
}

var (
	envoyStep    = regexp.MustCompile(`Envoy for (\S+)$`)
	keptDownload = regexp.MustCompile(`^keep the Envoy download`)
	wasmStep     = regexp.MustCompile(`^download (\S+\.wasm)$`)
)

// fetchEnvoy writes dir/envoy for the platform the definition's step names
// say, and dir/download when it keeps the download; or a wasm filter.
func (n *Node) fetchEnvoy(def *llb.Definition, dir string) error {
	var pl string
	keep := false
	for _, m := range def.Metadata {
		name := m.Description["llb.customname"]
		if sub := envoyStep.FindStringSubmatch(name); sub != nil {
			pl = sub[1]
		}
		keep = keep || keptDownload.MatchString(name)
		if sub := wasmStep.FindStringSubmatch(name); sub != nil && pl == "" {
			return os.WriteFile(filepath.Join(mkdir(dir), sub[1]), []byte("\x00asm\x01\x00\x00\x00"), 0o644)
		}
	}
	if pl == "" {
		return errors.New("fake node: neither a compile nor an Envoy fetch")
	}
	n.record(Solve{Kind: Envoy, Platform: pl})
	if err := n.Fail[Envoy]; err != nil {
		return err
	}
	if keep {
		if err := os.WriteFile(filepath.Join(mkdir(dir), envoy.Download), []byte("fake Envoy download for "+pl), 0o644); err != nil {
			return err
		}
	}
	return writeExe(filepath.Join(dir, envoy.File), platforms.MustParse(pl))
}

func mkdir(dir string) string {
	_ = os.MkdirAll(dir, 0o755) // a failure shows in the write that follows
	return dir
}

// buildImage pushes, by digest to the export's repository, an image for the
// solve's platform holding in /usr/local/bin the binaries the client shares
// for it and an Envoy, and answers with its descriptor as BuildKit does.
func (n *Node) buildImage(ctx context.Context, opt client.SolveOpt, locals map[string]string) (map[string]string, error) {
	plName := opt.FrontendAttrs["platform"]
	n.record(Solve{Kind: Image, Platform: plName})
	if err := n.Fail[Image]; err != nil {
		return nil, err
	}
	pl := platforms.MustParse(plName)
	envoyPlatform := pl
	if other, ok := n.EnvoyFor[plName]; ok {
		envoyPlatform = platforms.MustParse(other)
	}
	files, err := imageFiles(locals[image.BinariesLocal], pl, envoyPlatform)
	if err != nil {
		return nil, err
	}
	if err := addCompiledInContext(files, opt.FrontendInputs["context"]); err != nil {
		return nil, err
	}
	desc, err := pushImage(ctx, opt.Exports[0].Attrs["name"], pl, files)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(desc)
	if err != nil {
		return nil, err
	}
	return map[string]string{image.DescriptorKey: base64.StdEncoding.EncodeToString(raw)}, nil
}

// imageFiles are usr/local/bin/<name> for every binary shared for pl,
// and usr/local/bin/envoy: an executable for envoyPlatform.
func imageFiles(binDir string, pl, envoyPlatform ocispecs.Platform) (map[string][]byte, error) {
	dir := filepath.Dir(filepath.Join(binDir, compile.Path(plan.Binary{Name: "x", Platform: pl})))
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) { // none sent: all copied from compiles
		return nil, fmt.Errorf("fake node: reading shared binaries: %w", err)
	}
	envoyExe, err := exeFor(envoyPlatform)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{"usr/local/bin/" + envoy.File: envoyExe}
	for _, e := range entries {
		if files["usr/local/bin/"+e.Name()], err = os.ReadFile(filepath.Join(dir, e.Name())); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// addCompiledInContext adds to files the binaries the image context copies
// straight from a compile on this node, as the fake compiles them.
func addCompiledInContext(files map[string][]byte, imageContext llb.State) error {
	def, err := imageContext.Marshal(context.Background())
	if err != nil {
		return err
	}
	ops, err := readOps(def)
	if err != nil {
		return err
	}
	for _, b := range compiledBinaries(ops) {
		if files["usr/local/bin/"+b.Name], err = exeFor(b.Platform); err != nil {
			return err
		}
	}
	return nil
}

// pushImage pushes a small image for pl holding files to repo by digest.
func pushImage(ctx context.Context, repo string, pl ocispecs.Platform, files map[string][]byte) (ocispecs.Descriptor, error) {
	img, err := random.Image(64, 1)
	if err != nil {
		return ocispecs.Descriptor{}, err
	}
	layer, err := crane.Layer(files)
	if err != nil {
		return ocispecs.Descriptor{}, err
	}
	if img, err = mutate.AppendLayers(img, layer); err != nil {
		return ocispecs.Descriptor{}, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return ocispecs.Descriptor{}, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = pl.OS, pl.Architecture, pl.Variant
	// As upstream's Dockerfiles set them, which publish checks: proxyv2 sets no USER.
	cfg.Config.User, cfg.Config.Entrypoint = "", []string{"/usr/local/bin/pilot-agent"}
	if strings.HasSuffix(repo, "/pilot") {
		cfg.Config.User, cfg.Config.Entrypoint = "1337:1337", []string{"/usr/local/bin/pilot-discovery"}
	}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return ocispecs.Descriptor{}, err
	}
	d, err := img.Digest()
	if err != nil {
		return ocispecs.Descriptor{}, err
	}
	ref, err := name.NewDigest(repo+"@"+d.String(), name.Insecure)
	if err != nil {
		return ocispecs.Descriptor{}, err
	}
	if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
		return ocispecs.Descriptor{}, err
	}
	mt, err := img.MediaType()
	if err != nil {
		return ocispecs.Descriptor{}, err
	}
	size, err := img.Size()
	return ocispecs.Descriptor{MediaType: string(mt), Digest: digest.Digest(d.String()), Size: size, Platform: &pl}, err
}

func readOps(def *llb.Definition) ([]*pb.Op, error) {
	var ops []*pb.Op
	for _, dt := range def.ToPB().Def {
		var op pb.Op
		if err := op.Unmarshal(dt); err != nil {
			return nil, err
		}
		ops = append(ops, &op)
	}
	return ops, nil
}

// compiledBinaries reads each exec op's GOOS, GOARCH, GOARM and OUT, as
// compile.Binary sets them.
func compiledBinaries(ops []*pb.Op) []plan.Binary {
	var out []plan.Binary
	for _, op := range ops {
		exec := op.GetExec()
		if exec == nil {
			continue
		}
		env := map[string]string{}
		for _, kv := range exec.GetMeta().GetEnv() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		if env["OUT"] == "" {
			continue // the module download
		}
		pl := ocispecs.Platform{OS: env["GOOS"], Architecture: env["GOARCH"]}
		if env["GOARM"] != "" {
			pl.Variant = "v" + env["GOARM"]
		}
		name := strings.TrimSuffix(filepath.Base(env["OUT"]), ".exe")
		out = append(out, plan.Binary{Name: name, Platform: pl})
	}
	return out
}

// buildPlatform is the platform the compiles run on, from the exec ops.
func buildPlatform(ops []*pb.Op) string {
	for _, op := range ops {
		if op.GetExec() != nil && op.GetPlatform() != nil {
			p := op.GetPlatform()
			return platforms.Format(ocispecs.Platform{OS: p.GetOS(), Architecture: p.GetArchitecture(), Variant: p.GetVariant()})
		}
	}
	return ""
}

func writeExe(path string, pl ocispecs.Platform) error {
	b, err := exeFor(pl)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o755)
}

// exes are tiny real executables by platform, built on first use.
var (
	exes     = map[string][]byte{}
	exesOnce sync.Once
	exesErr  error
)

// exePlatforms are the platforms the fake can write executables for.
var exePlatforms = []string{"linux/amd64", "linux/arm64", "linux/arm/v7", "darwin/amd64", "darwin/arm64", "windows/amd64"}

func exeFor(pl ocispecs.Platform) ([]byte, error) {
	exesOnce.Do(func() { exesErr = buildExes() })
	if exesErr != nil {
		return nil, fmt.Errorf("fake node: building test executables: %w", exesErr)
	}
	b, ok := exes[platforms.Format(platforms.Normalize(pl))]
	if !ok {
		return nil, fmt.Errorf("fake node: no test executable for %s", platforms.Format(pl))
	}
	return b, nil
}

// buildExes cross-compiles an empty program for each of exePlatforms.
func buildExes() error {
	dir, err := os.MkdirTemp("", "builder-test-exe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		return err
	}
	for _, s := range exePlatforms {
		pl := platforms.MustParse(s)
		out := filepath.Join(dir, strings.ReplaceAll(s, "/", "_"))
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, src)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOOS="+pl.OS, "GOARCH="+pl.Architecture, "GOARM=7")
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build for %s: %v\n%s", s, err, b)
		}
		if exes[s], err = os.ReadFile(out); err != nil {
			return err
		}
	}
	return nil
}

// Solves are every solve the node received, in order.
func (n *Node) Solves() []Solve {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.solves)
}

// Reads counts the ReadFiles calls: the compiles' file listings.
func (n *Node) Reads() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.reads
}
