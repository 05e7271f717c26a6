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
// digest covers every byte, without keeping it, and checks that the sections
// or segments its headers list lie within what was read, so a truncated
// binary fails.
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
	info, end, err := identifyHead(head[:n])
	if err != nil {
		return err
	}
	if size := uint64(n) + uint64(rest); end > size {
		return fmt.Errorf("%s binary is truncated: its headers reach byte %d of %d", info.Format, end, size)
	}
	return matches(info, pl)
}

// identifyHead is Identify from the first bytes of a binary, with the
// least size its headers (those within head) say the file has.
func identifyHead(head []byte) (Info, uint64, error) {
	switch {
	case bytes.HasPrefix(head, []byte(elf.ELFMAG)):
		return elfHead(head)
	case bytes.HasPrefix(head, []byte("MZ")):
		return peHead(head)
	}
	return machoHead(head)
}

func elfHead(head []byte) (Info, uint64, error) {
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
		return Info{}, 0, fmt.Errorf("ELF header: %w", errUnknownFormat)
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
	info, err := elfInfo(&elf.File{FileHeader: elf.FileHeader{Machine: elf.Machine(order.Uint16(head[18:]))}})
	return info, end, err
}

// peHead reads the COFF header after the DOS stub and the section table
// after the optional header.
func peHead(head []byte) (Info, uint64, error) {
	if len(head) < 0x40 {
		return Info{}, 0, errUnknownFormat
	}
	at := int(binary.LittleEndian.Uint32(head[0x3c:]))
	if at < 0 || at+24 > len(head) || !bytes.Equal(head[at:at+4], []byte("PE\x00\x00")) {
		return Info{}, 0, errUnknownFormat
	}
	coff := head[at+4:]
	le := binary.LittleEndian
	// Symbols are 18 bytes each; the string table after them is not counted.
	end := uint64(le.Uint32(coff[8:])) + 18*uint64(le.Uint32(coff[12:]))
	table := head[min(len(head), at+24+int(le.Uint16(coff[16:]))):]
	for i := 0; i < int(le.Uint16(coff[2:])) && len(table) >= 40; i, table = i+1, table[40:] {
		end = max(end, uint64(le.Uint32(table[20:]))+uint64(le.Uint32(table[16:])))
	}
	info, err := peInfo(&pe.File{FileHeader: pe.FileHeader{Machine: le.Uint16(coff)}})
	return info, end, err
}

// machoHead reads the header and the segment load commands after it.
func machoHead(head []byte) (Info, uint64, error) {
	if len(head) < 28 {
		return Info{}, 0, errUnknownFormat
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		if m := order.Uint32(head); m == macho.Magic64 || m == macho.Magic32 {
			info, err := machoInfo(&macho.File{FileHeader: macho.FileHeader{Cpu: macho.Cpu(order.Uint32(head[4:]))}})
			return info, segmentsEnd(head, order, m == macho.Magic64), err
		}
	}
	return Info{}, 0, errUnknownFormat
}

// segmentsEnd is where the last Mach-O segment ends in the file, from the
// load commands within head; __LINKEDIT, last, reaches the file's end.
func segmentsEnd(head []byte, order binary.ByteOrder, is64 bool) uint64 {
	cmds, start := order.Uint32(head[16:]), 28
	if is64 {
		start = 32
	}
	var end uint64
	for c, h := uint32(0), head[min(start, len(head)):]; c < cmds && len(h) >= 8; c++ {
		size := order.Uint32(h[4:])
		switch cmd := macho.LoadCmd(order.Uint32(h)); {
		case cmd == macho.LoadCmdSegment64 && len(h) >= 56:
			end = max(end, order.Uint64(h[40:])+order.Uint64(h[48:]))
		case cmd == macho.LoadCmdSegment && len(h) >= 40:
			end = max(end, uint64(order.Uint32(h[32:]))+uint64(order.Uint32(h[36:])))
		}
		if size < 8 || uint64(size) > uint64(len(h)) {
			break
		}
		h = h[size:]
	}
	return end
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
