//! CSV without quotes, read as lines: the way most point files come, and
//! the fast one. A block of whole lines goes to the workers as raw bytes;
//! each splits its slice into rows and fields, classifies them and writes
//! them. Without a double quote or a CR in the text, CSV is exactly this:
//! a row per non-empty line, fields between commas, no field needing quotes
//! on output; so the output is byte for byte what the `csv` reader and
//! writer give (`tests/classify_stream.rs` checks it). The first block
//! holding a quote or a CR hands the rest of the input to the `csv` reader.

use std::io::{Read, Write};

use rayon::prelude::*;

use super::{parse_fields, Columns, DateCache, Summary, Tally};
use crate::atlas::Atlas;
use crate::index::RecordError;

/// Bytes read per block (whole lines; the cut line goes to the next block).
pub(super) const BLOCK_BYTES: usize = 4 << 20;

/// Bytes of lines classified by one parallel task.
const PART_BYTES: usize = 64 << 10;

/// A block of whole lines, or where the quoted rest begins.
pub(super) enum Block {
    /// Lines without quotes or CRs, each ending in LF (the last may not, at
    /// the end of the input).
    Lines(Vec<u8>),
    /// The rest of the input from here on needs the `csv` reader: these
    /// bytes, then whatever the input still holds.
    Quoted(Vec<u8>),
}

/// Reads `input` block by block.
pub(super) struct Blocks<R: Read> {
    input: R,
    /// The start of a line cut at the end of the previous block.
    carry: Vec<u8>,
    done: bool,
}

impl<R: Read> Blocks<R> {
    pub(super) fn new(input: R) -> Self {
        Blocks {
            input,
            carry: Vec::new(),
            done: false,
        }
    }

    /// The input, once a [`Block::Quoted`] or the end was given.
    pub(super) fn into_input(self) -> R {
        self.input
    }

