import { describe, expect, it } from 'vitest';
import { csvRow, readCsv } from './csv.ts';

async function records(...chunks: string[]) {
  const found = [];
  for await (const record of readCsv(
    (async function* () {
      yield* chunks;
    })(),
  ))
    found.push(record);
  return found;
}

describe('CSV (RFC 4180)', () => {
  it('quotes only the fields that need it, doubling quotes, and ends records in CRLF', () => {
    expect(csvRow(['plain', 'a,b', 'say "hi"', 'two\nlines', ' edge', ''])).toBe(
      'plain,"a,b","say ""hi""","two\nlines"," edge",\r\n',
    );
  });

  it('reads back what it writes, across chunk boundaries and line endings, with each record’s line', async () => {
    const rows = [
      ['a', 'b,c', 'd "e"'],
      ['multi\nline', '', 'x'],
      ['', '', ''],
    ];
    const text = rows.map(csvRow).join('');
    const split = [...text].map((char) => char);
    expect(await records(...split)).toEqual([
      { line: 1, fields: rows[0] },
      { line: 2, fields: rows[1] },
      { line: 4, fields: rows[2] },
    ]);
    expect(await records('a,b\n\nc,d\r', 'e,f')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['c', 'd'] },
      { line: 4, fields: ['e', 'f'] },
    ]);
    expect(await records('""\n')).toEqual([{ line: 1, fields: [''] }]);
  });

  it('names the line of malformed input', async () => {
    await expect(records('a,b\nc"d,e\n')).rejects.toThrow('line 2: a quote inside an unquoted field');
    await expect(records('"a"b,c\n')).rejects.toThrow('line 1: text after a closing quote');
    await expect(records('a\n"open,\n\n')).rejects.toThrow('line 2: a quoted field is not closed');
  });
});
