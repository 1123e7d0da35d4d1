/**
 * The user pool's import from Cognito's user-import CSV (GetCSVHeader's columns), as Cognito's
 * import jobs do it: each user starts RESET_REQUIRED, with no password (the file carries none),
 * and sets one with a mailed code (ForgotPassword, then ConfirmForgotPassword). A row that cannot
 * be imported is reported with its line and skipped; the rest go on.
 */
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { CsvRecord } from './csv.ts';
import { csvHeader, mfaColumn, usernameColumn } from './get-csv-header.ts';
import { fail, requireEmail, userKeys, type IdentityServices } from './model.ts';
import { createUser } from './sign-up.ts';

export type ImportServices = Pick<IdentityServices, 'users' | 'clock' | 'ids' | 'hasher' | 'pool'>;

export interface ImportNote {
  line: number;
  message: string;
}

export interface ImportSummary {
  imported: number;
  skipped: ImportNote[];
  /** Imported, with something the file asked for that does not carry over. */
  warnings: ImportNote[];
  /** Where the file stopped being CSV: nothing after it was read. */
  malformed?: string;
}

const booleanColumns = new Set(['email_verified', 'phone_number_verified', mfaColumn]);
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const maxAttributeLength = 2048;

/** The header row: every column known to the pool, none twice, email and the username present. */
function checkHeader(record: CsvRecord | undefined): string[] {
  if (!record) throw new PlazaError('BadInput', 'The file is empty: the first line must be the CSV header');
  const known = new Set(csvHeader());
  const columns = record.fields.map((column) => column.trim());
  const seen = new Set<string>();
  for (const column of columns) {
    if (!known.has(column))
      throw new PlazaError(
        'BadInput',
        `line ${record.line}: unknown column "${column}" (the pool's columns: ${[...known].join(', ')})`,
      );
    if (seen.has(column))
      throw new PlazaError('BadInput', `line ${record.line}: the column ${column} is twice`);
    seen.add(column);
  }
  for (const column of ['email', usernameColumn])
    if (!seen.has(column))
      throw new PlazaError('BadInput', `line ${record.line}: the header has no ${column} column`);
  return columns;
}

interface Row {
  sub: string | undefined;
  email: string;
  attributes: Record<string, string>;
  mfaEnabled: boolean;
}

/** A data row as a user to create, or the reason it cannot be one (BadInput). */
function readRow(columns: string[], fields: string[]): Row {
  if (fields.length !== columns.length)
    fail('BadInput', `${fields.length} fields where the header has ${columns.length}`);
  const attributes: Record<string, string> = {};
  let sub: string | undefined;
  let mfaEnabled = false;
  for (const [index, column] of columns.entries()) {
    let value = fields[index] ?? '';
    if (booleanColumns.has(column)) {
      if (!/^(true|false|)$/i.test(value.trim()))
        fail('BadInput', `${column} must be true or false, not "${value}"`);
      value = value.trim().toLowerCase();
    }
    if (value === '') continue;
    if (column === usernameColumn) {
      if (!uuidPattern.test(value))
        fail(
          'BadInput',
          `${usernameColumn} "${value}" is not a user id: this pool's usernames are the users' subs (leave it empty for a new one)`,
        );
      sub = value.toLowerCase();
    } else if (column === mfaColumn) mfaEnabled = value === 'true';
    else if ([...value].length > maxAttributeLength)
      fail('BadInput', `${column} is longer than ${maxAttributeLength} characters`);
    else attributes[column] = value;
  }
  if (!attributes.email) fail('BadInput', 'email is required');
  let email: string;
  try {
    email = requireEmail(attributes.email);
  } catch {
    return fail('BadInput', `"${attributes.email}" is not an email address`);
  }
  delete attributes.email;
  return { sub, email, attributes: { email_verified: 'false', ...attributes }, mfaEnabled };
}

/**
 * Imports the users of a CSV (its first record the header), one at a time so the file may be as
 * large as the pool. `onProgress` hears of each row. Store failures stop the import; a row's own
 * problems (a bad value, an email or username already taken, in the pool or earlier in the file)
 * skip it.
 */
export async function importUsers(
  records: AsyncIterable<CsvRecord>,
  services: ImportServices,
  onProgress: (summary: ImportSummary) => void = () => undefined,
): Promise<ImportSummary> {
  const iterator = records[Symbol.asyncIterator]();
  const columns = checkHeader((await iterator.next()).value as CsvRecord | undefined);
  // One unusable password for the whole file (never shown, never stored but as its hash):
  // the users have none until they set one, and hashing once keeps a large import fast.
  const password = services.ids.secret(32);
  const passwordHash = await services.hasher.hash(password);
  const summary: ImportSummary = { imported: 0, skipped: [], warnings: [] };
  const emails = new Map<string, number>();
  const subs = new Map<string, number>();
  const next = () =>
    iterator.next().catch((error: unknown) => {
      if (!isPlazaError(error, 'BadInput')) throw error;
      summary.malformed = error.message;
      return { done: true as const, value: undefined };
    });
  for (let record = await next(); !record.done; record = await next()) {
    const { line, fields } = record.value;
    try {
      const row = readRow(columns, fields);
      const earlier = emails.get(row.email) ?? (row.sub ? subs.get(row.sub) : undefined);
      if (earlier !== undefined) fail('BadInput', `the same user as line ${earlier}`);
      emails.set(row.email, line);
      if (row.sub) {
        subs.set(row.sub, line);
        if ((await services.users.get(userKeys.user(row.sub), { consistent: true })).item)
          fail('BadInput', `a user ${row.sub} already exists`);
      }
      // Cognito's cognito:mfa_enabled is SMS MFA, to the row's verified phone number.
      const smsMfa = row.mfaEnabled && row.attributes.phone_number_verified === 'true';
      await createUser(
        {
          email: row.email,
          password,
          passwordHash,
          status: 'RESET_REQUIRED',
          attributes: row.attributes,
          ...(row.sub ? { sub: row.sub } : {}),
          ...(smsMfa ? { extra: { smsMfaEnabled: true } } : {}),
        },
        services,
      );
      summary.imported++;
      if (row.mfaEnabled && !smsMfa)
        summary.warnings.push({
          line,
          message: `${row.email}: MFA is not on (SMS MFA needs a verified phone_number; TOTP secrets are not exported): the user sets it up again`,
        });
    } catch (error) {
      if (!isPlazaError(error) || !['BadInput', 'UsernameExistsException'].includes(error.code)) throw error;
      const message =
        error.code === 'UsernameExistsException' ? 'a user with this email already exists' : error.message;
      summary.skipped.push({ line, message });
    }
    onProgress(summary);
  }
  return summary;
}