    /// The next block into `buffer` (cleared first); `None` at the end.
    pub(super) fn next(&mut self, mut buffer: Vec<u8>) -> std::io::Result<Option<Block>> {
        if self.done {
            return Ok(None);
        }
        buffer.clear();
        buffer.append(&mut self.carry);
        let target = BLOCK_BYTES.max(buffer.len() + (BLOCK_BYTES >> 2));
        let mut filled = buffer.len();
        buffer.resize(target, 0);
        while filled < target {
            match self.input.read(&mut buffer[filled..]) {
                Ok(0) => {
                    self.done = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        buffer.truncate(filled);
        if memchr::memchr2(b'"', b'\r', &buffer).is_some() {
            self.done = true;
            return Ok(Some(Block::Quoted(buffer)));
        }
        if !self.done {
            // Whole lines only; a block without a line end waits for more.
            match memchr::memrchr(b'\n', &buffer) {
                Some(end) => self.carry.extend_from_slice(&buffer[end + 1..]),
                None => {
                    self.carry = buffer;
                    return self.next(Vec::new());
                }
            }
            let end = buffer.len() - self.carry.len();
            buffer.truncate(end);
        }
        if buffer.is_empty() && self.done {
            return Ok(None);
        }
        Ok(Some(Block::Lines(buffer)))
    }
}

/// The first non-empty line of a quote-free block: the header's fields and
/// where the rows start.
pub(super) fn header(block: &[u8]) -> Option<(csv::ByteRecord, usize)> {
    let mut start = 0;
    while start < block.len() {
        let end = memchr::memchr(b'\n', &block[start..]).map_or(block.len(), |e| start + e);
        if end > start {
            let mut record = csv::ByteRecord::new();
            for field in block[start..end].split(|&b| b == b',') {
                record.push_field(field);
            }
            return Some((record, (end + 1).min(block.len())));
        }
        start = end + 1;
    }
    None
}

/// Classifies a block of whole lines in parallel slices and writes them in
/// order; returns the counts.
pub(super) fn classify_block<W: Write>(
    atlas: &Atlas,
    block: &[u8],
    columns: &Columns,
    output: &mut W,
) -> std::io::Result<Summary> {
    write_parts(classify_parts(atlas, block, columns), output)
}

/// A block of whole lines classified in parallel slices: each slice's CSV
/// rows and counts, in order.
pub(super) fn classify_parts(
    atlas: &Atlas,
    block: &[u8],
    columns: &Columns,
) -> Vec<(Vec<u8>, Summary)> {
    let mut parts = Vec::with_capacity(block.len() / PART_BYTES + 1);
    let mut start = 0;
    while start < block.len() {
        let mut end = (start + PART_BYTES).min(block.len());
        if end < block.len() {
            end = memchr::memchr(b'\n', &block[end..]).map_or(block.len(), |e| end + e + 1);
        }
        parts.push(&block[start..end]);
        start = end;
    }
    let fields = Fields::of(atlas);
    parts
        .par_iter()
        .map(|part| classify_lines(atlas, &fields, part, columns))
        .collect()
}

/// Writes classified slices in order; returns their counts.
pub(super) fn write_parts<W: Write>(
    done: Vec<(Vec<u8>, Summary)>,
    output: &mut W,
) -> std::io::Result<Summary> {
    let mut summary = Summary::default();
    for (bytes, part) in done {
        output.write_all(&bytes)?;
        summary.merge(part);
    }
    Ok(summary)
}

/// Classifies the lines of `text` (no quotes, no CRs) into CSV rows: all
/// rows parsed first, then located as one batch ([`Atlas::locate_each`]),
/// then written.
fn classify_lines(
    atlas: &Atlas,
    fields_of: &Fields,
    text: &[u8],
    columns: &Columns,
) -> (Vec<u8>, Summary) {
    // Room for the rows with their answers (about half as long again as
    // the input, often more), and for a line of 16 bytes or more each: no
    // buffer grows, and so none is copied, in the usual case.
    let mut out = Vec::with_capacity(2 * text.len() + 256);
    let lines = text.len() / 16 + 1;
    let mut tally = Tally::default();
    let mut dates = DateCache::default();
    let mut fields: Vec<&[u8]> = Vec::with_capacity(columns.width + 1);
    // Each line with its number of fields and its record (or why none).
    let mut rows: Vec<(&[u8], usize, Result<usize, String>)> = Vec::with_capacity(lines);
    let mut records = Vec::with_capacity(lines);
    // Commas and line ends found in one pass.
    let (mut line_start, mut field_start) = (0, 0);
    for_each_separator(text, |at| {
        fields.push(&text[field_start..at]);
        field_start = at + 1;
        if text[at] == b'\n' {
            add_line(
                &text[line_start..at],
                &fields,
                columns,
                &mut dates,
                &mut rows,
                &mut records,
            );
            fields.clear();
            line_start = field_start;
        }
    });
    if line_start < text.len() {
        fields.push(&text[field_start..]);
        add_line(
            &text[line_start..],
            &fields,
            columns,
            &mut dates,
            &mut rows,
            &mut records,
        );
    }
    let mut located = vec![Err(RecordError::BadCoordinate); records.len()];
    // Rows counted by controller index + 1 (0: outside every zone).
    let mut held = vec![0u64; atlas.layers.controllers.len() + 1];
    atlas
        .locate_each(&records, &mut located)
        .expect("one answer slot a record");
    for (line, width, parsed) in rows {
        // As wide as the header: short rows padded, long ones cut.
        if width == columns.width {
            out.extend_from_slice(line);
        } else {
            fields.clear();
            fields.extend(line.split(|&b| b == b','));
            for (i, field) in fields.iter().take(columns.width).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(field);
            }
            // Missing fields come out empty: the row stays rectangular.
            out.resize(out.len() + columns.width.saturating_sub(fields.len()), b',');
        }
        if let Ok(Ok(here)) = parsed.as_ref().map(|&r| located[r]) {
            if fields_of.push(&mut out, &here) {
                let (controller, ..) = here.indexes();
                held[controller.map_or(0, |c| usize::from(c) + 1)] += 1;
                continue;
            }
        }
        let result = parsed.and_then(|r| match located[r] {
            Ok(here) => Ok(here),
            // The whole message (which coordinate, which first date).
            Err(_) => {
                let (lon, lat, day) = records[r];
                super::locate(atlas, lon, lat, day)
            }
        });
        super::push_answer(&mut out, &mut tally, &result);
    }
    for (c, &rows) in held.iter().enumerate().filter(|(_, &rows)| rows > 0) {
        let controller = c
            .checked_sub(1)
            .map(|c| atlas.layers.controllers[c].id.as_str());
        tally.add(controller, rows);
    }
    (out, tally.into_summary())
}

/// The appended fields of every answer, written once: each id as its CSV
/// field (quoted where it must be), so a row's answer is copied, not
/// escaped again.
pub(super) struct Fields {
    controllers: Vec<Vec<u8>>,
    de_jure: Vec<Vec<u8>>,
    rayons: Vec<Vec<u8>>,
    /// `None` when an id would need quotes: the joined list is then
    /// written the slow way.
    overlays: Option<Vec<Vec<u8>>>,
}

impl Fields {
    pub(super) fn of(atlas: &Atlas) -> Fields {
        let field = |id: &str| {
            let mut out = Vec::with_capacity(id.len());
            super::push_field(&mut out, id.as_bytes());
            out
        };
        let layers = &atlas.layers;
        Fields {
            controllers: layers.controllers.iter().map(|c| field(&c.id)).collect(),
            de_jure: layers
                .territories
                .iter()
                .map(|t| field(&t.country))
                .collect(),
            rayons: layers.admin1.iter().map(|u| field(&u.name)).collect(),
            overlays: (layers.overlays.iter())
                .map(|o| (!super::needs_quotes(o.id.as_bytes())).then(|| o.id.clone().into_bytes()))
                .collect(),
        }
    }

    /// Appends the answer's fields (each after a comma) and the line end, as
    /// [`super::push_answer`] does; `false` (and nothing written) when its
    /// overlays cannot be written this way.
    #[inline]
    fn push(&self, out: &mut Vec<u8>, here: &crate::index::LocationRef) -> bool {
        let (Some(overlays), Some(in_force)) = (&self.overlays, here.overlays_in_force()) else {
            return false;
        };
        let (controller, de_jure, rayon) = here.indexes();
        let none: &[u8] = &[];
        for field in [
            controller.map_or(none, |i| &self.controllers[usize::from(i)]),
            de_jure.map_or(none, |i| &self.de_jure[usize::from(i)]),
            rayon.map_or(none, |i| &self.rayons[i as usize]),
        ] {
            out.push(b',');
            out.extend_from_slice(field);
        }
        out.push(b',');
        for (n, i) in crate::index::bits(in_force).enumerate() {
            if n > 0 {
                out.push(b';');
            }
            out.extend_from_slice(&overlays[i]);
        }
        out.extend_from_slice(b",\n");
        true
    }
}

/// Calls `found` with the place of each comma and line end of `text`, in
/// order. Eight bytes at a time, a bit for each separator: fields are short,
/// and a search started for each one costs more than this one pass.
#[inline(always)]
fn for_each_separator(text: &[u8], mut found: impl FnMut(usize)) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of each byte that is zero (exactly: no carries between
    // bytes).
    let zero_bytes = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    let mut words = text.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let mut separators = zero_bytes(word ^ (ONES * u64::from(b',')))
            | zero_bytes(word ^ (ONES * u64::from(b'\n')));
        while separators != 0 {
            found(base + separators.trailing_zeros() as usize / 8);
            separators &= separators - 1;
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b',' || b == b'\n' {
            found(base + i);
        }
    }
}

/// A line's row: its fields parsed into a record (kept in `records`), or
/// why they cannot be; blank lines are no rows.
fn add_line<'t>(
    line: &'t [u8],
    fields: &[&[u8]],
    columns: &Columns,
    dates: &mut DateCache,
    rows: &mut Vec<(&'t [u8], usize, Result<usize, String>)>,
    records: &mut Vec<(f64, f64, chrono::NaiveDate)>,
) {
    if line.is_empty() {
        return;
    }
    let parsed = parse_fields(fields, columns, dates).map(|record| {
        records.push(record);
        records.len() - 1
    });
    rows.push((line, fields.len(), parsed));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_found_as_a_plain_scan_finds_them() {
        let mut rng = crate::testing::Xorshift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u64();
        // Bytes next to the separators' values, and every high byte (where
        // a sloppy zero-byte test would see one), at every length and offset.
        let alphabet = [
            b',', b'\n', b'+', b'-', b'\x0b', b'\t', 0x00, 0x80, 0xac, 0x8a, 0xff, b'0',
        ];
        for len in 0..80 {
            for _ in 0..50 {
                let text: Vec<u8> = (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect();
                let mut found = Vec::new();
                for_each_separator(&text, |at| found.push(at));
                let expected: Vec<usize> = (0..len)
                    .filter(|&i| matches!(text[i], b',' | b'\n'))
                    .collect();
                assert_eq!(found, expected, "{text:?}");
            }
        }
    }
}
