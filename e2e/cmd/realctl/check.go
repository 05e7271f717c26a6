package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/fsutil"
)

// imageBinaries are the programs checked in each image: Istio's own print
// the version they were stamped with; envoy is the stand-in.
var imageBinaries = map[string][]string{
	"pilot":   {"pilot-discovery"},
	"proxyv2": {"pilot-agent", "envoy"},
}

// runCheck checks a finished build independently of istio-mab: every list
// under its tags has an entry per platform; every Istio binary in every
// platform image runs and prints the version (arm64 through QEMU user
// mode); every istioctl archive matches its .sha256, and the linux ones hold
// an istioctl that prints the version.
func runCheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	hub := fs.String("hub", "", "registry/namespace the build pushed to (plain HTTP loopback)")
	version := fs.String("version", "", "Istio version built")
	dist := fs.String("dist", "", "istio-mab's --dist")
	images := fs.String("images", "pilot,proxyv2", "images to check")
	platforms := fs.String("platforms", "linux/amd64,linux/arm64", "platforms every list must have")
	if err := parse(fs, args, "hub", "version", "dist"); err != nil {
		return err
	}
	var failed []string
	fail := func(format string, a ...any) {
		msg := fmt.Sprintf(format, a...)
		fmt.Println("FAIL", msg)
		failed = append(failed, msg)
	}
	tmp, err := os.MkdirTemp("", "realctl-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, image := range strings.Split(*images, ",") {
		if image == "" {
			continue
		}
		for _, tag := range []string{*version, *version + "-debug"} {
			ref := *hub + "/" + image + ":" + tag
			if err := checkList(ctx, ref, strings.Split(*platforms, ","), *version, imageBinaries[image], tmp); err != nil {
				fail("%s: %v", ref, err)
			}
		}
	}
	if err := checkArchives(ctx, *dist, *version, tmp); err != nil {
		fail("archives: %v", err)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d checks failed", len(failed))
	}
	fmt.Println("all checks passed")
	return nil
}

func checkList(ctx context.Context, ref string, platforms []string, version string, bins []string, tmp string) error {
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return err
	}
	idx, err := remote.Index(r, remote.WithContext(ctx))
	if err != nil {
		return err
	}
	d, _ := idx.Digest()
	mf, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	fmt.Printf("%s -> %s\n", ref, d)
	for _, want := range platforms {
		var desc *v1.Descriptor
		for i, m := range mf.Manifests {
			if m.Platform != nil && m.Platform.OS+"/"+m.Platform.Architecture == want {
				desc = &mf.Manifests[i]
			}
		}
		if desc == nil {
			return fmt.Errorf("no %s entry", want)
		}
		img, err := remote.Image(r.Context().Digest(desc.Digest.String()), remote.WithContext(ctx))
		if err != nil {
			return err
		}
		arch := strings.TrimPrefix(want, "linux/")
		files, err := extract(img, bins, filepath.Join(tmp, strings.ReplaceAll(ref, "/", "_")+"_"+arch))
		if err != nil {
			return fmt.Errorf("%s: %w", want, err)
		}
		for _, bin := range bins {
			arg := "version"
			if bin == "envoy" {
				arg = "--version"
			}
			out, err := runFor(ctx, arch, files[bin], arg)
			fmt.Printf("  %s %s %s: %s\n", want, bin, arg, out)
			if err != nil {
				return fmt.Errorf("%s %s: %w", want, bin, err)
			}
			if bin != "envoy" && !strings.Contains(out, `Version:"`+version+`"`) {
				return fmt.Errorf("%s %s does not print version %s", want, bin, version)
			}
		}
	}
	return nil
}

// extract writes usr/local/bin/<bin> of img's flattened filesystem into dir.
func extract(img v1.Image, bins []string, dir string) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		bin := filepath.Base(h.Name)
		if strings.TrimPrefix(h.Name, "/") != "usr/local/bin/"+bin || !slices.Contains(bins, bin) {
			continue
		}
		if err := writeExec(filepath.Join(dir, bin), tr); err != nil {
			return nil, err
		}
		out[bin] = filepath.Join(dir, bin)
	}
	for _, b := range bins {
		if out[b] == "" {
			return nil, fmt.Errorf("no /usr/local/bin/%s in the image", b)
		}
	}
	return out, nil
}

