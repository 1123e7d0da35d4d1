import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filesUnder, readTextFile, readTextFileSync } from './files.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('files that may not be there', () => {
  it('reads a text file, and answers undefined when there is none', async () => {
    writeFileSync(join(dir, 'a.txt'), 'hello');
    expect(readTextFileSync(join(dir, 'a.txt'))).toBe('hello');
    expect(await readTextFile(join(dir, 'a.txt'))).toBe('hello');
    expect(readTextFileSync(join(dir, 'none.txt'))).toBeUndefined();
    expect(await readTextFile(join(dir, 'none.txt'))).toBeUndefined();
  });

  it('throws what is not a missing file (a folder is not a text file)', async () => {
    expect(() => readTextFileSync(dir)).toThrow(/EISDIR/);
    await expect(readTextFile(dir)).rejects.toThrow(/EISDIR/);
  });

  it('lists the files below a folder at any depth, and none below a missing one', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'x', 'y'), { recursive: true });
    mkdirSync(join(tree, 'empty'));
    writeFileSync(join(tree, 'top'), '');
    writeFileSync(join(tree, 'x', 'y', 'deep'), '');
    expect((await filesUnder(tree)).sort()).toEqual([join(tree, 'top'), join(tree, 'x', 'y', 'deep')].sort());
    expect(await filesUnder(join(dir, 'missing'))).toEqual([]);
    await expect(filesUnder(join(tree, 'top'))).rejects.toThrow(/ENOTDIR/);
  });
});
