/**
 * Small JSON state kept under DATA_DIR (the pool's ids, the development API key, the measured usage):
 * read, or made once and kept. Written atomically (atomic-file.ts). A file that is there but empty or
 * not JSON is a ConfigurationError naming the file, what it holds and what to do: each caller says
 * both, since what is safe (start afresh, or restore a backup) depends on the file.
 */
import { rename } from 'node:fs/promises';
import { createFileAtomicSync, writeFileAtomic } from './atomic-file.ts';
import { PlazaError } from './errors.ts';
import { readTextFile, readTextFileSync } from './files.ts';

/** What a JSON state file is, for the message when it cannot be read. */
export interface JsonFileDescription {
  /** What the file holds, as in "It holds {holds}." */
  holds: string;
  /** What the operator should do when it is empty or corrupt (restore it, or delete it and what that costs). */
  remedy: string;
}

const unknownFile: JsonFileDescription = {
  holds: 'state Plaza keeps under DATA_DIR',
  remedy: 'Restore it from a backup.',
};

/** The ConfigurationError for a JSON state file that is empty or not JSON. */
export function unreadableJsonFile(
  path: string,
  problem: string,
  about: JsonFileDescription = unknownFile,
  cause?: unknown,
): PlazaError {
  return new PlazaError(
    'ConfigurationError',
    `${path} ${problem}. It holds ${about.holds}. ${about.remedy}`,
    { path },
    cause === undefined ? undefined : { cause },
  );
}

/** The value of a JSON state file's text; a ConfigurationError naming the file when it is empty or corrupt. */
export function parseJsonFile(path: string, text: string, about?: JsonFileDescription): unknown {
  if (text.trim() === '') throw unreadableJsonFile(path, 'is empty', about);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw unreadableJsonFile(path, `is not valid JSON (${(error as Error).message})`, about, error);
  }
}

function serialize(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A JSON file's value, or undefined when there is no such file (synchronously). */
export function readJsonFileSync(path: string, about?: JsonFileDescription): unknown {
  const text = readTextFileSync(path);
  return text === undefined ? undefined : parseJsonFile(path, text, about);
}

/**
 * The file's value, or, when there is no file, `create()`'s, written there first (if another process
 * wrote the file meanwhile, theirs is kept and returned).
 */
export async function loadOrCreateJson<T>(
  path: string,
  create: () => T | Promise<T>,
  about?: JsonFileDescription,
): Promise<T> {
  const existing = readJsonFileSync(path, about);
  if (existing !== undefined) return existing as T;
  const value = await create();
  if (createFileAtomicSync(path, serialize(value))) return value;
  return readJsonFileSync(path, about) as T;
}

/** A JSON file's value, or undefined when there is no such file. */
export async function readJsonFile(path: string, about?: JsonFileDescription): Promise<unknown> {
  const text = await readTextFile(path);
  return text === undefined ? undefined : parseJsonFile(path, text, about);
}

/** Replaces the whole file atomically (temporary file, fsync, rename), so a reader never sees half of it. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, serialize(value));
}

/**
 * For state that may start afresh (counters, caches): a file that is empty or corrupt is renamed to
 * `{path}.corrupt-{time}` (kept for a look), `onSetAside` is told (to warn), and undefined returned,
 * as when there is no file.
 */
export async function readJsonFileOrSetAside(
  path: string,
  about: JsonFileDescription,
  onSetAside: (error: PlazaError, movedTo: string) => void,
): Promise<unknown> {
  try {
    return await readJsonFile(path, about);
  } catch (error) {
    if (!(error instanceof PlazaError) || error.code !== 'ConfigurationError') throw error;
    const movedTo = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(path, movedTo);
    onSetAside(error, movedTo);
    return undefined;
  }
}
