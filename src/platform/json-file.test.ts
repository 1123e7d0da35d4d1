import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createFileAtomicSync,
  isTemporaryPath,
  temporaryPathFor,
  writeFileAtomicSync,
} from './atomic-file.ts';
import { rejectionMessage } from '../../test/support/fails-with.ts';
import {
  loadOrCreateJson,
  readJsonFile,
  readJsonFileOrSetAside,
  readJsonFileSync,
  writeJsonFile,
  type JsonFileDescription,
} from './json-file.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plaza-json-'));
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

const pool: JsonFileDescription = {
  holds: "the user pool's ids",
  remedy: 'Restore it from a backup; deleting it makes a new pool id.',
};

const configurationError = (run: () => unknown) =>
  rejectionMessage(Promise.resolve().then(run), 'ConfigurationError');

describe('reading JSON state', () => {
  it('answers undefined when there is no file', async () => {
    expect(await readJsonFile(join(dir, 'none.json'))).toBeUndefined();
    expect(readJsonFileSync(join(dir, 'none.json'))).toBeUndefined();
  });

  it('names an empty file, what it holds and what to do', async () => {
    const path = join(dir, 'pool.json');
    writeFileSync(path, '');
    for (const read of [() => readJsonFile(path, pool), () => readJsonFileSync(path, pool)]) {
      const message = await configurationError(read);
      expect(message).toBe(
        `${path} is empty. It holds the user pool's ids. Restore it from a backup; deleting it makes a new pool id.`,
      );
    }
    expect(await configurationError(() => loadOrCreateJson(path, () => ({ fresh: true }), pool))).toContain(
      'is empty',
    );
    // The file is left as it was: a new pool is not made over it.
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('names a corrupt (half-written) file, with the parser’s complaint', async () => {
    const path = join(dir, 'pool.json');
    writeFileSync(path, '{"userPoolId": "us-west-1_');
    const message = await configurationError(() => readJsonFile(path, pool));
    expect(message).toMatch(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON \\(`),
    );
    expect(message).toContain("It holds the user pool's ids.");
    expect(message).not.toMatch(/^SyntaxError/);
  });

  it('sets a corrupt file aside when the caller may start afresh', async () => {
    const path = join(dir, 'usage.json');
    writeFileSync(path, '{"tot');
    const warned = vi.fn();
    expect(await readJsonFileOrSetAside(path, pool, warned)).toBeUndefined();
    expect(warned).toHaveBeenCalledOnce();
    const movedTo = warned.mock.calls[0]![1] as string;
    expect(readFileSync(movedTo, 'utf8')).toBe('{"tot');
    expect(readdirSync(dir)).toEqual([movedTo.slice(dir.length + 1)]);
    // A good file is read as usual.
    await writeJsonFile(path, { totals: 1 });
    expect(await readJsonFileOrSetAside(path, pool, warned)).toEqual({ totals: 1 });
    expect(warned).toHaveBeenCalledOnce();
  });
});

describe('writing JSON state', () => {
  it('makes the file once and keeps it', async () => {
    const path = join(dir, 'identity', 'pool.json');
    const made = await loadOrCreateJson(path, () => ({ id: 1 }), pool);
    expect(made).toEqual({ id: 1 });
    expect(await loadOrCreateJson(path, () => ({ id: 2 }), pool)).toEqual({ id: 1 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'identity'))).toEqual(['pool.json']);
  });

  it('keeps the file another process made while this one was making its own', async () => {
    const path = join(dir, 'pool.json');
    const value = await loadOrCreateJson(
      path,
      () => {
        writeFileSync(path, JSON.stringify({ id: 'theirs' }));
        return { id: 'ours' };
      },
      pool,
    );
    expect(value).toEqual({ id: 'theirs' });
    expect(readdirSync(dir)).toEqual(['pool.json']);
  });

  it('replaces the whole file atomically, owner-only, leaving no temporary file', async () => {
    const path = join(dir, 'usage.json');
    await Promise.all(Array.from({ length: 20 }, (_, index) => writeJsonFile(path, { index })));
    expect((JSON.parse(readFileSync(path, 'utf8')) as { index: number }).index).toBeGreaterThanOrEqual(0);
    expect(readdirSync(dir)).toEqual(['usage.json']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('leaves the old file and no temporary file when a write fails', async () => {
    const path = join(dir, 'usage.json');
    await writeJsonFile(path, { before: true });
    // A value JSON cannot hold fails before anything is written...
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(writeJsonFile(path, cyclic)).rejects.toThrow();
    // ...and a folder that refuses new files fails at the temporary file.
    chmodSync(dir, 0o500);
    if (process.getuid?.() !== 0) await expect(writeJsonFile(path, { after: true })).rejects.toThrow();
    chmodSync(dir, 0o700);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ before: true });
    expect(readdirSync(dir)).toEqual(['usage.json']);
  });
});

describe('atomic files', () => {
  it('names temporary files beside the target, recognisably', () => {
    const temporary = temporaryPathFor(join(dir, 'a.key'));
    expect(temporary.startsWith(join(dir, '.a.key.'))).toBe(true);
    expect(isTemporaryPath(temporary)).toBe(true);
    expect(isTemporaryPath(join(dir, 'a.key'))).toBe(false);
  });

  it('creates a file only when there is none, keeping the first', () => {
    const path = join(dir, 'a.key');
    expect(createFileAtomicSync(path, 'first')).toBe(true);
    expect(createFileAtomicSync(path, 'second')).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first');
    writeFileAtomicSync(path, 'replaced');
    expect(readFileSync(path, 'utf8')).toBe('replaced');
    expect(readdirSync(dir)).toEqual(['a.key']);
  });
});
