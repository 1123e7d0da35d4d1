/**
 * Video (issue 19): the clip pipeline against a bare ffmpeg, and photos while clips process.
 *
 * - Pipeline: `processMedia` on a 1080p clip with sound, as the server runs it (probe, one ffmpeg
 *   run for the 720p and 360p renditions and the poster frame, the poster's image sizes, the
 *   object and item stores), against the fewest steps that give the same answer: one ffmpeg
 *   command line making the same two renditions and the poster frame, then sharp making the same
 *   poster sizes from that frame (the photos' code, which decodes once) into files. Seconds of
 *   video processed per second of wall time, and the CPU time (user + system, ffmpeg's included)
 *   each spent, which other work on a shared machine disturbs far less than wall time.
 * - Photos: image uploads through the job queue (processMedia on 1600×1200 photos, the server's
 *   lanes: two image jobs, one clip at a time beside them), in windows alone and while clips keep
 *   the video lane busy, taken in turns so a change in the machine's load falls on both. The drop
 *   is what a clip costs the photos.
 *
 * PLAZA_BENCH_VIDEO_SECONDS lists the clips' lengths (3 and 10 s by default: the pipeline's fixed
 * cost, the probe and the posters, weighs less on a longer clip).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ffmpegVideoProcessor } from '../src/adapters/ffmpeg/ffmpeg-video-processor.ts';
import { FsObjectStore } from '../src/adapters/fs/fs-object-store.ts';
import { HmacUrlSigner } from '../src/adapters/hmac/hmac-url-signer.ts';
import { nodeIds } from '../src/adapters/ids/node-ids.ts';
import { sharpImageProcessor } from '../src/adapters/sharp/sharp-image-processor.ts';
import { MediaJobs } from '../src/domain/media/media-jobs.ts';
import { isVideoKey, originalKey } from '../src/domain/media/media-keys.ts';
import { defaultMediaSettings, mediaKey, type MediaServices } from '../src/domain/media/model.ts';
import { processMedia } from '../src/domain/media/process-media.ts';
import { createLogger } from '../src/platform/logger.ts';
import { systemClock } from '../src/ports/clock.ts';
import { openSqliteStore } from '../test/support/sqlite-store.ts';
import { printTable, type Row } from './harness.ts';
import { procCpuSeconds } from './http-load.ts';

const RUNS = 3;
/** Seconds per photo window; two windows alone and two beside clips. */
const WINDOW = 8;

/** A 1080p clip with film grain (so the encoder has real work) and sound. */
function makeClip(file: string, seconds: number): void {
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=duration=${seconds}:size=1920x1080:rate=30`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`],
    ...['-vf', 'noise=alls=12:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18'],
    ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file],
  ]);
}

const loadAverage = () => loadavg()[0]!.toFixed(1);

/**
 * The same answer by hand: the renditions and the poster frame from one ffmpeg command line, with
 * the pipeline's settings and its priority (niceness 10, so that both get the same share of a busy
 * machine), then the poster's sizes with sharp, written as files. What it leaves out is Plaza's
 * own: the probe (the clip is known here), the checks, the stores.
 */
