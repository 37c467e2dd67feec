/**
 * Reads the bytes of named data symbols from a relocatable ELF object (32/64-bit, either
 * endianness): the compiler's own answer, without parsing any target's assembly syntax.
 */

export interface ElfObject {
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** Bytes of each defined data symbol, by name. */
  symbols: Map<string, Uint8Array>;
}

export function readElf(buf: Uint8Array): ElfObject {
  if (buf[0] !== 0x7f || buf[1] !== 0x45 || buf[2] !== 0x4c || buf[3] !== 0x46) throw new Error('not an ELF file');
  const bits = buf[4] === 2 ? 64 : 32;
  const le = buf[5] === 1;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const addr = (o: number) => (bits === 64 ? Number(dv.getBigUint64(o, le)) : u32(o));

  const shoff = bits === 64 ? addr(0x28) : u32(0x20);
  const shentsize = u16(bits === 64 ? 0x3a : 0x2e);
  const shnum = u16(bits === 64 ? 0x3c : 0x30);
  interface Section {
    type: number;
    offset: number;
    size: number;
    link: number;
    entsize: number;
  }
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    sections.push(
      bits === 64
        ? {
            type: u32(o + 4),
            offset: addr(o + 0x18),
            size: addr(o + 0x20),
            link: u32(o + 0x28),
            entsize: addr(o + 0x38),
          }
        : { type: u32(o + 4), offset: u32(o + 0x10), size: u32(o + 0x14), link: u32(o + 0x18), entsize: u32(o + 0x24) },
    );
  }
  const SHT_SYMTAB = 2;
  const SHT_NOBITS = 8;
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) throw new Error('ELF object has no symbol table');
  const strtab = sections[symtab.link]!;
  const name = (off: number) => {
    let end = strtab.offset + off;
    while (buf[end] !== 0) end++;
    return new TextDecoder().decode(buf.subarray(strtab.offset + off, end));
  };
  const symbols = new Map<string, Uint8Array>();
  for (let o = symtab.offset; o < symtab.offset + symtab.size; o += symtab.entsize) {
    const nameOff = u32(o);
    const [value, size, shndx] =
      bits === 64 ? [addr(o + 8), addr(o + 16), u16(o + 6)] : [u32(o + 4), u32(o + 8), u16(o + 14)];
    if (nameOff === 0 || shndx === 0 || shndx >= 0xff00) continue;
    const sec = sections[shndx];
    if (!sec) continue;
    const bytes =
      sec.type === SHT_NOBITS ? new Uint8Array(size) : buf.subarray(sec.offset + value, sec.offset + value + size);
    symbols.set(name(nameOff), bytes);
  }
  return { bits, endian: le ? 'little' : 'big', symbols };
}

/** A symbol's bytes read as unsigned 32-bit integers in the object's byte order. */
export function u32Array(obj: ElfObject, symbol: string): number[] {
  const bytes = obj.symbols.get(symbol);
  if (!bytes) throw new Error(`symbol ${symbol} not in object`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(dv.getUint32(i, obj.endian === 'little'));
  return out;
}
