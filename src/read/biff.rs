//! Our own pass over xls files, before and beside calamine.
//!
//! calamine reads xls well but trusts the file: a looping sector chain in the compound
//! file makes it loop for ever, a `DIMENSIONS` record can make it reserve terabytes,
//! and two cells far apart make it allocate the whole rectangle between them. So:
//!
//! 1. a small compound-file (OLE) reader of ours, bounded by the input's length, takes
//!    the `Workbook` stream out ([`workbook_stream`]);
//! 2. a walk of its BIFF records refuses what would make calamine allocate without
//!    bound ([`check_bounds`]), the way calamine will read them;
//! 3. calamine is given a clean compound file holding only that stream
//!    ([`rebuild_cfb`]), so that its own OLE layer never meets a hostile structure;
//! 4. the same walk maps each numeric cell to its number format
//!    ([`number_formats`]), which calamine reads but does not expose.

use std::collections::HashMap;

use super::numfmt::NumFmt;

const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const MAX_REGULAR_SECTOR: u32 = 0xFFFF_FFFA;
const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The largest rectangle of cells calamine may lay out for one sheet (it allocates the
/// bounding box of a sheet's cells, and once more for its formulas).
pub(super) const MAX_XLS_RANGE_CELLS: u64 = 4_000_000;
/// The most cells a `DIMENSIONS` record may announce (65,536 rows × 256 columns, the
/// most a BIFF8 sheet holds): calamine reserves room for that many.
const MAX_XLS_DIMENSIONS: u64 = 65_536 * 256;

/// Formats of the numeric cells of each worksheet, by sheet name; only cells whose
/// format fixes decimals or shows a percentage are listed.
pub(super) type SheetFormats = HashMap<String, HashMap<(u32, u32), NumFmt>>;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// A compound file: its sectors and FAT.
struct Cfb<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    fat: Vec<u32>,
}

impl<'a> Cfb<'a> {
    /// A sector's bytes; shorter (or empty) where the file ends early.
    fn sector(&self, n: u32) -> &'a [u8] {
        let Some(start) = (n as usize)
            .checked_add(1)
            .and_then(|k| k.checked_mul(self.sector_size))
        else {
            return &[];
        };
        let start = start.min(self.bytes.len());
        let end = start.saturating_add(self.sector_size).min(self.bytes.len());
        &self.bytes[start..end]
    }

    /// The sectors of a chain, in order; stops at the end mark, a bad link or a loop
    /// (never more steps than the FAT has entries).
    fn chain(&self, first: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut n = first;
        while n <= MAX_REGULAR_SECTOR && out.len() <= self.fat.len() {
            out.push(n);
            n = match self.fat.get(n as usize) {
                Some(&next) => next,
                None => break,
            };
        }
        out
    }

    /// A stream stored in regular sectors, cut to `size` bytes.
    fn read(&self, first: u32, size: usize) -> Vec<u8> {
        let size = size.min(self.bytes.len());
        let mut out = Vec::with_capacity(size);
        for n in self.chain(first) {
            if out.len() >= size {
                break;
            }
            out.extend_from_slice(self.sector(n));
        }
        out.truncate(size);
        out
    }
}

