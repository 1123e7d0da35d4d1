/**
 * Video (issue 19): the clip pipeline against a bare ffmpeg, and photos while clips process.
 *
 * - Pipeline: `processMedia` on a 1080p clip with sound, as the server runs it (probe, one ffmpeg
 *   run for the 720p and 360p renditions and the poster frame, the poster's image sizes, the
 *   object and item stores), against the bare `ffmpeg` command line that makes the same two
 *   renditions with the same settings. Seconds of video processed per second of wall time.
 * - Photos: image uploads through the job queue (processMedia on 1600×1200 photos, the server's
 *   lanes: two image jobs, one clip at a time beside them) alone, and while clips keep the video
 *   lane busy. The drop is what a clip costs the photos.
 *
 * PLAZA_BENCH_VIDEO_SECONDS sets the clip's length (3 s by default, so the run stays under a minute
 * on an idle machine).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const RUNS = 3;

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

/**
 * The same renditions by hand: what someone would type, with the pipeline's settings and its
 * priority (niceness 10, so that both get the same share of a busy machine).
 */
function bareFfmpeg(input: string, folder: string): Promise<void> {
  const encode = (height: number, bitrate: string) => [
    ...['-map', `[v${height}]`, '-map', '0:a:0?', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23'],
    ...['-pix_fmt', 'yuv420p', '-profile:v', 'high', '-threads', '2'],
    ...['-c:a', 'aac', '-b:a', bitrate, '-ac', '2', '-movflags', '+faststart'],
    ...['-y', join(folder, `bare-${height}.mp4`)],
  ];
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '2', '-i', input],
    ...['-filter_complex', '[0:v]split=2[a][b];[a]scale=1280:720[v720];[b]scale=640:360[v360]'],
    ...encode(720, '128k'),
    ...encode(360, '96k'),
  ];
  return new Promise((resolve, reject) =>
    spawn('nice', ['-n', '10', 'ffmpeg', ...args], { stdio: 'inherit' }).on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`)),
    ),
  );
}

async function seconds(op: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await op();
  return (performance.now() - start) / 1000;
}

export async function videoBenchmark(): Promise<void> {
  const clipSeconds = Number(process.env.PLAZA_BENCH_VIDEO_SECONDS ?? 3);
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
  const clipFile = join(dir, 'clip.mp4');
  makeClip(clipFile, clipSeconds);
  const clip = readFileSync(clipFile);
  // Noise, so the encoders have real work (as in the media benchmark).
  const pixels = Buffer.alloc(1600 * 1200 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  const photo = await sharp(pixels, { raw: { width: 1600, height: 1200, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();

  /** An upload as receiveUpload leaves it: the original stored and its item PENDING. */
  const upload = async (video: boolean): Promise<string> => {
    const key = originalKey('POST', 'bench', ids.ulid(), video);
    const info = await services.objects.put(key, video ? clip : photo, {
      contentType: video ? 'video/mp4' : 'image/jpeg',
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

  const plazaWalls: number[] = [];
  const bareWalls: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const key = await upload(true);
    plazaWalls.push(
      await seconds(async () => {
        if ((await processMedia(key, services)) !== 'READY') throw new Error('the clip was refused');
      }),
    );
    bareWalls.push(await seconds(() => bareFfmpeg(clipFile, dir)));
  }
  // The fastest of each: what the machine's other work took away from a run is not the pipeline's.
  const plazaWall = Math.min(...plazaWalls);
  const bareWall = Math.min(...bareWalls);

  const photosPerSecond = async (withClips: boolean): Promise<number> => {
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
    const feed = async (video: boolean) => {
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
    const window = 8;
    const feeders = [feed(false), feed(false), feed(false), ...(withClips ? [feed(true)] : [])];
    await new Promise((resolve) => setTimeout(resolve, window * 1000));
    const rate = photos / ((performance.now() - start) / 1000);
    stop = true;
    await Promise.all(feeders);
    await jobs.idle();
    await jobs.close();
    if (withClips) console.log(`  clips processed beside the photos: ${clips}`);
    return rate;
  };
  const alone = await photosPerSecond(false);
  const beside = await photosPerSecond(true);

  console.log(
    `  ${clipSeconds} s of 1080p: pipeline ${plazaWalls.map((s) => s.toFixed(2)).join(', ')} s, ` +
      `bare ffmpeg ${bareWalls.map((s) => s.toFixed(2)).join(', ')} s (the fastest of ${RUNS} counts)`,
  );
  const rows: Row[] = [
    {
      benchmark: `pipeline, ${clipSeconds} s of 1080p → 720p + 360p (+ posters) (video s / wall s)`,
      plaza: clipSeconds / plazaWall,
      bare: clipSeconds / bareWall,
      goal: '≥ 0.9× bare ffmpeg',
      ok: bareWall / plazaWall >= 0.9,
    },
    {
      benchmark: 'image uploads while clips process (images/s; bare: no clips)',
      plaza: beside,
      bare: alone,
      goal: '≥ 0.8× (drop ≤ 20 %)',
      ok: beside >= 0.8 * alone,
    },
  ];
  printTable('Video: clip pipeline and photos beside it (ratio = Plaza / bare)', rows, 'per s');
  console.log(`  image throughput drop while clips process: ${((1 - beside / alone) * 100).toFixed(1)} %`);
  await store.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
