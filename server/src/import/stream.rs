//! The readers a CSV is read through as a stream: [`Decode`] turns the file's bytes (any
//! encoding `encoding_rs` reads) into UTF-8 as they are read, [`LineStarts`] keeps where the
//! lines start so that a record's spreadsheet row number is known without the text.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use encoding_rs::{Decoder, DecoderResult, Encoding};

/// Decoded bytes kept between reads.
const OUT_BYTES: usize = 16 * 1024;

/// UTF-8 text of a byte stream in `encoding` (its BOM, if any, already skipped). A byte sequence
/// the encoding cannot read is an `InvalidData` error (nothing is replaced).
pub struct Decode<R> {
    inner: R,
    decoder: Decoder,
    out: Box<[u8]>,
    start: usize,
    end: usize,
    done: bool,
}

impl<R: BufRead> Decode<R> {
    pub fn new(inner: R, encoding: &'static Encoding) -> Self {
        Decode {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            out: vec![0; OUT_BYTES].into_boxed_slice(),
            start: 0,
            end: 0,
            done: false,
        }
    }
}

impl<R: BufRead> Read for Decode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.start == self.end {
            if self.done {
                return Ok(0);
            }
            let src = self.inner.fill_buf()?;
            let last = src.is_empty();
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.out, last);
            self.inner.consume(read);
            self.start = 0;
            self.end = written;
            match result {
                DecoderResult::InputEmpty => self.done = last,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(..) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "a byte sequence the encoding cannot read",
                    ));
                }
            }
        }
        let n = buf.len().min(self.end - self.start);
        buf[..n].copy_from_slice(&self.out[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

/// The starts of the lines read but not yet asked for: (byte offset of the first byte of a line
/// that is not a line break, `\n`s before it).
type Starts = Rc<RefCell<VecDeque<(u64, u64)>>>;

/// A reader that notes where lines start as the text passes through it (the CSV reader reads
/// ahead a buffer, so only a buffer's worth of starts is kept).
pub struct LineStarts<R> {
    inner: R,
    offset: u64,
    newlines: u64,
    after_break: bool,
    starts: Starts,
}

/// The line numbers of the starts a [`LineStarts`] noted.
pub struct Lines(Starts);

impl<R: Read> LineStarts<R> {
    pub fn new(inner: R) -> (Self, Lines) {
        let starts: Starts = Rc::default();
        (
            LineStarts {
                inner,
                offset: 0,
                newlines: 0,
                after_break: true,
                starts: starts.clone(),
            },
            Lines(starts),
        )
    }
}

impl<R: Read> Read for LineStarts<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut starts = self.starts.borrow_mut();
        for b in &buf[..n] {
            match b {
                b'\n' => {
                    self.newlines += 1;
                    self.after_break = true;
                }
                b'\r' => self.after_break = true,
                _ => {
                    if self.after_break {
                        starts.push_back((self.offset, self.newlines));
                        self.after_break = false;
                    }
                }
            }
            self.offset += 1;
        }
        Ok(n)
    }
}

impl Lines {
    /// The 1-based line of the first text at or after byte `offset` (line breaks skipped).
    /// Offsets must be asked for in increasing order: the starts before are forgotten.
    pub fn line_at(&self, offset: u64) -> Option<usize> {
        let mut starts = self.0.borrow_mut();
        while starts.front().is_some_and(|(o, _)| *o < offset) {
            starts.pop_front();
        }
        starts
            .front()
            .and_then(|(_, n)| usize::try_from(*n + 1).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_across_buffer_ends_and_refuses_what_it_cannot_read() {
        let text = "姓名,手机\n王建华,13812345678\n".repeat(2000);
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        // A small buffer: characters split between reads.
        let inner = io::BufReader::with_capacity(7, gbk.as_ref());
        let mut out = String::new();
        Decode::new(inner, encoding_rs::GB18030)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
        let mut bad = Decode::new(&b"ok\xff\xfe"[..], encoding_rs::UTF_8);
        let e = bad.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn line_starts_skip_line_breaks() {
        let (mut r, lines) = LineStarts::new(&b"a\n\r\n\nb\r\nc"[..]);
        r.read_to_end(&mut Vec::new()).unwrap();
        assert_eq!(lines.line_at(0), Some(1));
        // From the break after `a`: `b` on line 4.
        assert_eq!(lines.line_at(1), Some(4));
        assert_eq!(lines.line_at(6), Some(5));
        assert_eq!(lines.line_at(20), None);
    }
}