/// The `Workbook` (BIFF8) or `Book` (BIFF5) stream of an OLE compound file; `None` when
/// the file is not a compound file or holds neither.
pub(super) fn workbook_stream(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 512 || bytes[..8] != CFB_MAGIC {
        return None;
    }
    let shift = u16_at(bytes, 0x1E)?;
    if shift != 9 && shift != 12 {
        return None;
    }
    let sector_size = 1usize << shift;
    let mini_shift = u16_at(bytes, 0x20)?;
    if mini_shift >= 16 {
        return None;
    }
    let mini_size = 1usize << mini_shift;
    let first_dir = u32_at(bytes, 0x30)?;
    let cutoff = u32_at(bytes, 0x38)? as usize;
    let first_minifat = u32_at(bytes, 0x3C)?;
    let mut difat_next = u32_at(bytes, 0x44)?;
    let max_sectors = bytes.len() / sector_size;

    // The FAT's sector list: 109 entries in the header, then DIFAT sectors.
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(bytes, 0x4C + i * 4))
        .filter(|&s| s <= MAX_REGULAR_SECTOR)
        .collect();
    let mut cfb = Cfb {
        bytes,
        sector_size,
        fat: Vec::new(),
    };
    let mut steps = 0;
    while difat_next <= MAX_REGULAR_SECTOR && steps <= max_sectors {
        steps += 1;
        let sector = cfb.sector(difat_next);
        if sector.len() < sector_size {
            break;
        }
        let per = sector_size / 4 - 1;
        fat_sectors.extend(
            (0..per)
                .filter_map(|i| u32_at(sector, i * 4))
                .filter(|&s| s <= MAX_REGULAR_SECTOR),
        );
        difat_next = u32_at(sector, per * 4)?;
    }
    fat_sectors.truncate(max_sectors + 1);
    let mut fat = Vec::new();
    for s in fat_sectors {
        fat.extend(
            cfb.sector(s)
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
    }
    cfb.fat = fat;

    // The directory: 128-byte entries, found by name as calamine finds them.
    let dir = cfb.read(first_dir, usize::MAX);
    let entries: Vec<&[u8]> = dir.chunks_exact(128).collect();
    let root = entries.first()?;
    let name_of = |e: &[u8]| {
        let units: Vec<u16> = e[..64]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    };
    let entry = ["Workbook", "Book"].iter().find_map(|want| {
        entries
            .iter()
            .find(|e| name_of(e).eq_ignore_ascii_case(want))
    })?;
    let start = u32_at(entry, 116)?;
    let size = if shift == 9 {
        u64::from(u32_at(entry, 120)?)
    } else {
        u64_at(entry, 120)?
    };
    let size = usize::try_from(size).unwrap_or(usize::MAX).min(bytes.len());
    if size >= cutoff {
        return Some(cfb.read(start, size));
    }
    // A small stream lives in the mini stream (the root entry's data).
    let mini_stream = cfb.read(u32_at(root, 116)?, u32_at(root, 120)? as usize);
    let minifat: Vec<u32> = cfb
        .read(first_minifat, usize::MAX)
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut out = Vec::with_capacity(size.min(mini_stream.len()));
    let mut n = start;
    let mut steps = 0;
    while n <= MAX_REGULAR_SECTOR && out.len() < size && steps <= minifat.len() {
        steps += 1;
        let at = (n as usize)
            .saturating_mul(mini_size)
            .min(mini_stream.len());
        let end = at.saturating_add(mini_size).min(mini_stream.len());
        out.extend_from_slice(&mini_stream[at..end]);
        n = match minifat.get(n as usize) {
            Some(&next) => next,
            None => break,
        };
    }
    out.truncate(size);
    Some(out)
}

