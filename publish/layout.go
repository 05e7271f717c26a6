package publish

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/sign"
)

// Layout is the destination of --output oci-layout:DIR: BuildKit writes each
// platform image as a tarball under a stage directory, Prepare checks it as
// Local does, copies its blobs and the list into one OCI layout and reads
// the whole list back; MoveTags then names the list in index.json, once per
// tag (org.opencontainers.image.ref.name = NAME:TAG, NAME relative to the
// hub), so a layout ref points either where it did or to a complete list.
// Nothing is pushed.
type Layout struct {
	path   layout.Path
	local  *Local
	hub    string
	signer Signer
}

// Signatures is the layout as a store of signatures (LayoutSignatures).
func (l *Layout) Signatures() sign.Store { return LayoutSignatures(l.path, l.hub) }

// SignWith signs every list Prepare writes and all it holds into the
// layout, in cosign's tag scheme, before any list is named.
func (l *Layout) SignWith(s Signer) { l.signer = s }

// NewLayout opens the OCI layout at dir, creating an empty one when dir
// holds none, and keeps BuildKit's tarballs under stage, which the caller
// removes. Lists of hub/NAME are named NAME:TAG.
func NewLayout(dir, stage, hub string) (*Layout, error) {
	p, err := OpenLayout(dir)
	if err != nil {
		return nil, err
	}
	return &Layout{path: p, local: NewLocal(stage), hub: strings.TrimSuffix(hub, "/")}, nil
}

// OpenLayout opens the OCI layout at dir, creating an empty one when dir
// holds none.
func OpenLayout(dir string) (layout.Path, error) {
	if _, err := os.Stat(dir + "/index.json"); err == nil {
		p, err := layout.FromPath(dir)
		if err != nil {
			return "", fmt.Errorf("opening OCI layout %s: %w", dir, err)
		}
		return p, nil
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return "", fmt.Errorf("creating OCI layout %s: %w", dir, err)
	}
	return p, nil
}

// Target is a new tarball for one platform image of repo.
func (l *Layout) Target(repo string, pl ocispecs.Platform) (Target, error) {
	return l.local.Target(repo, pl)
}

// Prepare checks each platform image of img, copies it into the layout,
// writes the list's blob and reads every blob of the list back.
func (l *Layout) Prepare(_ context.Context, img Image) (*Prepared, error) {
	pr, err := l.local.prepare(img, l.path.WriteImage)
	if err != nil {
		return nil, err
	}
	d := pr.Index.Descriptor
	if err := l.path.WriteBlob(d.Digest, io.NopCloser(bytes.NewReader(pr.Index.raw))); err != nil {
		return nil, fmt.Errorf("writing list %s to the layout: %w", d.Digest, err)
	}
	if err := CheckLayoutTree(l.path, d); err != nil {
		return nil, fmt.Errorf("reading back %s@%s: %w", pr.Repository, d.Digest, err)
	}
	if l.signer != nil {
		w := signatureWriter{signer: l.signer, st: l.Signatures(), repo: pr.Repository}
		if pr.Signatures, err = w.all(pr.Index); err != nil {
			return nil, fmt.Errorf("signing %s@%s into the layout: %w", pr.Repository, d.Digest, err)
		}
	}
	return pr, nil
}

// MoveTags names the list NAME:TAG in index.json for every tag.
func (l *Layout) MoveTags(_ context.Context, pr *Prepared) (*Result, error) {
	res := &Result{Repository: pr.Repository.String(), Index: pr.Index.Descriptor, Children: pr.Index.Children, Signatures: pr.Signatures}
	short := RefName(l.hub, pr.Repository)
	refs := make([]string, len(pr.Tags))
	for i, t := range pr.Tags {
		refs[i] = short + ":" + t
	}
	prev, err := SetLayoutRefs(l.path, pr.Index.Descriptor, refs)
	if err != nil {
		return res, err
	}
	for i, t := range pr.Tags {
		res.Tags = append(res.Tags, TagResult{Tag: t, Previous: prev[i], Moved: prev[i] != pr.Index.Descriptor.Digest})
	}
	return res, nil
}

// RefName is repo's name relative to hub (pilot for hub/pilot), so the
// layout can be imported under another hub; repo's full name when it is not
// under hub.
func RefName(hub string, repo name.Repository) string {
	h, err := name.NewRepository(strings.TrimSuffix(hub, "/"))
	if err == nil && h.RegistryStr() == repo.RegistryStr() {
		if rel, ok := strings.CutPrefix(repo.RepositoryStr(), h.RepositoryStr()+"/"); ok {
			return rel
		}
	}
	return repo.Name()
}

// Adopt copies idx, a list read from a registry, into the layout as bytes
// with all it references (attestations too), unless it is there complete
// already, and reads it back; copied says which. Nothing is named until
// MoveTags.
func (l *Layout) Adopt(idx v1.ImageIndex, repo name.Repository, tags []string) (pr *Prepared, copied bool, err error) {
	raw, err := idx.RawManifest()
	if err != nil {
		return nil, false, err
	}
	ei, err := ExistingIndex(raw)
	if err != nil {
		return nil, false, err
	}
	d := ei.Descriptor
	if CheckLayoutTree(l.path, d) != nil {
		copied = true
		if err := l.path.WriteIndex(idx); err != nil {
			return nil, false, fmt.Errorf("writing %s@%s to the layout: %w", repo, d.Digest, err)
		}
		if err := CheckLayoutTree(l.path, d); err != nil {
			return nil, false, fmt.Errorf("reading back %s@%s: %w", repo, d.Digest, err)
		}
	}
	return &Prepared{Repository: repo, Index: ei, Tags: tags}, copied, nil
}
