package carry

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/publish"
)

// ContentsFile is the contents file's name at the layout's root, beside
// index.json.
const ContentsFile = "istio-mab.json"

// Contents is what a layout carries, written last so that a layout with
// one is complete: import pushes exactly these lists and checks every
// digest against them.
type Contents struct {
	Version string `json:"version,omitempty"`
	// Checksum is the bundle's checksum (checksum.go): over every file
	// of the bundle, this one included, hex.
	Checksum string `json:"checksum"`
	// Base is the bundle a delta relies on; nil for a full bundle.
	Base *Base `json:"base,omitempty"`
	// Hub is where the lists were built for or exported from; Lists name
	// their repositories relative to it.
	Hub   string `json:"hub"`
	Lists []List `json:"lists"`
	// Files are the istioctl archives and their .sha256, and the lock file,
	// relative to the layout.
	Files []File `json:"files,omitempty"`
}

// List is one manifest list in the layout.
type List struct {
	Name      string          `json:"name"` // repository relative to Hub: pilot
	Digest    v1.Hash         `json:"digest"`
	MediaType types.MediaType `json:"mediaType"`
	Size      int64           `json:"size"`
	Tags      []string        `json:"tags"`
	// Binaries are checked for each platform image on import.
	Binaries  []string        `json:"binaries,omitempty"`
	Platforms []PlatformEntry `json:"platforms"`
	// Signatures are the tags holding its signatures and signed attestations.
	Signatures []SignatureRef `json:"signatures,omitempty"`
	// Blobs are the digests of every blob the list and its signatures
	// reach, sorted: what a later delta may leave out for this name.
	Blobs []v1.Hash `json:"blobs,omitempty"`
	// InBase are the layers of Blobs a delta leaves out: the base bundle
	// carried them under this name, so the registry must hold them.
	InBase []v1.Hash `json:"inBase,omitempty"`
}

// Base names the bundle a delta was exported against. Its checksum's key
// is not "checksum": the contents file holds one field of that name.
type Base struct {
	Version  string `json:"version"`
	Checksum string `json:"bundleChecksum"`
}

// PlatformEntry is one platform image of a list.
type PlatformEntry struct {
	Platform string  `json:"platform"`
	Digest   v1.Hash `json:"digest"`
}

// File is a file carried beside the images.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// ListOf records a published list; binaries are what its images hold.
func ListOf(hub string, r *publish.Result, binaries []string) (List, error) {
	repo, err := parseRepo(r.Repository)
	if err != nil {
		return List{}, err
	}
	l := List{
		Name: publish.RefName(hub, repo), Digest: r.Index.Digest, MediaType: r.Index.MediaType, Size: r.Index.Size,
		Binaries: binaries,
	}
	for _, t := range r.Tags {
		l.Tags = append(l.Tags, t.Tag)
	}
	for _, c := range r.Children {
		if c.Platform != nil && !publish.IsAttestation(c) {
			l.Platforms = append(l.Platforms, PlatformEntry{Platform: platformString(c.Platform), Digest: c.Digest})
		}
	}
	return l, nil
}

func platformString(p *v1.Platform) string {
	return platforms.Format(platforms.Normalize(platforms.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}))
}

// paths are the carried files' paths, relative to the layout.
func (c Contents) paths() []string {
	out := make([]string, len(c.Files))
	for i, f := range c.Files {
		out[i] = f.Path
	}
	return out
}

// Descriptor is the list's descriptor, as index.json names it.
func (l List) Descriptor() v1.Descriptor {
	return v1.Descriptor{MediaType: l.MediaType, Size: l.Size, Digest: l.Digest}
}

// WriteContents writes c to dir's contents file, replacing it whole, with
// the signature tags the layout names for each list and the blobs each
// reaches, and stamps the bundle's checksum: the bundle's last write.
func WriteContents(dir string, c Contents) error {
	if err := recordSignatures(dir, &c); err != nil {
		return err
	}
	if err := recordBlobs(dir, &c); err != nil {
		return err
	}
	c.Checksum = zeroSum
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, ContentsFile), append(b, '\n')); err != nil {
		return err
	}
	return Stamp(dir)
}

// ReadContents reads dir's contents file.
func ReadContents(dir string) (Contents, error) { return readContents(dir, dir) }

// readContents reads dir's contents file, naming the layout name in errors.
func readContents(dir, name string) (Contents, error) {
	var c Contents
	b, err := readBounded(filepath.Join(dir, ContentsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return c, fmt.Errorf("%s has no %s: give a layout written by istio-mab build --output or istio-mab export (%w)", name, ContentsFile, err)
	}
	if err != nil {
		return c, fmt.Errorf("reading %s of %s: %w", ContentsFile, name, err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("reading %s of %s: %w", ContentsFile, name, err)
	}
	if len(c.Lists) == 0 {
		return c, fmt.Errorf("%s of %s lists no manifest list", ContentsFile, name)
	}
	return c, nil
}

func parseRepo(s string) (name.Repository, error) {
	r, err := name.NewRepository(s)
	if err != nil {
		return r, fmt.Errorf("parsing repository %q: %w", s, err)
	}
	return r, nil
}

// FilesIn records every regular file under each path below root (a file
// or a directory; missing ones are skipped), relative to root.
func FilesIn(root string, paths ...string) ([]File, error) {
	var out []File
	for _, p := range paths {
		err := filepath.WalkDir(filepath.Join(root, p), func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			f, err := hashFile(path)
			if err != nil {
				return err
			}
			f.Path, err = filepath.Rel(root, path)
			out = append(out, f)
			return err
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return out, nil
}

func hashFile(path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	h, n, err := v1.SHA256(f)
	return File{SHA256: h.Hex, Size: n}, err
}

// CheckFiles checks every file of c under dir against its recorded sha256.
func CheckFiles(dir string, c Contents) error {
	for _, want := range c.Files {
		got, err := hashFile(filepath.Join(dir, want.Path))
		if err != nil {
			return fmt.Errorf("%s: %w", want.Path, err)
		}
		if got.SHA256 != want.SHA256 || got.Size != want.Size {
			return fmt.Errorf("%s: sha256 %s (%d bytes), %s records %s (%d bytes): carry the layout again", want.Path, got.SHA256, got.Size, ContentsFile, want.SHA256, want.Size)
		}
	}
	return nil
}
