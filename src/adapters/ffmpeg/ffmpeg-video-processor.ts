/**
 * Videos on ffmpeg and ffprobe (Debian's package `ffmpeg`). The clip is probed first, so a
 * 4-hour or 8K file is refused before a frame is decoded; then one ffmpeg run decodes it once
 * and encodes every rendition and the poster frame from that one decode. MP4 keeps its index at
 * the end unless written for streaming, and neither reading nor `+faststart` works on a pipe, so
 * the bytes pass through a temporary folder that goes with the job.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { PlazaError } from '../../platform/errors.ts';
import type {
  ProcessedVideo,
  VideoLimits,
  VideoProcessor,
  VideoRenditionFile,
  VideoInput,
} from '../../ports/video-processor.ts';

/** What ffmpeg said last is what went wrong; the rest of its chatter is not kept. */
const STDERR_BYTES = 2000;
/**
 * Encoders run at the lowest priority: image jobs and requests share the cores with them, and a
 * clip may well take a few seconds longer, where a photo or a sign-in may not. Alone on the
 * machine a clip takes as long at any niceness; beside photo jobs, at 10 (a tenth of the CPU a
 * busy core gives the server) photos lost 18-22 % of their throughput, at 19 about 14 %.
 */
const NICENESS = 19;
/** Containers Plaza accepts: MP4/QuickTime and WebM (Matroska), as ffprobe names them. */
const containers = ['mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm'];

function refuse(reason: string): PlazaError {
  return new PlazaError('UnsupportedMediaType', reason);
}

/** The object store's URL failing (down, refusing, expired): not the clip's fault, so the job is retried. */
const unreachable =
  /Server returned [45]\d\d|Connection refused|Connection reset|Connection timed out|Failed to resolve|certificate|Input\/output error/i;

interface Started {
  /** ffmpeg's stdout once it exits with 0; a refusal (with what it said last) otherwise. */
  done: Promise<string>;
  /** Hands the program its standard input, then closes it; its time limit runs from here. */
  write(text: string): void;
  /** Kills the run if it is still going and waits for it to end; never throws. */
  cancel(): Promise<void>;
}

function start(command: string, args: string[], timeoutSeconds: number): Started {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, NICENESS);
    } catch {
      // Already gone, or a system that refuses: the run goes ahead at normal priority.
    }
  }
  // A run that ends before it reads its input (killed, or refusing its arguments) says why on its exit.
  child.stdin.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  let timedOut: (error: PlazaError) => void = () => undefined;
  const done = new Promise<string>((resolve, reject) => {
    timedOut = reject;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_BYTES);
    });
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
      if (unreachable.test(stderr)) {
        reject(new Error(`${command} could not read the clip: ${said}`));
        return;
      }
      reject(
        refuse(`Not a readable video (cut short, or not a video at all): ${said || `exit code ${code}`}`),
      );
    });
  });
  // Awaited later, or never when cancelled: its failure must not count as unhandled meanwhile.
  done.catch(() => undefined);
  return {
    done,
    write(text) {
      // An encoder started early waits for its graph: that wait is not ffmpeg's work.
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        timedOut(refuse(`The video took longer than ${timeoutSeconds} s to process`));
      }, timeoutSeconds * 1000);
      child.stdin.end(text);
    },
    async cancel() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await done.catch(() => undefined);
    },
  };
}

/** A run that reads nothing from its standard input. */
function run(command: string, args: string[], timeoutSeconds: number): Promise<string> {
  const started = start(command, args, timeoutSeconds);
  started.write('');
  return started.done;
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

/** Where the system keeps its certificate authorities (Debian, Amazon Linux, Alpine). */
const caBundle = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
].find((path) => existsSync(path));

/**
 * What ffmpeg may open for the one input it is given: local files (read whole or, `subfile`, a
 * byte range in place), or the object store's own presigned URL over HTTP(S), its certificate
 * checked. Never a URL a clip could name: only the MP4/QuickTime and Matroska demuxers run (no
 * playlists), and they open nothing further (QuickTime's external references stay off).
 */
export function inputOptions(input: string): string[] {
  const protocols = input.startsWith('https://')
    ? ['https,tls,tcp', '-tls_verify', '1', ...(caBundle ? ['-ca_file', caBundle] : [])]
    : input.startsWith('http://')
      ? ['http,tcp']
      : ['file,subfile'];
  return ['-format_whitelist', 'mov,matroska', '-protocol_whitelist', ...protocols];
}

export const probeArguments = (input: string): string[] => [
  ...['-v', 'error', ...inputOptions(input)],
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
 * The one ffmpeg run's filter graph: the clip decoded once (ffmpeg turns it upright, and drops
 * the rotation, as it decodes), split into each rendition and the poster, the first second's
 * frame (or the middle of a shorter clip).
 */
export function filterGraph(
  renditions: { width: number; height: number }[],
  probed: Pick<ProbedVideo, 'durationSeconds'>,
): string {
  const posterAt = Math.min(1, probed.durationSeconds / 2).toFixed(3);
  const branches = renditions.map(
    (size, index) => `[s${index}]scale=${size.width}:${size.height},setsar=1[v${index}]`,
  );
  return [
    `[0:V:0]split=${renditions.length + 1}${renditions.map((_, index) => `[s${index}]`).join('')}[sp]`,
    ...branches,
    `[sp]select='gte(t\\,${posterAt})',setsar=1[poster]`,
  ].join(';');
}

