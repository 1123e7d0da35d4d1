/**
 * Videos on ffmpeg and ffprobe (Debian's package `ffmpeg`). The clip is probed first, so a
 * 4-hour or 8K file is refused before a frame is decoded; then one ffmpeg run decodes it once
 * and encodes every rendition and the poster frame from that one decode. MP4 keeps its index at
 * the end unless written for streaming, and neither reading nor `+faststart` works on a pipe, so
 * the bytes pass through a temporary folder that goes with the job.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { PlazaError } from '../../platform/errors.ts';
import type { LocalFile } from '../../ports/object-store/object-store.ts';
import type {
  ProcessedVideo,
  VideoLimits,
  VideoProcessor,
  VideoRenditionFile,
} from '../../ports/video-processor.ts';

/** What ffmpeg said last is what went wrong; the rest of its chatter is not kept. */
const STDERR_BYTES = 2000;
/**
 * Encoders run below the server's own priority: image jobs and requests share the cores with
 * them, and a clip may well take a few seconds longer, where a photo or a sign-in may not.
 */
const NICENESS = 10;
/** Containers Plaza accepts: MP4/QuickTime and WebM (Matroska), as ffprobe names them. */
const containers = ['mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm'];

function refuse(reason: string): PlazaError {
  return new PlazaError('UnsupportedMediaType', reason);
}

function run(command: string, args: string[], timeoutSeconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, NICENESS);
      } catch {
        // Already gone, or a system that refuses: the run goes ahead at normal priority.
      }
    }
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_BYTES);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(refuse(`The video took longer than ${timeoutSeconds} s to process`));
    }, timeoutSeconds * 1000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // Not the file's fault: the job is retried, and the next start tries again once ffmpeg is installed.
      reject(
        error.code === 'ENOENT'
          ? new PlazaError('ConfigurationError', `${command} is not installed (apt-get install ffmpeg)`)
          : error,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve(stdout);
        return;
      }
      const said = (stderr.trim().split('\n').pop() ?? '').replace(/^.*?: /, '');
      reject(
        refuse(`Not a readable video (cut short, or not a video at all): ${said || `exit code ${code}`}`),
      );
    });
  });
}

interface ProbeStream {
  codec_type?: string;
  width?: number;
  height?: number;
  disposition?: { attached_pic?: number };
  side_data_list?: { rotation?: number }[];
}

export interface ProbedVideo {
  width: number;
  height: number;
  durationSeconds: number;
}

/** Local files only, read whole or (`subfile`) a byte range in place: never a URL a clip could name. */
const protocols = 'file,subfile';

export const probeArguments = (input: string): string[] => [
  ...['-v', 'error', '-protocol_whitelist', protocols],
  ...['-show_entries', 'format=format_name,duration:stream=codec_type,width,height'],
  ...['-show_entries', 'stream_disposition=attached_pic:stream_side_data=rotation', '-of', 'json', input],
];

/** What ffprobe's JSON says of the clip, checked against the limits: the reasons are shown to its owner. */
export function checkProbe(
  probe: string,
  limits: Pick<VideoLimits, 'maxSeconds' | 'maxPixels'>,
): ProbedVideo {
  const { format, streams = [] } = JSON.parse(probe) as {
    format?: { format_name?: string; duration?: string };
    streams?: ProbeStream[];
  };
  if (!containers.includes(format?.format_name ?? '')) {
    throw refuse(`Not a video: an MP4, QuickTime or WebM file is expected (this is ${format?.format_name})`);
  }
  // Cover art is a video stream too, but a single picture: a song with its album cover is no video.
  const video = streams.find((stream) => stream.codec_type === 'video' && !stream.disposition?.attached_pic);
  if (!video) throw refuse('The file has no pictures (sound only?): a video is expected');
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (!width || !height) throw refuse('Not a readable video: its picture size is unknown');
  if (width * height > limits.maxPixels) {
    throw refuse(
      `The video is ${width}×${height}; at most ${(limits.maxPixels / 1e6).toFixed(1)} megapixels are accepted (4K)`,
    );
  }
  const durationSeconds = Number(format?.duration);
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) {
    throw refuse('Not a readable video: its duration is unknown');
  }
  if (durationSeconds > limits.maxSeconds) {
    throw refuse(
      `The video is ${Math.round(durationSeconds)} s long; at most ${limits.maxSeconds} s are accepted`,
    );
  }
  const rotation = video.side_data_list?.find((side) => side.rotation !== undefined)?.rotation ?? 0;
  const upright = Math.abs(rotation) % 180 === 90 ? { width: height, height: width } : { width, height };
  return { ...upright, durationSeconds };
}

const even = (value: number) => Math.max(2, 2 * Math.round(value / 2));

/**
 * The renditions' sizes: each short side at most the clip's own (never upscaled), a smaller
 * clip's own size once, largest first.
 */
export function renditionSizes(
  upright: { width: number; height: number },
  shortSides: number[],
): { name: string; width: number; height: number }[] {
  const short = Math.min(upright.width, upright.height);
  const sides = [...new Set(shortSides.map((side) => even(Math.min(side, short))))].sort((a, b) => b - a);
  return sides.map((side) => {
    const long = even((Math.max(upright.width, upright.height) * side) / short);
    const [width, height] = upright.width <= upright.height ? [side, long] : [long, side];
    return { name: `${side}p.mp4`, width, height };
  });
}

