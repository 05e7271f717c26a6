package exe

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"errors"
	"fmt"
	"io"
)

// Info is what a binary's headers say about where it runs.
type Info struct {
	Format  string // "ELF", "Mach-O" or "PE"
	OS      string // GOOS spelling: linux, darwin, windows
	Arch    string // GOARCH spelling: amd64, arm64, arm, ...
	Variant string // "v7" for 32-bit ARM ELF binaries, else empty
}

// String renders the platform the way OCI and Go spell it, e.g. linux/arm/v7.
func (i Info) String() string {
	s := i.OS + "/" + i.Arch
	if i.Variant != "" {
		s += "/" + i.Variant
	}
	return s
}

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
	info := Info{Format: "ELF", OS: "linux"}
	switch f.Machine {
	case elf.EM_X86_64:
		info.Arch = "amd64"
	case elf.EM_AARCH64:
		info.Arch = "arm64"
	case elf.EM_ARM:
		info.Arch, info.Variant = "arm", "v7"
	case elf.EM_386:
		info.Arch = "386"
	case elf.EM_PPC64:
		info.Arch = "ppc64le"
	case elf.EM_S390:
		info.Arch = "s390x"
	case elf.EM_RISCV:
		info.Arch = "riscv64"
	default:
		return info, fmt.Errorf("unsupported ELF machine %v", f.Machine)
	}
	return info, nil
}

func machoInfo(f *macho.File) (Info, error) {
	info := Info{Format: "Mach-O", OS: "darwin"}
	switch f.Cpu {
	case macho.CpuAmd64:
		info.Arch = "amd64"
	case macho.CpuArm64:
		info.Arch = "arm64"
	default:
		return info, fmt.Errorf("unsupported Mach-O CPU %v", f.Cpu)
	}
	return info, nil
}

func peInfo(f *pe.File) (Info, error) {
	info := Info{Format: "PE", OS: "windows"}
	switch f.Machine {
	case pe.IMAGE_FILE_MACHINE_AMD64:
		info.Arch = "amd64"
	case pe.IMAGE_FILE_MACHINE_ARM64:
		info.Arch = "arm64"
	case pe.IMAGE_FILE_MACHINE_I386:
		info.Arch = "386"
	default:
		return info, fmt.Errorf("unsupported PE machine %#x", f.Machine)
	}
	return info, nil
}

// Check returns an error unless the binary in r runs on os/arch[/variant].
// An empty variant matches any.
func Check(r io.ReaderAt, os, arch, variant string) error {
	info, err := Identify(r)
	if err != nil {
		return err
	}
	if info.OS != os || info.Arch != arch || (variant != "" && info.Variant != variant) {
		want := Info{OS: os, Arch: arch, Variant: variant}
		return fmt.Errorf("%s binary is for %s, want %s", info.Format, info, want)
	}
	return nil
}