/**
 * The one ffmpeg run's command line, which names only the renditions' files: the filter graph
 * (their sizes, the poster's time) comes on its standard input, which ffmpeg reads before it
 * opens the clip. So it can start beside the probe, and the clip is opened (and its frames
 * decoded) only once the probe has passed it. No tags, chapters, data tracks or encoder names
 * go out.
 */
export function encodeArguments(input: string, folder: string, names: string[], threads: number): string[] {
  const clean = ['-map_metadata', '-1', '-map_chapters', '-1', '-fflags', '+bitexact'];
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-xerror'],
    ...['-filter_complex_script', 'pipe:0', '-filter_complex_threads', String(threads)],
    ...[...inputOptions(input), '-threads', String(threads), '-i', input],
    ...names.flatMap((name, index) => [
      ...['-map', `[v${index}]`, '-map', '0:a:0?', ...clean],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'],
      // High profile plays on every phone of the last ten years; 30 frames a second are plenty for a feed.
      ...['-profile:v', 'high', '-fpsmax', '30', '-threads', String(threads)],
      ...['-c:a', 'aac', '-b:a', parseInt(name, 10) >= 720 ? '128k' : '96k', '-ac', '2'],
      ...['-movflags', '+faststart', '-f', 'mp4', '-y', join(folder, name)],
    ]),
    ...['-map', '[poster]', '-frames:v', '1', '-q:v', '2', ...clean, '-y', join(folder, 'poster.jpg')],
  ];
}

/** The clip's first frame as the poster: for a clip whose frames all come before the poster's time. */
export const firstFrameArguments = (input: string, folder: string): string[] => [
  ...['-hide_banner', '-nostdin', '-loglevel', 'error', ...inputOptions(input), '-i', input],
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
 * protocol (the object store's file ends with a trailer); an S3 object at its presigned URL,
 * read as it is decoded; or a stream's bytes copied to the job's folder (`copyInput`: about
 * 0.3 s of CPU for a 77 MB clip, and the probe waits for the whole copy).
 */
function inputOf(original: VideoInput, folder: string): string {
  // A stream may well have a `path` (a file's) or a `url` (an HTTP response's) of its own.
  if (original instanceof Readable) return join(folder, 'original');
  return 'path' in original ? `subfile,,start,0,end,${original.length},,:${original.path}` : original.url;
}

/** An HTTPS URL whose certificate ffmpeg has nothing to check against: Node (which has its own) reads it. */
async function readable(original: VideoInput): Promise<VideoInput> {
  if (original instanceof Readable || !('url' in original)) return original;
  if (!original.url.startsWith('https://') || caBundle) return original;
  const response = await fetch(original.url);
  if (!response.ok || !response.body) throw new Error(`Reading the clip failed: HTTP ${response.status}`);
  return Readable.fromWeb(response.body as WebReadableStream);
}

async function copyInput(original: VideoInput, input: string): Promise<void> {
  if (!(original instanceof Readable)) {
    if (original.length === 0) throw refuse('The file is empty');
    return;
  }
  await pipeline(original, createWriteStream(input));
  if ((await stat(input)).size === 0) throw refuse('The file is empty');
}

export function ffmpegVideoProcessor(options: { ffmpeg?: string; ffprobe?: string } = {}): VideoProcessor {
  const ffmpeg = options.ffmpeg ?? 'ffmpeg';
  const ffprobe = options.ffprobe ?? 'ffprobe';
  return {
    async process<T>(
      original: VideoInput,
      limits: VideoLimits,
      use: (video: ProcessedVideo) => Promise<T>,
    ): Promise<T> {
      const folder = await mkdtemp(join(tmpdir(), 'plaza-video-'));
      const encoders: Started[] = [];
      const encoder = (input: string, names: string[]) => {
        const args = encodeArguments(input, folder, names, limits.threads);
        encoders.push(start(ffmpeg, args, limits.timeoutSeconds));
        return encoders[encoders.length - 1]!;
      };
      try {
        const source = await readable(original);
        const input = inputOf(source, folder);
        // ffmpeg takes about as long to start as ffprobe takes to answer, so it starts beside the
        // probe, for the renditions of a clip at least as large as the largest (a phone's):
        // it waits for its graph, and is started again for other names once the probe tells.
        const largest = Math.max(...limits.renditions);
        const likely = renditionSizes({ width: largest, height: largest }, limits.renditions);
        const early = encoder(
          input,
          likely.map((size) => size.name),
        );
        await copyInput(source, input);
        const probed = checkProbe(await run(ffprobe, probeArguments(input), limits.timeoutSeconds), limits);
        const sizes = renditionSizes(probed, limits.renditions);
        const names = sizes.map((size) => size.name);
        const encoding =
          names.join() === likely.map((size) => size.name).join()
            ? early
            : await early.cancel().then(() => encoder(input, names));
        encoding.write(filterGraph(sizes, probed));
        await encoding.done;
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
        // A refused clip's encoder never got its graph, so it never opened the clip.
        await Promise.all(encoders.map((started) => started.cancel()));
        await rm(folder, { recursive: true, force: true });
      }
    },
  };
}