/**
 * The one ffmpeg run: the clip decoded once (ffmpeg turns it upright, and drops the rotation, as
 * it decodes), split into each rendition and the poster. No tags, chapters, data tracks or
 * encoder names go out; the first second's frame (or the middle of a shorter clip) is the poster.
 */
export function encodeArguments(
  input: string,
  folder: string,
  renditions: { name: string; width: number; height: number }[],
  probed: ProbedVideo,
  threads: number,
): string[] {
  const posterAt = Math.min(1, probed.durationSeconds / 2).toFixed(3);
  const branches = renditions.map(
    (size, index) => `[s${index}]scale=${size.width}:${size.height},setsar=1[v${index}]`,
  );
  const graph = [
    `[0:V:0]split=${renditions.length + 1}${renditions.map((_, index) => `[s${index}]`).join('')}[sp]`,
    ...branches,
    `[sp]select='gte(t\\,${posterAt})',setsar=1[poster]`,
  ].join(';');
  const clean = ['-map_metadata', '-1', '-map_chapters', '-1', '-fflags', '+bitexact'];
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-xerror'],
    ...['-protocol_whitelist', protocols, '-threads', String(threads), '-i', input],
    ...['-filter_threads', String(threads), '-filter_complex', graph],
    ...renditions.flatMap((size, index) => [
      ...['-map', `[v${index}]`, '-map', '0:a:0?', ...clean],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'],
      // High profile plays on every phone of the last ten years; 30 frames a second are plenty for a feed.
      ...['-profile:v', 'high', '-fpsmax', '30', '-threads', String(threads)],
      ...['-c:a', 'aac', '-b:a', size.height >= 720 || size.width >= 720 ? '128k' : '96k', '-ac', '2'],
      ...['-movflags', '+faststart', '-f', 'mp4', '-y', join(folder, size.name)],
    ]),
    ...['-map', '[poster]', '-frames:v', '1', '-q:v', '2', ...clean, '-y', join(folder, 'poster.jpg')],
  ];
}

/** The clip's first frame as the poster: for a clip whose frames all come before the poster's time. */
export const firstFrameArguments = (input: string, folder: string): string[] => [
  ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-protocol_whitelist', protocols, '-i', input],
  ...[
    '-map',
    '0:V:0',
    '-frames:v',
    '1',
    '-q:v',
    '2',
    '-map_metadata',
    '-1',
    '-y',
    join(folder, 'poster.jpg'),
  ],
];

async function readPoster(folder: string, firstFrame: () => Promise<unknown>): Promise<Buffer> {
  const file = join(folder, 'poster.jpg');
  const read = () => readFile(file).catch(() => undefined);
  const poster = (await read()) ?? (await firstFrame().then(read));
  if (!poster) throw refuse('Not a readable video: no frame could be decoded');
  return poster;
}

/**
 * What ffprobe and ffmpeg read: a local file's bytes in place, through ffmpeg's `subfile`
 * protocol (the object store's file ends with a trailer), or a stream's bytes copied to the
 * job's folder. The copy cost about 0.3 s of CPU for a 77 MB clip.
 */
async function inputOf(original: Readable | LocalFile, folder: string): Promise<string> {
  if ('path' in original) {
    if (original.length === 0) throw refuse('The file is empty');
    return `subfile,,start,0,end,${original.length},,:${original.path}`;
  }
  const input = join(folder, 'original');
  await pipeline(original, createWriteStream(input));
  if ((await stat(input)).size === 0) throw refuse('The file is empty');
  return input;
}

export function ffmpegVideoProcessor(options: { ffmpeg?: string; ffprobe?: string } = {}): VideoProcessor {
  const ffmpeg = options.ffmpeg ?? 'ffmpeg';
  const ffprobe = options.ffprobe ?? 'ffprobe';
  return {
    async process<T>(
      original: Readable | LocalFile,
      limits: VideoLimits,
      use: (video: ProcessedVideo) => Promise<T>,
    ): Promise<T> {
      const folder = await mkdtemp(join(tmpdir(), 'plaza-video-'));
      try {
        const input = await inputOf(original, folder);
        const probed = checkProbe(await run(ffprobe, probeArguments(input), limits.timeoutSeconds), limits);
        const sizes = renditionSizes(probed, limits.renditions);
        await run(
          ffmpeg,
          encodeArguments(input, folder, sizes, probed, limits.threads),
          limits.timeoutSeconds,
        );
        const renditions: VideoRenditionFile[] = await Promise.all(
          sizes.map(async (size) => {
            const path = join(folder, size.name);
            return {
              ...size,
              contentType: 'video/mp4',
              size: (await stat(path)).size,
              body: () => createReadStream(path),
            };
          }),
        );
        const poster = await readPoster(folder, () =>
          // A clip with no frame that late (a slideshow, a frame every few seconds): its first.
          run(ffmpeg, firstFrameArguments(input, folder), limits.timeoutSeconds),
        );
        return await use({ ...probed, renditions, poster });
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  };
}
