package install

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"time"
)

// Shipped are the charts of manifests/charts the default install and the
// common profiles (default, ambient) use, relative to manifests/charts.
var Shipped = []string{"base", "istio-control/istio-discovery", "gateway", "istio-cni", "ztunnel"}

// ChartsDir is where a bundle holds its charts: charts/NAME-VERSION.tgz.
const ChartsDir = "charts"

// Chart is one packaged chart: its name and version as Chart.yaml says
// after packaging, and the package.
type Chart struct {
	Name, Version string
	Package       []byte
	// Values is the chart's own values.yaml as the source holds it.
	Values []byte
}

// File is the chart's package path in a bundle.
func (c Chart) File() string {
	return path.Join(ChartsDir, c.Name+"-"+c.Version+".tgz")
}

var (
	nameLine    = regexp.MustCompile(`(?m)^name:\s*"?([^"\s]+)"?\s*$`)
	versionLine = regexp.MustCompile(`(?m)^version:.*$`)
	appLine     = regexp.MustCompile(`(?m)^appVersion:.*$`)
)

// Package packages the chart in dir as `helm package --version V
// --app-version V` does (Istio's release sets both to the release): a
// gzipped tar of the chart's files under a directory named after the
// chart, Chart.yaml's version and appVersion replaced. Entries are sorted
// and carry the fixed time mtime, so one tree packages to one digest.
func Package(dir, version string, mtime time.Time) (Chart, error) {
	meta, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return Chart{}, fmt.Errorf("packaging chart %s: %w", dir, err)
	}
	m := nameLine.FindSubmatch(meta)
	if m == nil {
		return Chart{}, fmt.Errorf("packaging chart %s: Chart.yaml has no name", dir)
	}
	c := Chart{Name: string(m[1]), Version: version}
	meta = versionLine.ReplaceAll(meta, []byte("version: "+version))
	meta = appLine.ReplaceAll(meta, []byte("appVersion: "+version))
	if c.Values, err = os.ReadFile(filepath.Join(dir, "values.yaml")); err != nil && !os.IsNotExist(err) {
		return Chart{}, fmt.Errorf("packaging chart %s: %w", dir, err)
	}
	if c.Package, err = tgz(dir, c.Name, meta, mtime); err != nil {
		return Chart{}, fmt.Errorf("packaging chart %s: %w", dir, err)
	}
	return c, nil
}

// tgz writes dir's regular files under prefix/, Chart.yaml replaced by meta.
func tgz(dir, prefix string, meta []byte, mtime time.Time) ([]byte, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, p := range files {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return nil, err
		}
		b := meta
		if rel != "Chart.yaml" {
			if b, err = os.ReadFile(p); err != nil {
				return nil, err
			}
		}
		hdr := &tar.Header{Name: path.Join(prefix, filepath.ToSlash(rel)), Mode: 0o644, Size: int64(len(b)), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(b); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// PackageAll packages every Shipped chart under root (a tree's
// manifests/charts) that the tree has: none when it has none.
func PackageAll(root, version string, mtime time.Time) ([]Chart, error) {
	var out []Chart
	for _, rel := range Shipped {
		dir := filepath.Join(root, filepath.FromSlash(rel))
		if _, err := os.Stat(filepath.Join(dir, "Chart.yaml")); os.IsNotExist(err) {
			continue
		}
		c, err := Package(dir, version, mtime)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// order is the order Istio's Helm guide installs the charts in: the CRDs
// first, istiod before what it injects or configures.
var order = []string{"base", "istiod", "cni", "ztunnel", "gateway"}

// installOrder is the indexes of charts in install order; charts order
// does not name keep their place, after the others.
func installOrder(charts []Chart) []int {
	idx := make([]int, len(charts))
	for i := range idx {
		idx[i] = i
	}
	rank := func(i int) int {
		if r := slices.Index(order, charts[i].Name); r >= 0 {
			return r
		}
		return len(order)
	}
	slices.SortStableFunc(idx, func(a, b int) int { return rank(a) - rank(b) })
	return idx
}
