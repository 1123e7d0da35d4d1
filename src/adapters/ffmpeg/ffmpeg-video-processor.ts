/**
 * Videos on ffmpeg (Debian's package `ffmpeg`): a remux, never a transcode, so it costs about
 * what copying the file costs and the pictures stay as shot. MP4 keeps its index at the end
 * unless written for streaming, and neither reading nor `+faststart` works on a pipe, so the
 * bytes pass through a temporary folder that goes with the job.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { PlazaError } from '../../platform/errors.ts';
import type { CleanVideo, VideoLimits, VideoProcessor } from '../../ports/video-processor.ts';

/** What ffmpeg said last is what went wrong; the rest of its chatter is not kept. */
const STDERR_BYTES = 2000;

function run(command: string, args: string[], timeoutSeconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_BYTES);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new PlazaError('UnsupportedMediaType', `The video took longer than ${timeoutSeconds} s to process`),
      );
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
      const said = stderr.trim().split('\n').pop() ?? '';
      reject(new PlazaError('UnsupportedMediaType', `Not a readable video: ${said || `exit code ${code}`}`));
    });
  });
}

/** The arguments of the remux: only the pictures and the sound, nothing about them. */
export function remuxArguments(input: string, output: string): string[] {
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    // The bytes were sniffed as MP4/QuickTime: read them as that and nothing else (no playlists,
    // no URLs; the mov demuxer's external references stay off by default).
    ...['-protocol_whitelist', 'file', '-f', 'mov', '-i', input],
    // Video that is not cover art (a JPEG with its own EXIF), and audio when there is some; data
    // tracks (timed location, timecodes) and subtitles stay behind.
    ...['-map', '0:V', '-map', '0:a?'],
    // Global and per-stream tags (©xyz, com.apple.quicktime.location.ISO6709, dates, device) and chapters.
    ...['-map_metadata', '-1', '-map_chapters', '-1'],
    // The display rotation is no metadata of that kind: it stays, so the video plays upright.
    ...['-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', '-y', output],
  ];
}

/** The first video stream's size as shown, from ffprobe's JSON. */
export function uprightSize(probe: string): { width: number; height: number } {
  const stream = (
    JSON.parse(probe) as {
      streams?: { width?: number; height?: number; side_data_list?: { rotation?: number }[] }[];
    }
  ).streams?.[0];
  const width = stream?.width ?? 0;
  const height = stream?.height ?? 0;
  if (!width || !height)
    throw new PlazaError('UnsupportedMediaType', 'Not a readable video: no picture size');
  const rotation = stream?.side_data_list?.find((side) => side.rotation !== undefined)?.rotation ?? 0;
  return Math.abs(rotation) % 180 === 90 ? { width: height, height: width } : { width, height };
}

export function ffmpegVideoProcessor(options: { ffmpeg?: string; ffprobe?: string } = {}): VideoProcessor {
  const ffmpeg = options.ffmpeg ?? 'ffmpeg';
  const ffprobe = options.ffprobe ?? 'ffprobe';
  return {
    async stripMetadata<T>(
      original: Readable,
      limits: VideoLimits,
      use: (video: CleanVideo) => Promise<T>,
    ): Promise<T> {
      const folder = await mkdtemp(join(tmpdir(), 'plaza-video-'));
      try {
        const input = join(folder, 'original');
        const output = join(folder, 'clean.mp4');
        await pipeline(original, createWriteStream(input));
        await run(ffmpeg, remuxArguments(input, output), limits.timeoutSeconds);
        const probe = await run(
          ffprobe,
          [
            ...['-v', 'error', '-select_streams', 'V:0'],
            ...['-show_entries', 'stream=width,height:stream_side_data=rotation', '-of', 'json', output],
          ],
          limits.timeoutSeconds,
        );
        const { size } = await stat(output);
        return await use({
          contentType: 'video/mp4',
          size,
          body: createReadStream(output),
          ...uprightSize(probe),
        });
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  };
}
