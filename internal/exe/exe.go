package exe

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Info is what a binary's headers say about where it runs.
type Info struct {
	Format string // "ELF", "Mach-O" or "PE"
	// Platform in GOOS/GOARCH spelling; Variant "v7" for every 32-bit ARM ELF.
	ocispecs.Platform
}

// String renders the platform the way OCI and Go spell it, e.g. linux/arm/v7.
func (i Info) String() string { return platforms.Format(i.Platform) }

var errUnknownFormat = errors.New("not an ELF, Mach-O or PE binary")

// Identify reads the headers of the binary in r.
func Identify(r io.ReaderAt) (Info, error) {
	if f, err := elf.NewFile(r); err == nil {
		return elfInfo(f)
	}
	if f, err := macho.NewFile(r); err == nil {
		return machoInfo(f)
	}
	if f, err := pe.NewFile(r); err == nil {
		return peInfo(f)
	}
	return Info{}, errUnknownFormat
}

func elfInfo(f *elf.File) (Info, error) {
	info := Info{Format: "ELF", Platform: ocispecs.Platform{OS: "linux"}}
	switch f.Machine {
	case elf.EM_X86_64:
		info.Architecture = "amd64"
	case elf.EM_AARCH64:
		info.Architecture = "arm64"
	case elf.EM_ARM:
		info.Architecture, info.Variant = "arm", "v7"
	case elf.EM_386:
		info.Architecture = "386"
	case elf.EM_PPC64:
		info.Architecture = "ppc64le"
	case elf.EM_S390:
		info.Architecture = "s390x"
	case elf.EM_RISCV:
		info.Architecture = "riscv64"
	default:
		return info, fmt.Errorf("unsupported ELF machine %v", f.Machine)
	}
	return info, nil
}

func machoInfo(f *macho.File) (Info, error) {
	info := Info{Format: "Mach-O", Platform: ocispecs.Platform{OS: "darwin"}}
	switch f.Cpu {
	case macho.CpuAmd64:
		info.Architecture = "amd64"
	case macho.CpuArm64:
		info.Architecture = "arm64"
	default:
		return info, fmt.Errorf("unsupported Mach-O CPU %v", f.Cpu)
	}
	return info, nil
}

func peInfo(f *pe.File) (Info, error) {
	info := Info{Format: "PE", Platform: ocispecs.Platform{OS: "windows"}}
	switch f.Machine {
	case pe.IMAGE_FILE_MACHINE_AMD64:
		info.Architecture = "amd64"
	case pe.IMAGE_FILE_MACHINE_ARM64:
		info.Architecture = "arm64"
	case pe.IMAGE_FILE_MACHINE_I386:
		info.Architecture = "386"
	default:
		return info, fmt.Errorf("unsupported PE machine %#x", f.Machine)
	}
	return info, nil
}

// Check returns an error unless the binary in r runs on pl. The variant is
// compared only when pl has one after normalisation (arm64/v8 is arm64),
// and never for 32-bit ARM, whose ELF headers cannot tell v6 from v7.
func Check(r io.ReaderAt, pl ocispecs.Platform) error {
	info, err := Identify(r)
	if err != nil {
		return err
	}
	return matches(info, pl)
}

func matches(info Info, pl ocispecs.Platform) error {
	want := platforms.Normalize(pl)
	variant := want.Variant
	if want.Architecture == "arm" {
		variant = ""
	}
	if info.OS != want.OS || info.Architecture != want.Architecture || (variant != "" && info.Variant != variant) {
		return fmt.Errorf("%s binary is for %s, want %s", info.Format, info, platforms.Format(pl))
	}
	return nil
}

// CheckFile is Check of the file at path.
func CheckFile(path string, pl ocispecs.Platform) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return Check(f, pl)
}