async function bareFfmpeg(input: string, folder: string, clipSeconds: number): Promise<void> {
  const encode = (height: number, bitrate: string) => [
    ...['-map', `[v${height}]`, '-map', '0:a:0?', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23'],
    ...['-pix_fmt', 'yuv420p', '-profile:v', 'high', '-threads', '2'],
    ...['-c:a', 'aac', '-b:a', bitrate, '-ac', '2', '-movflags', '+faststart'],
    ...['-y', join(folder, `bare-${height}.mp4`)],
  ];
  const posterAt = Math.min(1, clipSeconds / 2);
  const poster = join(folder, 'bare-poster.jpg');
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '2', '-i', input],
    ...[
      '-filter_complex',
      `[0:v]split=3[a][b][p];[a]scale=1280:720[v720];[b]scale=640:360[v360];[p]select='gte(t\\,${posterAt})'[poster]`,
    ],
    ...encode(720, '128k'),
    ...encode(360, '96k'),
    ...['-map', '[poster]', '-frames:v', '1', '-q:v', '2', '-y', poster],
  ];
  await new Promise<void>((resolve, reject) =>
    spawn('nice', ['-n', '10', 'ffmpeg', ...args], { stdio: 'inherit' }).on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`)),
    ),
  );
  const posters = await sharpImageProcessor().process(await readFile(poster), {
    sizes: defaultMediaSettings.imageSizes,
    maxPixels: defaultMediaSettings.videoMaxPixels,
    timeoutSeconds: defaultMediaSettings.jobTimeoutSeconds,
  });
  await Promise.all(
    posters.variants.map((variant) => writeFile(join(folder, `bare-${variant.name}`), variant.bytes)),
  );
}

interface Cost {
  wall: number;
  cpu: number;
}

/** Wall and CPU seconds (this process and the children it waited for) that `op` took. */
async function cost(op: () => Promise<unknown>): Promise<Cost> {
  const start = performance.now();
  const cpu = procCpuSeconds('self', true) ?? Number.NaN;
  await op();
  return {
    wall: (performance.now() - start) / 1000,
    cpu: (procCpuSeconds('self', true) ?? Number.NaN) - cpu,
  };
}

const list = (costs: Cost[], of: keyof Cost) => costs.map((each) => each[of].toFixed(2)).join(', ');

export async function videoBenchmark(): Promise<void> {
  const lengths = (process.env.PLAZA_BENCH_VIDEO_SECONDS ?? '3,10').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'plaza-video-bench-'));
  const { db, store } = openSqliteStore(join(dir, 'plaza.sqlite'), { synchronous: 'NORMAL' });
  const ids = nodeIds(systemClock);
  const services: MediaServices = {
    store,
    objects: new FsObjectStore({ root: join(dir, 'media'), durable: false }),
    signer: new HmacUrlSigner({ secret: randomBytes(32), keyId: 'b', baseUrl: () => 'http://x' }),
    images: sharpImageProcessor(),
    videos: ffmpegVideoProcessor(),
    clock: systemClock,
    ids,
    logger: createLogger({ level: 'silent' }),
    settings: defaultMediaSettings,
  };
  // Noise, so the encoders have real work (as in the media benchmark).
  const pixels = Buffer.alloc(1600 * 1200 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  const photo = await sharp(pixels, { raw: { width: 1600, height: 1200, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();

  /** An upload as receiveUpload leaves it: the original stored and its item PENDING. */
  const upload = async (clip: Buffer | undefined): Promise<string> => {
    const key = originalKey('POST', 'bench', ids.ulid(), clip !== undefined);
    const info = await services.objects.put(key, clip ?? photo, {
      contentType: clip ? 'video/mp4' : 'image/jpeg',
    });
    await store.put({
      item: {
        ...mediaKey(key),
        key,
        ownerId: 'bench',
        purpose: 'POST',
        contentType: info.contentType,
        contentLength: info.size,
        status: 'PENDING',
        uploaded: true,
        variants: [],
        createdAt: new Date().toISOString(),
      },
    });
    return key;
  };

  const rows: Row[] = [];
  let benchClip: Buffer | undefined;
  for (const clipSeconds of lengths) {
    const clipFile = join(dir, `clip-${clipSeconds}.mp4`);
    makeClip(clipFile, clipSeconds);
    const clip = readFileSync(clipFile);
    benchClip ??= clip;
    const plaza: Cost[] = [];
    const bare: Cost[] = [];
    const loads: string[] = [];
    const pipeline = async () => {
      const key = await upload(clip);
      plaza.push(
        await cost(async () => {
          if ((await processMedia(key, services)) !== 'READY') throw new Error('the clip was refused');
        }),
      );
    };
    const byHand = async () => bare.push(await cost(() => bareFfmpeg(clipFile, dir, clipSeconds)));
    for (let run = 0; run < RUNS; run++) {
      loads.push(loadAverage());
      // In turns, so neither always runs on the caches (or the load) the other left.
      for (const op of run % 2 ? [byHand, pipeline] : [pipeline, byHand]) await op();
    }
    // The fastest of each: what the machine's other work took away from a run is not the pipeline's.
    const fastest = (costs: Cost[], of: keyof Cost) => Math.min(...costs.map((each) => each[of]));
    console.log(
      `  ${clipSeconds} s of 1080p (${(clip.length / 1e6).toFixed(0)} MB), load average ${loads.join(', ')}:\n` +
        `    wall: pipeline ${list(plaza, 'wall')} s, bare ${list(bare, 'wall')} s\n` +
        `    CPU:  pipeline ${list(plaza, 'cpu')} s, bare ${list(bare, 'cpu')} s (the fastest of ${RUNS} counts)`,
    );
    const wall = fastest(bare, 'wall') / fastest(plaza, 'wall');
    const cpu = fastest(bare, 'cpu') / fastest(plaza, 'cpu');
    rows.push(
      {
        benchmark: `pipeline, ${clipSeconds} s of 1080p → 720p + 360p + posters (video s / wall s)`,
        plaza: clipSeconds / fastest(plaza, 'wall'),
        bare: clipSeconds / fastest(bare, 'wall'),
        goal: '≥ 0.9× bare',
        ok: wall >= 0.9,
      },
      {
        benchmark: `pipeline, ${clipSeconds} s of 1080p, CPU (video s / CPU s)`,
        plaza: clipSeconds / fastest(plaza, 'cpu'),
        bare: clipSeconds / fastest(bare, 'cpu'),
        goal: '≥ 0.9× bare',
        ok: cpu >= 0.9,
      },
    );
  }

  const photosPerSecond = async (clip: Buffer | undefined): Promise<number> => {
    let photos = 0;
    let clips = 0;
    let stop = false;
    const jobs = new MediaJobs((key) => processMedia(key, services), {
      concurrency: 2,
      attempts: 1,
      logger: services.logger,
      lanes: [{ concurrency: 1, matches: isVideoKey }],
      onOutcome: () => undefined,
    });
    // Keep two photos and (when asked) one clip queued at all times, as a busy server would.
    const feed = async (video: Buffer | undefined) => {
      while (!stop) {
        const key = await upload(video);
        jobs.enqueue(key);
        while (!stop && (await store.get(mediaKey(key))).item?.status === 'PENDING')
          await new Promise((resolve) => setTimeout(resolve, 5));
        if (video) clips++;
        else photos++;
      }
    };
    const start = performance.now();
    const feeders = [feed(undefined), feed(undefined), feed(undefined), ...(clip ? [feed(clip)] : [])];
    await new Promise((resolve) => setTimeout(resolve, WINDOW * 1000));
    const rate = photos / ((performance.now() - start) / 1000);
    stop = true;
    await Promise.all(feeders);
    await jobs.idle();
    await jobs.close();
    console.log(
      `  photos ${clip ? 'beside clips' : 'alone'}: ${rate.toFixed(2)}/s` +
        `${clip ? ` (${clips} clips)` : ''}, load average ${loadAverage()}`,
    );
    return rate;
  };
  let alone = 0;
  let beside = 0;
  for (let round = 0; round < 2; round++) {
    alone += await photosPerSecond(undefined);
    beside += await photosPerSecond(benchClip);
  }
  rows.push({
    benchmark: 'image uploads while clips process (images/s; bare: no clips)',
    plaza: beside / 2,
    bare: alone / 2,
    goal: '≥ 0.8× (drop ≤ 20 %)',
    ok: beside >= 0.8 * alone,
  });
  printTable('Video: clip pipeline and photos beside it (ratio = Plaza / bare)', rows, 'per s');
  console.log(`  image throughput drop while clips process: ${((1 - beside / alone) * 100).toFixed(1)} %`);
  await store.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