/// A well-formed compound file (version 4, 4096-byte sectors) holding one stream named
/// `Workbook`. The stream is padded with zero bytes to at least 4096 bytes so that it
/// never lives in a mini stream; calamine reads zero bytes as empty records.
pub(super) fn rebuild_cfb(stream: &[u8]) -> Option<Vec<u8>> {
    const S: usize = 4096;
    const PER_FAT: usize = S / 4;
    let mut data = stream.to_vec();
    if data.len() < S {
        data.resize(S, 0);
    }
    let n = data.len().div_ceil(S);
    let dir = n;
    let mut f = 1;
    while n + 1 + f > f * PER_FAT {
        f += 1;
    }
    if f > 109 {
        return None;
    }
    let total = n + 1 + f;
    let mut out = vec![0u8; S * (total + 1)];
    let put16 =
        |out: &mut Vec<u8>, at: usize, v: u16| out[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |out: &mut Vec<u8>, at: usize, v: u32| out[at..at + 4].copy_from_slice(&v.to_le_bytes());
    // Header.
    out[..8].copy_from_slice(&CFB_MAGIC);
    put16(&mut out, 0x18, 0x003E);
    put16(&mut out, 0x1A, 4);
    put16(&mut out, 0x1C, 0xFFFE);
    put16(&mut out, 0x1E, 12);
    put16(&mut out, 0x20, 6);
    put32(&mut out, 0x28, 1); // directory sectors
    put32(&mut out, 0x2C, f as u32);
    put32(&mut out, 0x30, dir as u32);
    put32(&mut out, 0x38, S as u32); // mini stream cutoff
    put32(&mut out, 0x3C, END_OF_CHAIN);
    put32(&mut out, 0x40, 0);
    put32(&mut out, 0x44, END_OF_CHAIN);
    put32(&mut out, 0x48, 0);
    for i in 0..109 {
        let v = if i < f {
            (n + 1 + i) as u32
        } else {
            0xFFFF_FFFF
        };
        put32(&mut out, 0x4C + i * 4, v);
    }
    // The stream.
    out[S..S + data.len()].copy_from_slice(&data);
    // The directory: root, then the stream.
    let entry = |out: &mut Vec<u8>,
                 index: usize,
                 name: &str,
                 typ: u8,
                 child: u32,
                 start: u32,
                 size: u64| {
        let at = S * (dir + 1) + index * 128;
        let units: Vec<u16> = name.encode_utf16().collect();
        for (k, u) in units.iter().enumerate() {
            out[at + k * 2..at + k * 2 + 2].copy_from_slice(&u.to_le_bytes());
        }
        out[at + 64..at + 66].copy_from_slice(&(((units.len() + 1) * 2) as u16).to_le_bytes());
        out[at + 66] = typ;
        out[at + 67] = 1; // black
        out[at + 68..at + 72].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        out[at + 72..at + 76].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        out[at + 76..at + 80].copy_from_slice(&child.to_le_bytes());
        out[at + 116..at + 120].copy_from_slice(&start.to_le_bytes());
        out[at + 120..at + 128].copy_from_slice(&size.to_le_bytes());
    };
    // calamine refuses a version 4 root whose start is the end mark: point it at 0
    // with no length (no mini stream is read: the header says it has no mini FAT).
    entry(&mut out, 0, "Root Entry", 5, 1, 0, 0);
    entry(
        &mut out,
        1,
        "Workbook",
        2,
        0xFFFF_FFFF,
        0,
        data.len() as u64,
    );
    for index in 2..S / 128 {
        let at = S * (dir + 1) + index * 128;
        out[at + 68..at + 80].fill(0xFF);
    }
    // The FAT.
    let fat_at = S * (n + 2);
    for i in 0..f * PER_FAT {
        let v = if i + 1 < n {
            (i + 1) as u32
        } else if i + 1 == n || i == dir {
            END_OF_CHAIN
        } else if i > dir && i < total {
            0xFFFF_FFFD // FAT sector
        } else {
            0xFFFF_FFFF
        };
        put32(&mut out, fat_at + i * 4, v);
    }
    Some(out)
}

/// BIFF records: (type, data) in stream order, from `at`.
struct Records<'a> {
    stream: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let typ = u16_at(self.stream, self.at)?;
        let len = u16_at(self.stream, self.at.checked_add(2)?)? as usize;
        let data = self.stream.get(self.at + 4..self.at + 4 + len)?;
        self.at += 4 + len;
        Some((typ, data))
    }
}

/// Reads an XLUnicodeString (`cch` already read) at `at`.
fn unicode_chars(data: &[u8], at: usize, cch: usize) -> Option<String> {
    let flags = *data.get(at)?;
    let body = data.get(at + 1..)?;
    if flags & 1 == 0 {
        let bytes = body.get(..cch.min(body.len()))?;
        Some(bytes.iter().map(|&b| char::from(b)).collect())
    } else {
        let bytes = body.get(..(cch * 2).min(body.len() & !1))?;
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    }
}

/// The `BoundSheet` stream positions and names of the workbook globals, read the way
/// calamine reads them (every record up to the first `EOF`).
fn bound_sheets(stream: &[u8]) -> Vec<(usize, u8, Option<String>)> {
    let mut sheets = Vec::new();
    for (typ, data) in (Records { stream, at: 0 }) {
        match typ {
            0x000A => break,
            0x0085 => {
                let Some(pos) = u32_at(data, 0) else {
                    continue;
                };
                let dt = data.get(5).copied().unwrap_or(0xFF);
                let name = data
                    .get(6)
                    .and_then(|&cch| unicode_chars(data, 7, cch as usize));
                sheets.push((pos as usize, dt, name));
            }
            _ => {}
        }
    }
    sheets
}

