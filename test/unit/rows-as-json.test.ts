import { describe, expect, it } from 'vitest';
import { rowsAsJson } from '../../db/mirror-rows.js';

// The JSON text a page's upsert hands to jsonb_populate_recordset: jsonb refuses lone surrogates.

describe('rowsAsJson', () => {
  it('writes ordinary rows exactly as JSON.stringify does (emoji pairs and a literal backslash-u text included)', () => {
    const rows = [{ full_name: 'Zoë 😀', note: 'C:\\ud800\\path', n: 1, at: new Date('2026-11-29T03:00:00.000Z'), none: null }];
    expect(rowsAsJson(rows)).toBe(JSON.stringify(rows));
    expect(JSON.parse(rowsAsJson(rows))).toEqual([{ full_name: 'Zoë 😀', note: 'C:\\ud800\\path', n: 1, at: '2026-11-29T03:00:00.000Z', none: null }]);
  });

  it('replaces a lone surrogate with U+FFFD, leaving the rest of the row and the other rows as they were', () => {
    const rows = [{ full_name: `Broken \ud800 name`, email: 'a@example.com' }, { full_name: 'Fine', email: null }];
    const json = rowsAsJson(rows);
    expect(json).not.toMatch(/\\u[dD][89a-fA-F]/);
    expect(JSON.parse(json)).toEqual([{ full_name: 'Broken \uFFFD name', email: 'a@example.com' }, { full_name: 'Fine', email: null }]);
  });
});
