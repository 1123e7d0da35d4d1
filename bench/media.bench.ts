/**
 * Media: the image pipeline and the media server, each against a bare
 * reference in the same run.
 *
 * - Pipeline: Plaza's sharp processor (decode once, every variant cut from one
 *   reduced bitmap) against the design's loop, which decodes the original
 *   again for each output. Same outputs (4 square JPEGs, 4 WebPs, medium).
 * - Media server, 32 connections (autocannon, in this process for both): a
 *   versioned 300 px variant from the edge cache against node:http sending the
 *   same bytes from memory; and with the edge cache off, from the file-system
 *   store against node:http streaming the same file.
 */
import autocannon from 'autocannon';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { sharpImageProcessor } from '../src/adapters/sharp/sharp-image-processor.ts';
import { createApp } from '../src/app/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { printTable, type Row } from './harness.ts';
import { listen } from './http-load.ts';

const SIZES = [150, 300, 600, 1200];

async function photo(width: number, height: number): Promise<Buffer> {
  // Noise, so the encoders have real work (a flat colour compresses to nothing).
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function timeLoop(seconds: number, op: () => Promise<unknown>): Promise<number> {
  await op();
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < seconds * 1000) {
    await op();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

/** The design's Lambda: for each output, decode the original again. */
async function designLoop(original: Buffer): Promise<void> {
  await Promise.all([
    ...SIZES.map((size) =>
      sharp(original).rotate().resize(size, size, { fit: 'cover' }).jpeg({ quality: 80 }).toBuffer(),
    ),
    ...SIZES.map((size) =>
      sharp(original).rotate().resize(size, size, { fit: 'cover' }).webp({ quality: 80 }).toBuffer(),
    ),
    sharp(original).rotate().resize(1080, 1080, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer(),
  ]);
}

function load(url: string, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon({ url, connections: 32, duration: seconds }, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
}

export async function mediaBenchmark(): Promise<void> {
  const rows: Row[] = [];
  const processor = sharpImageProcessor();
  for (const [width, height] of [
    [4032, 3024],
    [1600, 1200],
  ] as const) {
    const original = await photo(width, height);
    const plaza = await timeLoop(4, () =>
      processor.process(original, { sizes: SIZES, maxPixels: 40_000_000, timeoutSeconds: 30 }),
    );
    const bare = await timeLoop(4, () => designLoop(original));
    rows.push({
      benchmark: `pipeline ${width}×${height} (images/s)`,
      plaza,
      bare,
      goal: '≥ 1× the design loop',
      ok: plaza >= bare,
    });
  }

  for (const cached of [true, false]) {
    const dir = mkdtempSync(join(tmpdir(), 'plaza-media-bench-'));
    writeFileSync(
      join(dir, 'plaza.config.json'),
      JSON.stringify({ cdn: { edgeCacheMegabytes: cached ? 64 : 0 } }),
    );
    const app = await createApp(
      loadConfig({ DATA_DIR: dir, PORT: '0', PLAZA_SQLITE_SYNCHRONOUS: 'NORMAL' }, dir),
      {
        logger: createLogger({ level: 'silent' }),
      },
    );
    const base = await app.listen();
    const bytes = await sharp(await photo(1200, 1200))
      .resize(300, 300)
      .jpeg({ quality: 80 })
      .toBuffer();
    const info = await app.media.services.objects.put('users/bench/posts/01BENCH/300.jpg', bytes, {
      contentType: 'image/jpeg',
    });
    const file = join(dir, 'variant.jpg');
    writeFileSync(file, bytes);
    const bareServer = createServer((_request, response) => {
      response.writeHead(200, {
        'content-type': 'image/jpeg',
        'content-length': bytes.length,
        etag: info.etag,
        'cache-control': 'public, max-age=31536000, immutable',
      });
      if (cached) response.end(bytes);
      else createReadStream(file).pipe(response);
    });
    const bareUrl = await listen(bareServer);
    const version = info.etag.replace(/"/g, '').slice(0, 16);
    const plaza = await load(`${base}/media/users/bench/posts/01BENCH/300.jpg?v=${version}`, 5);
    const bare = await load(bareUrl, 5);
    rows.push({
      benchmark: `GET 300 px variant, ${cached ? 'edge cache hit' : 'from the store'} (req/s)`,
      plaza: plaza.requests.average,
      bare: bare.requests.average,
      // The goal is for the cached thumbnail; a store read has no goal of its own.
      goal: cached ? '≥ 0.6×' : '≥ 0.5×',
      ok: plaza.requests.average >= (cached ? 0.6 : 0.5) * bare.requests.average,
    });
    if (cached) {
      // Revalidation: the client holds the bytes and asks whether they changed (If-None-Match → 304).
      const revalidate = (url: string) =>
        new Promise<autocannon.Result>((resolve, reject) =>
          autocannon(
            { url, connections: 32, duration: 5, headers: { 'if-none-match': info.etag } },
            (error, result) => (error ? reject(error) : resolve(result)),
          ),
        );
      const bare304 = createServer((_request, response) => {
        response.writeHead(304, { etag: info.etag, 'cache-control': 'public, max-age=31536000, immutable' });
        response.end();
      });
      const bare304Url = await listen(bare304);
      const plaza304 = await revalidate(`${base}/media/users/bench/posts/01BENCH/300.jpg?v=${version}`);
      const bareRevalidated = await revalidate(bare304Url);
      rows.push({
        benchmark: '304 revalidation (req/s)',
        plaza: plaza304.requests.average,
        bare: bareRevalidated.requests.average,
        goal: '≥ 0.5×',
        ok: plaza304.requests.average >= 0.5 * bareRevalidated.requests.average,
      });
      bare304.close();
    }
    console.log(
      `  ${cached ? 'hit' : 'store'}: plaza p99 ${plaza.latency.p99} ms, bare p99 ${bare.latency.p99} ms, ` +
        `errors ${plaza.errors + plaza.non2xx}/${bare.errors + bare.non2xx}`,
    );
    bareServer.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable('Media: pipeline and media server (ratio = Plaza / bare)', rows);
}