/// Refuses a workbook stream that would make calamine allocate without bound: a
/// `DIMENSIONS` record announcing more cells than a sheet can hold, or cells so far
/// apart that the rectangle between them passes [`MAX_XLS_RANGE_CELLS`]. Mirrors
/// calamine's walk of each sheet's records (nested substreams skipped).
pub(super) fn check_bounds(stream: &[u8]) -> Result<(), String> {
    for (pos, _, name) in bound_sheets(stream) {
        let name = name.unwrap_or_else(|| "?".into());
        let mut bounds: Option<(u32, u32, u32, u32)> = None;
        let mut add = |row: u32, col: u32| {
            bounds = Some(match bounds {
                None => (row, row, col, col),
                Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
            });
        };
        let mut depth = 0usize;
        let mut seen_bof = false;
        let mut formula_at = (0u32, 0u32);
        for (typ, data) in (Records { stream, at: pos }) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let at = || Some((u32::from(u16_at(data, 0)?), u32::from(u16_at(data, 2)?)));
            match typ {
                0x0809 => {
                    if seen_bof {
                        depth += 1;
                    } else {
                        seen_bof = true;
                    }
                }
                0x000A => break,
                0x0200 => {
                    let cells = dimensions_cells(data);
                    if cells > MAX_XLS_DIMENSIONS {
                        return Err(format!(
                            "sheet {name:?} claims {cells} cells, more than an xls sheet holds"
                        ));
                    }
                }
                // Number, Label, RString, BoolErr, Rk, LabelSst.
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                    if let Some((r, c)) = at() {
                        add(r, c);
                    }
                }
                0x0006 => {
                    if let Some((r, c)) = at() {
                        formula_at = (r, c);
                        add(r, c);
                    }
                }
                // String: the value of the formula before it.
                0x0207 => add(formula_at.0, formula_at.1),
                0x00BD => {
                    if let Some((r, c)) = at() {
                        let count = data.len().saturating_sub(6).div_ceil(6) as u32;
                        add(r, c);
                        add(r, c + count.saturating_sub(1));
                    }
                }
                _ => {}
            }
        }
        if let Some((r0, r1, c0, c1)) = bounds {
            let cells = u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
            if cells > MAX_XLS_RANGE_CELLS {
                return Err(format!(
                    "sheet {name:?} spans {cells} cells from its first to its last cell \
                     (at most {MAX_XLS_RANGE_CELLS} are read from an xls sheet)"
                ));
            }
        }
    }
    Ok(())
}

