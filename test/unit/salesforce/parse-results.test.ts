import { describe, expect, it } from 'vitest';
import { PARSE_AHEAD_OF_READER_ROWS, PARSE_LOOKAHEAD_ROWS, ParseAhead, parseResults, parseResultsStream } from '../../../salesforce/bulk-results-csv.js';

// The initial read parses a Bulk chunk while it downloads, piece by piece as the bytes arrive: it must
// give exactly the rows the one-go parse gives, and both exactly what Salesforce wrote, whatever falls on
// a piece's edge (inside a value, a quote pair, a CRLF or a character's UTF-8 bytes).
const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;

function chunk(rows: number): string {
  const lines = ['"Id","Name","Description","Amount"'];
  for (let n = 0; n < rows; n++) {
    // Quoted commas, doubled quotes, line breaks inside values, characters of 2–4 UTF-8 bytes, nulls (empty, unquoted).
    const name = n % 7 === 0 ? `Zoë, "the" ${n} 🚀` : `Name ${n}`;
    const description = n % 5 === 0 ? `line one\nline two\r\nline "three" ${'é'.repeat(n % 40)}` : '';
    lines.push([quote(`a0${n}`), quote(name), description === '' ? '' : quote(description), n % 3 === 0 ? '' : quote(String(n * 1.5))].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The CSV's UTF-8 bytes as a body arriving in pieces of `size` bytes (edges fall anywhere). */
async function* arriving(csv: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(csv, 'utf8');
  for (let start = 0; start < bytes.length; start += size) {
    await new Promise((resolve) => setImmediate(resolve));
    yield bytes.subarray(start, start + size);
  }
}
const parseResultsInTurns = (csv: string, size = 65_536) => parseResultsStream(arriving(csv, size));

describe('parseResultsStream', () => {
  it('rows arrive while the body downloads: the first are there before the last piece is', async () => {
    const csv = chunk(3_000);
    const rows: Array<Record<string, string>> = [];
    let seenMidway = 0;
    async function* body() {
      const bytes = Buffer.from(csv, 'utf8');
      const half = Math.floor(bytes.length / 2);
      yield bytes.subarray(0, half);
      await new Promise((resolve) => setTimeout(resolve, 20));
      seenMidway = rows.length;
      yield bytes.subarray(half);
    }
    await parseResultsStream(body(), rows);
    expect(seenMidway).toBeGreaterThan(1_000);
    expect(rows).toEqual(parseResults(csv));
  });

  it('pieces of a few bytes (edges inside quotes, CRLF pairs and multi-byte characters) give the same rows', async () => {
    const csv = chunk(400).replace(/\n(?=")/g, '\r\n');
    for (const size of [1, 3, 7, 64]) expect(await parseResultsInTurns(csv, size)).toEqual(parseResults(csv));
  });

  it('keeps only PARSE_LOOKAHEAD_ROWS ahead of what the reader took (a first slice before it took any): the download waits, and goes on as rows are taken', async () => {
    const csv = chunk(3 * PARSE_LOOKAHEAD_ROWS);
    const rows: Array<Record<string, string>> = [];
    const ahead = new ParseAhead(rows);
    let done = false;
    const parsing = parseResultsStream(arriving(csv, 16_384), rows, () => ahead.hold()).then(() => (done = true));
    const settled = async () => {
      for (let turn = 0; turn < 200; turn++) await new Promise((resolve) => setImmediate(resolve));
    };
    await settled();
    // Nothing taken yet (a chunk fetched ahead): only its first rows, within one piece (16 KiB: under 600
    // of these rows of 30+ bytes).
    expect(rows.length).toBeGreaterThanOrEqual(PARSE_AHEAD_OF_READER_ROWS);
    expect(rows.length).toBeLessThan(PARSE_AHEAD_OF_READER_ROWS + 600);
    ahead.taken(1_000);
    await settled();
    expect(rows.length).toBeGreaterThanOrEqual(1_000 + PARSE_LOOKAHEAD_ROWS);
    expect(rows.length).toBeLessThan(1_000 + PARSE_LOOKAHEAD_ROWS + 600);
    expect(done).toBe(false);
    ahead.taken(PARSE_LOOKAHEAD_ROWS);
    await settled();
    expect(rows.length).toBeGreaterThanOrEqual(2 * PARSE_LOOKAHEAD_ROWS);
    expect(rows.length).toBeLessThan(2 * PARSE_LOOKAHEAD_ROWS + 600);
    ahead.taken(Number.POSITIVE_INFINITY);
    await parsing;
    expect(rows).toEqual(parseResults(csv));
  });

  it('a body cut short by the network fails the chunk', async () => {
    async function* cut() {
      yield Buffer.from('"Id","Name"\n"a01","x"\n');
      throw new Error('socket hang up');
    }
    await expect(parseResultsStream(cut())).rejects.toThrow(/socket hang up/);
  });

  it('gives the same rows as parseResults for a chunk spanning many pieces', async () => {
    const csv = chunk(12_000); // ~ 0.5 MB: several 64 KiB pieces, edges inside values and characters
    expect(Buffer.byteLength(csv)).toBeGreaterThan(4 * 64 * 1024);
    const inTurns = await parseResultsInTurns(csv);
    expect(inTurns).toHaveLength(12_000);
    expect(inTurns).toEqual(parseResults(csv));
    expect(inTurns[0]).toEqual({ Id: 'a00', Name: 'Zoë, "the" 0 🚀', Description: 'line one\nline two\r\nline "three" ', Amount: '' });
    expect(inTurns[35]).toEqual({ Id: 'a035', Name: 'Zoë, "the" 35 🚀', Description: `line one\nline two\r\nline "three" ${'é'.repeat(35)}`, Amount: '52.5' });
    expect(inTurns[11_999]).toEqual({ Id: 'a011999', Name: 'Name 11999', Description: '', Amount: '17998.5' });
  });

  it('reads a chunk written with CRLF line endings (the job\'s lineEnding), line breaks inside values kept', async () => {
    const csv = '"Id","Description"\r\n"a01","one\ntwo"\r\n"a02",\r\n';
    const expected = [{ Id: 'a01', Description: 'one\ntwo' }, { Id: 'a02', Description: '' }];
    expect(parseResults(csv)).toEqual(expected);
    expect(await parseResultsInTurns(csv)).toEqual(expected);
  });

  it('parses an empty chunk (header only) to no rows', async () => {
    expect(await parseResultsInTurns('"Id","Name"\n')).toEqual([]);
  });

  it('fails on malformed CSV as parseResults does', async () => {
    const broken = '"Id","Name"\n"a01","unterminated\n';
    expect(() => parseResults(broken)).toThrow(/Malformed Bulk results CSV/);
    await expect(parseResultsInTurns(broken)).rejects.toThrow(/Malformed Bulk results CSV/);
    const ragged = '"Id","Name"\n"a01","x","extra"\n';
    expect(() => parseResults(ragged)).toThrow(/Malformed/);
    await expect(parseResultsInTurns(ragged)).rejects.toThrow(/Malformed/);
  });
});
