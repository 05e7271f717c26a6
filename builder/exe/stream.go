package exe

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"fmt"
	"io"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// headSize covers every header a stream is identified by: ELF and Mach-O
// put theirs first, and PE's follows a DOS stub of about 128 bytes.
const headSize = 4096

// CheckStream is Check of a binary read from r (an archive entry, an image
// layer), from its headers: it reads r to its end, so the caller's CRC or
// digest covers every byte, without keeping it, and checks that an ELF's
// section headers lie within what was read, so a truncated one fails.
func CheckStream(r io.Reader, pl ocispecs.Platform) error {
	head := make([]byte, headSize)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return fmt.Errorf("reading binary: %w", err)
	}
	rest, err := io.Copy(io.Discard, r)
	if err != nil {
		return fmt.Errorf("reading binary: %w", err)
	}
	info, err := identifyHead(head[:n], int64(n)+rest)
	if err != nil {
		return err
	}
	return matches(info, pl)
}

// identifyHead is Identify from the first bytes of a binary of size bytes.
func identifyHead(head []byte, size int64) (Info, error) {
	switch {
	case bytes.HasPrefix(head, []byte(elf.ELFMAG)):
		return elfHead(head, size)
	case bytes.HasPrefix(head, []byte("MZ")):
		return peHead(head)
	}
	return machoHead(head)
}

func elfHead(head []byte, size int64) (Info, error) {
	var order binary.ByteOrder = binary.LittleEndian
	if len(head) > elf.EI_DATA && elf.Data(head[elf.EI_DATA]) == elf.ELFDATA2MSB {
		order = binary.BigEndian
	}
	// e_shoff, e_shentsize and e_shnum: where each class keeps them.
	offs := map[elf.Class][3]int{elf.ELFCLASS64: {0x28, 0x3a, 0x3c}, elf.ELFCLASS32: {0x20, 0x2e, 0x30}}
	var class elf.Class
	if len(head) > elf.EI_CLASS {
		class = elf.Class(head[elf.EI_CLASS])
	}
	at, ok := offs[class]
	if !ok || len(head) < at[2]+2 {
		return Info{}, fmt.Errorf("ELF header: %w", errUnknownFormat)
	}
	shoff := uint64(order.Uint32(head[at[0]:]))
	if class == elf.ELFCLASS64 {
		shoff = order.Uint64(head[at[0]:])
	}
	entsize, n := uint64(order.Uint16(head[at[1]:])), uint64(order.Uint16(head[at[2]:]))
	end := shoff + entsize*n
	if end <= uint64(len(head)) { // Go writes them right after the ELF header
		end = max(end, sectionsEnd(head[shoff:end], order, class, entsize))
	}
	if end > uint64(size) {
		return Info{}, fmt.Errorf("ELF binary is truncated: its sections end at byte %d of %d", end, size)
	}
	return elfInfo(&elf.File{FileHeader: elf.FileHeader{Machine: elf.Machine(order.Uint16(head[18:]))}})
}

func peHead(head []byte) (Info, error) {
	if len(head) < 0x40 {
		return Info{}, errUnknownFormat
	}
	at := int(binary.LittleEndian.Uint32(head[0x3c:]))
	if at < 0 || at+6 > len(head) || !bytes.Equal(head[at:at+4], []byte("PE\x00\x00")) {
		return Info{}, errUnknownFormat
	}
	return peInfo(&pe.File{FileHeader: pe.FileHeader{Machine: binary.LittleEndian.Uint16(head[at+4:])}})
}

func machoHead(head []byte) (Info, error) {
	if len(head) < 8 {
		return Info{}, errUnknownFormat
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		if m := order.Uint32(head); m == macho.Magic64 || m == macho.Magic32 {
			return machoInfo(&macho.File{FileHeader: macho.FileHeader{Cpu: macho.Cpu(order.Uint32(head[4:]))}})
		}
	}
	return Info{}, errUnknownFormat
}

// sectionsEnd is where the last section with content in the file ends,
// from section headers entsize bytes each.
func sectionsEnd(headers []byte, order binary.ByteOrder, class elf.Class, entsize uint64) uint64 {
	var end uint64
	for h := headers; entsize >= 0x28 && uint64(len(h)) >= entsize; h = h[entsize:] {
		if elf.SectionType(order.Uint32(h[4:])) == elf.SHT_NOBITS {
			continue
		}
		if class == elf.ELFCLASS64 {
			end = max(end, order.Uint64(h[0x18:])+order.Uint64(h[0x20:]))
		} else {
			end = max(end, uint64(order.Uint32(h[0x10:]))+uint64(order.Uint32(h[0x14:])))
		}
	}
	return end
}
