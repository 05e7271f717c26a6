package publish

import (
	"context"
	"slices"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/sign"
)

// Signer signs pushed manifests and in-toto statements about them
// (sign.Signer): in cosign's tag scheme, or as Sigstore bundle referrers.
type Signer interface {
	Sign(st sign.Store, d name.Digest) (v1.Hash, error)
	Attest(st sign.Store, d name.Digest, stmt []byte) (v1.Hash, error)
	SignReferrer(st sign.Store, repo name.Repository, subject v1.Descriptor) (v1.Hash, error)
	AttestReferrer(st sign.Store, repo name.Repository, subject v1.Descriptor, stmt []byte) (v1.Hash, error)
}

// Signature is one signature or signed attestation written for a manifest.
type Signature struct {
	Subject       v1.Hash `json:"subject"`
	PredicateType string  `json:"predicateType,omitempty"` // attestations only
	Digest        v1.Hash `json:"digest"`                  // what holds it
	Storage       string  `json:"storage"`                 // "referrer" or "tag"
}

// sign signs every entry of the list, then the list, and signs each
// BuildKit attestation statement as a cosign attestation of its image, when
// a signer is set: a run whose signing fails moves no tag. Referrers are
// written where the registry has the API, cosign's tags elsewhere.
func (p *Publisher) sign(ctx context.Context, ref name.Digest, idx *Index) ([]Signature, error) {
	if p.signer == nil {
		return nil, nil
	}
	opts := p.access.Remote(ctx)
	referrers, err := sign.HasReferrersAPI(ref, opts...)
	if err != nil {
		return nil, failure.Registry(registry.Explain("asking for the referrers API", ref, err))
	}
	w := signatureWriter{signer: p.signer, st: sign.Remote(opts...), repo: ref.Context(), referrers: referrers, jobs: 4}
	sigs, err := w.all(idx)
	if err != nil {
		return nil, failure.Registry(registry.Explain("signing", ref, err))
	}
	return sigs, nil
}

// signatureWriter signs one list and all it holds into st.
type signatureWriter struct {
	signer    Signer
	st        sign.Store
	repo      name.Repository
	referrers bool // Sigstore bundle referrers, else cosign's tags
	jobs      int  // signatures written at once; a layout's index.json takes one
	mu        sync.Mutex
	written   []Signature
}

// all signs every entry, then attests each statement, and signs the list
// last: a list whose signature is there has everything it holds signed.
func (w *signatureWriter) all(idx *Index) ([]Signature, error) {
	g := new(errgroup.Group)
	g.SetLimit(max(w.jobs, 1))
	for _, c := range idx.Children {
		g.Go(func() error { return w.sign(c) })
		g.Go(func() error { return w.attest(c, idx.Children) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := w.sign(idx.Descriptor); err != nil {
		return nil, err
	}
	return w.written, nil
}

func (w *signatureWriter) record(s Signature) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.written = append(w.written, s)
}

func (w *signatureWriter) storage() string {
	if w.referrers {
		return "referrer"
	}
	return "tag"
}

func (w *signatureWriter) sign(d v1.Descriptor) error {
	var h v1.Hash
	var err error
	if w.referrers {
		h, err = w.signer.SignReferrer(w.st, w.repo, d)
	} else {
		h, err = w.signer.Sign(w.st, w.repo.Digest(d.Digest.String()))
	}
	if err == nil {
		w.record(Signature{Subject: d.Digest, Digest: h, Storage: w.storage()})
	}
	return err
}

// attest signs each in-toto statement of an attestation manifest about the
// platform image it names, as `cosign attest` would.
func (w *signatureWriter) attest(att v1.Descriptor, children []v1.Descriptor) error {
	if !IsAttestation(att) {
		return nil
	}
	i := slices.IndexFunc(children, func(c v1.Descriptor) bool {
		return c.Digest.String() == att.Annotations["vnd.docker.reference.digest"]
	})
	if i < 0 {
		return nil // the list check refuses an attestation of nothing
	}
	img, err := w.st.Image(w.repo.Digest(att.Digest.String()))
	if err != nil {
		return err
	}
	stmts, err := statements(img)
	if err != nil {
		return err
	}
	subject := children[i]
	for _, st := range stmts {
		var h v1.Hash
		if w.referrers {
			h, err = w.signer.AttestReferrer(w.st, w.repo, subject, st.raw)
		} else {
			h, err = w.signer.Attest(w.st, w.repo.Digest(subject.Digest.String()), st.raw)
		}
		if err != nil {
			return err
		}
		w.record(Signature{Subject: subject.Digest, PredicateType: st.PredicateType, Digest: h, Storage: w.storage()})
	}
	return nil
}

var inTotoLayer = types.MediaType("application/vnd.in-toto+json")
