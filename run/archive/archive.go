package archive

import (
	"errors"
	"fmt"
	"strings"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Binary is an istioctl executable on disk and the platform it was built for.
type Binary struct {
	Path     string
	Platform ocispecs.Platform // variant "v7" for 32-bit ARM
}

// Archive is one istioctl release archive: the binary that goes in and the
// file name it is published under. The name's extension picks the format:
// ".tar.gz" holds "istioctl", ".zip" holds "istioctl.exe".
type Archive struct {
	Name   string
	Binary Binary
}

type format int

const (
	tarGz format = iota + 1
	zipFile
)

func formatOf(name string) (format, error) {
	switch {
	case strings.HasSuffix(name, ".tar.gz"):
		return tarGz, nil
	case strings.HasSuffix(name, ".zip"):
		return zipFile, nil
	}
	return 0, fmt.Errorf("archive name %q: want a .tar.gz or .zip extension", name)
}

// entryName is the single file inside an archive of format f.
func entryName(f format) string {
	if f == zipFile {
		return "istioctl.exe"
	}
	return "istioctl"
}

func (a Archive) validate() (format, error) {
	if a.Name == "" || a.Name == "." || a.Name == ".." || strings.ContainsAny(a.Name, `/\`) {
		return 0, fmt.Errorf("archive name %q: want a plain file name", a.Name)
	}
	f, err := formatOf(a.Name)
	if err != nil {
		return 0, err
	}
	p := a.Binary.Platform
	if p.OS == "" || p.Architecture == "" {
		return 0, fmt.Errorf("archive %s: platform %q lacks an OS or architecture", a.Name, p)
	}
	// Windows users expect a zip with istioctl.exe; everyone else a tarball.
	if (p.OS == "windows") != (f == zipFile) {
		return 0, fmt.Errorf("archive %s: a %s binary does not belong in this format", a.Name, p)
	}
	return f, nil
}

func validateAll(archives []Archive) error {
	seen := make(map[string]bool, len(archives))
	var errs []error
	for _, a := range archives {
		if _, err := a.validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[a.Name] {
			errs = append(errs, fmt.Errorf("archive %s: name used twice", a.Name))
		}
		seen[a.Name] = true
	}
	return errors.Join(errs...)
}
