package carry

import (
	"encoding/json"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/istio-mab/istio-mab/publish"
)

// SignatureRef is a tag of the layout holding signatures of a list or of a
// manifest it holds: cosign's .sig and .att images, or the OCI referrers
// fallback index of Sigstore bundles.
type SignatureRef struct {
	Ref    string  `json:"ref"` // NAME:TAG, as index.json names it
	Digest v1.Hash `json:"digest"`
	Size   int64   `json:"size"`
	Type   string  `json:"mediaType"`
}

// signatureTags are the tags that may hold signatures of d.
func signatureTags(d v1.Hash) []string {
	t := d.Algorithm + "-" + d.Hex
	return []string{t + ".sig", t + ".att", t}
}

// recordSignatures lists, for each list of c, the signature tags the layout
// at dir names for it and the manifests it holds.
func recordSignatures(dir string, c *Contents) error {
	p := layout.Path(dir)
	refs, err := publish.LayoutRefs(p)
	if err != nil {
		return err
	}
	for i := range c.Lists {
		l := &c.Lists[i]
		digests, err := listBlobDigests(p, l.Digest)
		if err != nil {
			return fmt.Errorf("%s@%s: %w", l.Name, l.Digest, err)
		}
		l.Signatures = nil
		for _, d := range digests {
			for _, t := range signatureTags(d) {
				if desc, ok := refs[l.Name+":"+t]; ok {
					l.Signatures = append(l.Signatures, SignatureRef{Ref: l.Name + ":" + t, Digest: desc.Digest, Size: desc.Size, Type: string(desc.MediaType)})
				}
			}
		}
	}
	return nil
}

// listBlobDigests are the list's digest and its entries', read from its blob.
func listBlobDigests(p layout.Path, list v1.Hash) ([]v1.Hash, error) {
	raw, err := p.Bytes(list)
	if err != nil {
		return nil, err
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(raw, &im); err != nil {
		return nil, err
	}
	out := []v1.Hash{list}
	for _, m := range im.Manifests {
		out = append(out, m.Digest)
	}
	return out, nil
}

// checkSignatureRefs: every signature tag the contents file records is
// named in the layout, whole, with the recorded digest.
func checkSignatureRefs(p layout.Path, c Contents) error {
	refs, err := publish.LayoutRefs(p)
	if err != nil {
		return err
	}
	for _, l := range c.Lists {
		for _, s := range l.Signatures {
			got, ok := refs[s.Ref]
			if !ok || got.Digest != s.Digest {
				return fmt.Errorf("%s records the signatures %s@%s, which the layout does not name: carry the layout again", ContentsFile, s.Ref, s.Digest)
			}
			if !strings.HasPrefix(s.Ref, l.Name+":") {
				return fmt.Errorf("%s: signatures %s are not of %s", ContentsFile, s.Ref, l.Name)
			}
			if err := publish.CheckLayoutTree(p, got); err != nil {
				return fmt.Errorf("signatures %s: %w", s.Ref, err)
			}
		}
	}
	return nil
}
