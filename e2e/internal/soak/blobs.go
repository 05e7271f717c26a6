package soak

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// CheckBlobs reads every tag of every repository under registry/path and
// says which manifest or blob a tag reaches is missing from the registry:
// a list's entries, each image's config and layers, asked for by digest
// (HEAD) in the tag's own repository. It returns how many it checked.
func CheckBlobs(ctx context.Context, registry, path string) (checked int, problems []string, err error) {
	tags, err := TagsUnder(ctx, registry, path)
	if err != nil {
		return 0, nil, err
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		n, p := reach(ctx, registry+"/"+path+"/"+key)
		checked += n
		problems = append(problems, p...)
	}
	return checked, problems, nil
}

// reach checks what the tag ref reaches.
func reach(ctx context.Context, ref string) (int, []string) {
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return 0, []string{err.Error()}
	}
	desc, err := remote.Get(r, remote.WithContext(ctx))
	if err != nil {
		return 1, []string{ref + ": " + err.Error()}
	}
	if !desc.MediaType.IsIndex() {
		return imageBlobs(ctx, r.Context(), desc.Digest)
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return 1, []string{ref + ": " + err.Error()}
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return 1, []string{ref + ": " + err.Error()}
	}
	checked, problems := 1, []string(nil)
	for _, d := range m.Manifests {
		n, p := imageBlobs(ctx, r.Context(), d.Digest)
		checked += n
		for _, line := range p {
			problems = append(problems, ref+": "+line)
		}
	}
	return checked, problems
}

// imageBlobs checks the manifest digest in repo and its config and layers.
func imageBlobs(ctx context.Context, repo name.Repository, digest v1.Hash) (int, []string) {
	img, err := remote.Image(repo.Digest(digest.String()), remote.WithContext(ctx))
	if err != nil {
		return 1, []string{"manifest " + digest.String() + " missing: " + err.Error()}
	}
	m, err := img.Manifest()
	if err != nil {
		return 1, []string{"manifest " + digest.String() + ": " + err.Error()}
	}
	checked, problems := 1, []string(nil)
	for _, d := range append([]v1.Descriptor{m.Config}, m.Layers...) {
		checked++
		if err := headBlob(ctx, repo, d.Digest); err != nil {
			problems = append(problems, fmt.Sprintf("blob %s of %s: %v", d.Digest, digest, err))
		}
	}
	return checked, problems
}

// headBlob asks the registry, with a HEAD, whether repo holds the blob digest.
func headBlob(ctx context.Context, repo name.Repository, digest v1.Hash) error {
	url := "http://" + repo.RegistryStr() + "/v2/" + repo.RepositoryStr() + "/blobs/" + digest.String()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HEAD answered %s", resp.Status)
	}
	return nil
}