/// The number of cells calamine reserves room for from a `DIMENSIONS` record (its
/// arithmetic, wrapping as a release build does).
fn dimensions_cells(r: &[u8]) -> u64 {
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (
            u32::from(u16_at(r, 0).unwrap_or(0)),
            u32::from(u16_at(r, 2).unwrap_or(0)),
            u32::from(u16_at(r, 4).unwrap_or(0)),
            u32::from(u16_at(r, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(r, 0).unwrap_or(0),
            u32_at(r, 4).unwrap_or(0),
            u32::from(u16_at(r, 8).unwrap_or(0)),
            u32::from(u16_at(r, 10).unwrap_or(0)),
        ),
        _ => return 0,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if 1 <= rl && 1 <= cl {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    let rows = u64::from(end.0.wrapping_sub(start.0).wrapping_add(1));
    let cols = u64::from(end.1.wrapping_sub(start.1).wrapping_add(1));
    rows.saturating_mul(cols)
}

/// Reads the number formats of a BIFF8 workbook stream; `None` for other versions.
pub(super) fn number_formats(stream: &[u8]) -> Option<SheetFormats> {
    let mut records = Records { stream, at: 0 };
    let (typ, bof) = records.next()?;
    // BOF of a BIFF8 workbook globals substream.
    if typ != 0x0809 || u16_at(bof, 0)? != 0x0600 {
        return None;
    }
    let mut custom: HashMap<u16, NumFmt> = HashMap::new();
    let mut xf_formats: Vec<u16> = Vec::new();
    for (typ, data) in records.by_ref() {
        match typ {
            0x000A => break,       // EOF
            0x002F => return None, // FilePass: encrypted
            0x041E => {
                // Format: ifmt, then an XLUnicodeString.
                let (Some(ifmt), Some(cch)) = (u16_at(data, 0), u16_at(data, 2)) else {
                    continue;
                };
                if let Some(code) = unicode_chars(data, 4, cch as usize) {
                    custom.insert(ifmt, NumFmt::parse(&code));
                }
            }
            0x00E0 => xf_formats.push(u16_at(data, 2).unwrap_or(0)),
            _ => {}
        }
    }
    let xf_fmt: Vec<NumFmt> = xf_formats
        .iter()
        .map(|&ifmt| {
            custom
                .get(&ifmt)
                .cloned()
                .unwrap_or_else(|| NumFmt::builtin(ifmt))
        })
        .collect();
    let fmt_of = |ixfe: u16| xf_fmt.get(ixfe as usize).cloned().unwrap_or_default();
    let mut out = SheetFormats::new();
    for (pos, dt, name) in bound_sheets(stream) {
        let Some(name) = name else {
            continue;
        };
        if dt != 0 {
            continue;
        }
        let mut cells = HashMap::new();
        let mut put = |row: u16, col: u16, ixfe: u16| {
            let fmt = fmt_of(ixfe);
            if fmt != NumFmt::default() {
                cells.insert((u32::from(row), u32::from(col)), fmt);
            }
        };
        let mut depth = 0usize;
        for (n, (typ, data)) in (Records { stream, at: pos }).enumerate() {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match typ {
                0x0809 if n > 0 => depth += 1,
                0x000A => break,
                // Number, RK, Formula: rw, col, ixfe.
                0x0203 | 0x027E | 0x0006 => {
                    if let (Some(r), Some(c), Some(x)) =
                        (u16_at(data, 0), u16_at(data, 2), u16_at(data, 4))
                    {
                        put(r, c, x);
                    }
                }
                // MulRk: rw, colFirst, (ixfe, rk)*, colLast.
                0x00BD => {
                    let (Some(r), Some(first)) = (u16_at(data, 0), u16_at(data, 2)) else {
                        continue;
                    };
                    let count = data.len().saturating_sub(6) / 6;
                    for i in 0..count {
                        if let Some(x) = u16_at(data, 4 + i * 6) {
                            put(r, first.saturating_add(i as u16), x);
                        }
                    }
                }
                _ => {}
            }
        }
        out.insert(name, cells);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_gives_no_stream() {
        assert!(workbook_stream(b"").is_none());
        let mut bytes = vec![0u8; 4096];
        bytes[..8].copy_from_slice(&CFB_MAGIC);
        bytes[0x1E] = 9;
        assert!(workbook_stream(&bytes).is_none());
        // A FAT and a directory chain that loop on themselves.
        bytes[0x30..0x34].copy_from_slice(&0u32.to_le_bytes());
        bytes[0x4C..0x50].copy_from_slice(&0u32.to_le_bytes());
        bytes[512..516].copy_from_slice(&0u32.to_le_bytes());
        assert!(workbook_stream(&bytes).is_none());
        assert!(number_formats(b"").is_none());
        assert_eq!(check_bounds(b""), Ok(()));
    }

    /// A BIFF8 stream: globals with one sheet, then the sheet's records.
    fn stream(sheet: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let rec = |typ: u16, data: &[u8]| {
            let mut r = typ.to_le_bytes().to_vec();
            r.extend((data.len() as u16).to_le_bytes());
            r.extend(data);
            r
        };
        let mut globals = rec(0x0809, &[0x00, 0x06, 0x05, 0x00]);
        let bound_at = globals.len();
        let mut bound = vec![0u8; 4];
        bound.extend([0, 0, 1, 0, b'S']);
        globals.extend(rec(0x0085, &bound));
        globals.extend(rec(0x000A, &[]));
        let pos = globals.len() as u32;
        globals[bound_at + 4..bound_at + 8].copy_from_slice(&pos.to_le_bytes());
        globals.extend(rec(0x0809, &[0x00, 0x06, 0x10, 0x00]));
        for (typ, data) in sheet {
            globals.extend(rec(*typ, data));
        }
        globals.extend(rec(0x000A, &[]));
        globals
    }

    fn number(row: u16, col: u16) -> (u16, Vec<u8>) {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0, 0]);
        d.extend(1.0f64.to_le_bytes());
        (0x0203, d)
    }

    #[test]
    fn far_apart_cells_and_huge_dimensions_are_refused() {
        assert_eq!(
            check_bounds(&stream(&[number(0, 0), number(100, 10)])),
            Ok(())
        );
        let far = check_bounds(&stream(&[number(0, 0), number(65535, 255)]));
        assert!(far.unwrap_err().contains("spans 16777216 cells"));
        let mut dims = 0u32.to_le_bytes().to_vec();
        dims.extend(u32::MAX.to_le_bytes());
        dims.extend([0, 0, 0xFF, 0xFF, 0, 0]);
        let huge = check_bounds(&stream(&[(0x0200, dims)]));
        assert!(huge.unwrap_err().contains("claims"));
        // An embedded chart's records are not the sheet's.
        let chart = check_bounds(&stream(&[
            number(0, 0),
            (0x0809, vec![0, 6, 0x20, 0]),
            number(65535, 255),
            (0x000A, vec![]),
        ]));
        assert_eq!(chart, Ok(()));
    }

    #[test]
    fn rebuilt_compound_file_gives_back_the_stream() {
        for len in [0usize, 10, 4095, 4096, 4097, 5_000_000] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let file = rebuild_cfb(&data).unwrap();
            let back = workbook_stream(&file).unwrap();
            assert_eq!(&back[..len], &data[..], "{len}");
            assert!(back[len..].iter().all(|&b| b == 0));
            assert!(back.len() >= 4096);
        }
    }
}
