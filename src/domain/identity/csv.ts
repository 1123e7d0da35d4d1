/**
 * CSV as RFC 4180 writes it (Cognito's user-import files): fields quoted when they hold a comma,
 * a quote, a line break or edge spaces, quotes doubled; records end in CRLF. The reader takes
 * any line ending and reads a file as it arrives, so a large pool is never held in memory.
 */
import { PlazaError } from '../../platform/errors.ts';

export function csvRow(fields: readonly string[]): string {
  return `${fields.map((field) => (/[",\r\n]|^\s|\s$/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(',')}\r\n`;
}

export interface CsvRecord {
  /** The line the record starts on (1-based), for messages about it. */
  line: number;
  fields: string[];
}

/**
 * Records from chunks of text. A quote inside an unquoted field, text after a closing quote, or a
 * file ending inside quotes is malformed: the line it is on is named, as nothing after it can be
 * read with confidence.
 */
export async function* readCsv(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  // A record of one empty unquoted field is a blank line, skipped; `""` is a record.
  let quotedInRecord = false;
  // Where we are in a field: at its start, inside it, or just after its closing quote.
  let state: 'start' | 'unquoted' | 'quoted' | 'closed' = 'start';
  let line = 1;
  let recordLine = 1;
  let pendingCr = false;
  const malformed = (why: string) => new PlazaError('BadInput', `line ${line}: ${why}`);
  const endField = () => {
    fields.push(field);
    field = '';
    state = 'start';
  };
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (const char of text) {
      if (pendingCr) {
        pendingCr = false;
        if (char === '\n') continue;
      }
      if (state === 'quoted') {
        if (char === '"') state = 'closed';
        else {
          if (char === '\n' || char === '\r') line++;
          if (char === '\r') pendingCr = true;
          field += char === '\r' ? '\n' : char;
        }
        continue;
      }
      if (char === '"') {
        if (state === 'start') {
          state = 'quoted';
          quotedInRecord = true;
        } else if (state === 'closed') {
          // A doubled quote inside quotes.
          field += '"';
          state = 'quoted';
        } else
          throw malformed('a quote inside an unquoted field (quote the whole field and double the quote)');
      } else if (char === ',') endField();
      else if (char === '\n' || char === '\r') {
        endField();
        if (quotedInRecord || fields.length > 1 || fields[0] !== '') yield { line: recordLine, fields };
        fields = [];
        quotedInRecord = false;
        line++;
        recordLine = line;
        pendingCr = char === '\r';
      } else if (state === 'closed') throw malformed('text after a closing quote');
      else {
        field += char;
        state = 'unquoted';
      }
    }
  }
  if (state === 'quoted')
    throw new PlazaError('BadInput', `line ${recordLine}: a quoted field is not closed`);
  if (state !== 'start' || fields.length > 0) {
    endField();
    yield { line: recordLine, fields };
  }
}