func writeExec(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runFor runs a linux binary of arch: natively for amd64, through
// qemu-aarch64-static for arm64 (explicitly, so it does not depend on
// binfmt_misc being registered).
func runFor(ctx context.Context, arch, bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	switch arch {
	case "amd64":
		cmd = exec.CommandContext(ctx, bin, args...)
	case "arm64":
		cmd = exec.CommandContext(ctx, "qemu-aarch64-static", append([]string{bin}, args...)...)
	default:
		return "", fmt.Errorf("cannot run %s binaries here", arch)
	}
	// HOME elsewhere: istioctl reads ~/.istioctl/config.yaml, pilot-agent nothing.
	cmd.Env = append(os.Environ(), "HOME="+filepath.Dir(bin))
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// checkArchives checks every istioctl archive of version in dist against its
// .sha256 ("<hex> <basename>"), and runs the linux amd64 and arm64 istioctl.
func checkArchives(ctx context.Context, dist, version, tmp string) error {
	archives, err := filepath.Glob(filepath.Join(dist, "istioctl-"+version+"-*"))
	if err != nil {
		return err
	}
	n := 0
	for _, a := range archives {
		if strings.HasSuffix(a, ".sha256") {
			continue
		}
		n++
		want, err := os.ReadFile(a + ".sha256")
		if err != nil {
			return err
		}
		sum, err := fsutil.FileSHA256(a)
		if err != nil {
			return err
		}
		if line := sum + " " + filepath.Base(a); strings.TrimSpace(string(want)) != line {
			return fmt.Errorf("%s.sha256 holds %q, the file is %q", a, strings.TrimSpace(string(want)), line)
		}
		fmt.Printf("%s: sha256 ok\n", filepath.Base(a))
		if err := checkArchiveBinary(a); err != nil {
			return err
		}
	}
	if n == 0 {
		return fmt.Errorf("no istioctl-%s-* archives in %s", version, dist)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		a := filepath.Join(dist, "istioctl-"+version+"-linux-"+arch+".tar.gz")
		bin := filepath.Join(tmp, "istioctl-"+arch)
		if err := untarIstioctl(a, bin); err != nil {
			return err
		}
		out, err := runFor(ctx, arch, bin, "version", "--remote=false")
		fmt.Printf("  %s istioctl version --remote=false: %s\n", filepath.Base(a), out)
		if err != nil {
			return fmt.Errorf("%s: %w", a, err)
		}
		if !strings.Contains(out, version) {
			return fmt.Errorf("%s: istioctl does not print version %s", a, version)
		}
	}
	return nil
}

// checkArchiveBinary checks an archive holds exactly one file, istioctl or
// istioctl.exe, at its root, as upstream's release archives do.
func checkArchiveBinary(a string) error {
	var names []string
	if strings.HasSuffix(a, ".zip") {
		zr, err := zip.OpenReader(a)
		if err != nil {
			return err
		}
		defer zr.Close()
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
	} else if err := eachTarEntry(a, func(h *tar.Header, _ io.Reader) error {
		names = append(names, h.Name)
		return nil
	}); err != nil {
		return err
	}
	if len(names) != 1 || (names[0] != "istioctl" && names[0] != "istioctl.exe") {
		return fmt.Errorf("%s holds %v, want a single istioctl", a, names)
	}
	return nil
}

func untarIstioctl(a, dst string) error {
	found := false
	err := eachTarEntry(a, func(h *tar.Header, r io.Reader) error {
		if h.Name != "istioctl" {
			return nil
		}
		found = true
		return writeExec(dst, r)
	})
	if err == nil && !found {
		err = fmt.Errorf("%s: no istioctl", a)
	}
	return err
}

func eachTarEntry(a string, fn func(*tar.Header, io.Reader) error) error {
	f, err := os.Open(a)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(h, tr); err != nil {
			return err
		}
	}
}
