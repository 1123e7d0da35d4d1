/**
 * Builds the web app into web/dist when its sources changed since the last build
 * (`npm start` runs this first, so `npm install && npm start` serves the app with
 * no second command), then writes gzip and brotli twins of every text file so
 * Plaza serves them precompressed. `tsx web/build.ts --force` rebuilds anyway.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { InlineConfig } from 'vite';

export const webRoot = fileURLToPath(new URL('.', import.meta.url));
export const webDist = join(webRoot, 'dist');
const packageRoot = join(webRoot, '..');
const hashFile = join(webDist, '.source-hash');
const compressible = /\.(js|mjs|css|html|svg|json|txt|map|webmanifest)$/;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** A hash of everything the build reads: the app's sources and config, and the locked dependency versions. */
export function sourceHash(): string {
  const inputs = [
    ...filesUnder(join(webRoot, 'src')).filter((file) => !/\.test\.tsx?$/.test(file)),
    ...filesUnder(join(webRoot, 'public')),
    join(webRoot, 'index.html'),
    join(webRoot, 'vite.config.ts'),
    join(webRoot, 'tsconfig.json'),
    join(packageRoot, 'package-lock.json'),
  ].sort();
  const hash = createHash('sha256');
  for (const file of inputs) {
    if (!existsSync(file)) continue;
    hash.update(relative(packageRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function precompress(dir: string): void {
  for (const file of filesUnder(dir)) {
    if (!compressible.test(file) || statSync(file).size < 512) continue;
    const content = readFileSync(file);
    writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
    writeFileSync(
      `${file}.br`,
      brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
  }
}

export interface BuildResult {
  dir: string;
  built: boolean;
  /** Why there is no fresh build (the build tools are not installed). */
  skipped?: string;
}

export async function buildWebApp(
  options: { force?: boolean; log?: (line: string) => void } = {},
): Promise<BuildResult> {
  const log = options.log ?? (() => {});
  const hash = sourceHash();
  const upToDate = existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash;
  if (upToDate && !options.force) return { dir: webDist, built: false };
  let vite: { build(config: InlineConfig): Promise<unknown> };
  try {
    vite = await import('vite');
  } catch {
    // An install without dev dependencies (npm ci --omit=dev) serves whatever build it was given.
    return { dir: webDist, built: false, skipped: 'vite is not installed (dev dependencies omitted)' };
  }
  const started = performance.now();
  log('Building the web app (web/ → web/dist)…');
  await vite.build({ configFile: join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
  precompress(webDist);
  writeFileSync(hashFile, hash);
  log(`Built the web app in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { dir: webDist, built: true };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await buildWebApp({ force: process.argv.includes('--force'), log: console.log });
  if (result.skipped) console.warn(`Web app not rebuilt: ${result.skipped}`);
}
