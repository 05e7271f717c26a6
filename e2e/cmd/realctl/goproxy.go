package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/zip"
)

// runGoProxy writes module versions that the machine's Go module proxy
// refuses into OUT, in GOPROXY layout (MODULE/@v/list, .info, .mod, .zip),
// each zipped from the module's own git repository at the version's
// revision. A version is written only when both its hashes equal the
// release's go.sum lines: what the loopback proxy serves is then exactly what
// proxy.golang.org would have served, and the go command would refuse
// anything else anyway.
func runGoProxy(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("goproxy", flag.ContinueOnError)
	goSum := fs.String("go-sum", "", "the release's go.sum: every module written must match it")
	out := fs.String("out", "", "GOPROXY directory to write into")
	if err := parse(fs, args, "go-sum", "out"); err != nil {
		return err
	}
	sums, err := readGoSum(*goSum)
	if err != nil {
		return err
	}
	for _, arg := range fs.Args() {
		spec, src, ok := strings.Cut(arg, "=")
		path, version, ok2 := strings.Cut(spec, "@")
		if !ok || !ok2 {
			return fmt.Errorf("goproxy: %q: want MODULE@VERSION=GIT_DIR[#SUBDIR]", arg)
		}
		gitDir, subdir, _ := strings.Cut(src, "#") // SUBDIR: a module nested in its repository
		m := module.Version{Path: path, Version: version}
		if err := module.Check(path, version); err != nil {
			return err
		}
		if err := writeFromGit(ctx, m, gitDir, subdir, sums, *out); err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
	}
	return nil
}

// readGoSum maps "MODULE VERSION" and "MODULE VERSION/go.mod" to their h1: hash.
func readGoSum(file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 3 {
			sums[fields[0]+" "+fields[1]] = fields[2]
		}
	}
	return sums, sc.Err()
}

func writeFromGit(ctx context.Context, m module.Version, gitDir, subdir string, sums map[string]string, out string) error {
	wantZip, wantMod := sums[m.Path+" "+m.Version], sums[m.Path+" "+m.Version+"/go.mod"]
	if wantZip == "" || wantMod == "" {
		return fmt.Errorf("not in go.sum (both the module and its go.mod line are needed)")
	}
	rev := strings.TrimSuffix(m.Version, "+incompatible")
	if module.IsPseudoVersion(m.Version) {
		rev, _ = module.PseudoVersionRev(m.Version)
	}
	// zip.CreateFromVCS wants a repository with a .git directory, as the go
	// command's own direct mode has; a shared clone of the mirror costs nothing.
	tmp, err := os.MkdirTemp("", "realctl-goproxy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if _, err := git(ctx, "", "clone", "--quiet", "--shared", "--no-checkout", gitDir, tmp); err != nil {
		return err
	}
	when, err := commitTime(ctx, tmp, rev, m.Version)
	if err != nil {
		return err
	}
	var z bytes.Buffer
	if err := zip.CreateFromVCS(&z, m, tmp, rev, subdir); err != nil {
		return err
	}
	goMod, err := git(ctx, tmp, "show", rev+":"+path.Join(subdir, "go.mod"))
	if err != nil {
		return err
	}
	dir := filepath.Join(out, mustEscape(m.Path), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, m.Version)
	// Hash the zip where it will be served from, under a temporary name.
	if err := os.WriteFile(base+".zip.tmp", z.Bytes(), 0o644); err != nil {
		return err
	}
	gotZip, err := dirhash.HashZip(base+".zip.tmp", dirhash.Hash1)
	if err != nil {
		return err
	}
	gotMod, err := fixture.GoModSum(goMod)
	if err != nil {
		return err
	}
	if gotZip != wantZip || gotMod != wantMod {
		os.Remove(base + ".zip.tmp")
		return fmt.Errorf("built from %s at %s: zip %s, go.mod %s; go.sum wants %s, %s: not serving it", gitDir, rev, gotZip, gotMod, wantZip, wantMod)
	}
	info, _ := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.Version, when})
	if err := os.WriteFile(base+".mod", goMod, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(base+".info", info, 0o644); err != nil {
		return err
	}
	if err := os.Rename(base+".zip.tmp", base+".zip"); err != nil {
		return err
	}
	if err := addToList(filepath.Join(dir, "list"), m.Version); err != nil {
		return err
	}
	fmt.Printf("%s %s (go.sum match; from %s at %s)\n", m.Path, m.Version, gitDir, rev)
	return nil
}

// commitTime is rev's commit time; for a pseudo-version it must be the time
// the version encodes, or rev is not the commit the version names.
func commitTime(ctx context.Context, repo, rev, version string) (time.Time, error) {
	out, err := git(ctx, repo, "log", "-1", "--format=%cI", rev)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(out)))
	if err != nil {
		return time.Time{}, err
	}
	t = t.UTC()
	if module.IsPseudoVersion(version) {
		want, err := module.PseudoVersionTime(version)
		if err != nil {
			return time.Time{}, err
		}
		if !t.Equal(want) {
			return time.Time{}, fmt.Errorf("commit %s is from %s, the version says %s", rev, t, want)
		}
	}
	return t, nil
}

func addToList(file, version string) error {
	b, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	vs := strings.Fields(string(b))
	if slices.Contains(vs, version) {
		return nil
	}
	return os.WriteFile(file, []byte(strings.Join(append(vs, version), "\n")+"\n"), 0o644)
}

func mustEscape(path string) string {
	esc, err := module.EscapePath(path)
	if err != nil {
		panic(err) // module.Check passed
	}
	return filepath.FromSlash(esc)
}

func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
