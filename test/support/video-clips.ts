/** Real clips made by ffmpeg for tests and benchmarks, and what ffprobe says of a result. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClipOptions {
  /** Stored size, `WxH`. */
  size?: string;
  seconds: number;
  /** Frames a second, as ffmpeg takes it (`30`, `1/60`). */
  rate?: string;
  /** The display rotation a phone writes for a portrait clip shot with the sensor sideways. */
  rotate?: number;
  /** Where and when it was shot, and a title: what must never reach anyone else. */
  tags?: boolean;
  codec?: 'libx264' | 'libx265' | 'libvpx';
  audioOnly?: boolean;
  /** No sound track (hours of sound take a while to encode). */
  silent?: boolean;
  /** The index first, as a streaming upload's would be. */
  faststart?: boolean;
}

const ffmpeg = (args: string[]) =>
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);

/** Writes the clip as `folder/name` (the extension picks the container) and returns its bytes. */
export function makeClip(folder: string, name: string, options: ClipOptions): Buffer {
  const file = join(folder, name);
  const duration = String(options.seconds);
  const sound = ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${duration}`];
  if (options.audioOnly) {
    ffmpeg([...sound, '-c:a', 'aac', file]);
    return readFileSync(file);
  }
  const codec = options.codec ?? 'libx264';
  const plain = join(folder, `plain-${name}`);
  const pictures = `testsrc2=duration=${duration}:size=${options.size ?? '640x360'}:rate=${options.rate ?? '30'}`;
  ffmpeg([
    ...['-f', 'lavfi', '-i', pictures, ...(options.silent ? [] : [...sound, '-shortest'])],
    ...['-c:v', codec, '-pix_fmt', 'yuv420p'],
    ...(codec === 'libvpx' ? ['-c:a', 'libopus'] : ['-preset', 'ultrafast', '-c:a', 'aac']),
    ...(codec === 'libx265' ? ['-tag:v', 'hvc1', '-x265-params', 'log-level=error'] : []),
    plain,
  ]);
  // Tags (and ffmpeg 5's rotation) are written when copying, as a phone's muxer writes them.
  ffmpeg([
    ...['-i', plain, '-c', 'copy'],
    ...(options.tags
      ? [
          ...['-metadata', 'location=+48.8584+002.2945/', '-metadata', 'title=secret'],
          ...['-metadata', 'creation_time=2024-06-01T12:00:00Z', '-metadata:s:v:0', 'title=stream secret'],
        ]
      : []),
    ...(options.rotate !== undefined ? ['-metadata:s:v:0', `rotate=${options.rotate}`] : []),
    ...(options.faststart ? ['-movflags', '+faststart'] : []),
    file,
  ]);
  return readFileSync(file);
}

export interface ClipProbe {
  video: string | undefined;
  audio: string | undefined;
  width: number;
  height: number;
  rotation: number;
  durationSeconds: number;
  /** Every tag of the file and its streams, as `key=value` lines. */
  tags: string;
  /** Whether the index (moov) comes before the media data, so playback starts before the download ends. */
  faststart: boolean;
}

export function probeFile(file: string): ClipProbe {
  const json = JSON.parse(
    execFileSync(
      'ffprobe',
      [
        ...[
          '-v',
          'error',
          '-show_entries',
          'format=duration:format_tags:stream=codec_type,codec_name,width,height',
        ],
        ...['-show_entries', 'stream_tags:stream_side_data=rotation', '-of', 'json', file],
      ],
      { encoding: 'utf8' },
    ),
  ) as {
    format: { duration?: string; tags?: Record<string, string> };
    streams: {
      codec_type: string;
      codec_name: string;
      width?: number;
      height?: number;
      tags?: Record<string, string>;
      side_data_list?: { rotation?: number }[];
    }[];
  };
  const video = json.streams.find((stream) => stream.codec_type === 'video');
  const audio = json.streams.find((stream) => stream.codec_type === 'audio');
  const tags = [json.format.tags, ...json.streams.map((stream) => stream.tags)]
    .flatMap((set) => Object.entries(set ?? {}).map(([key, value]) => `${key}=${value}`))
    .join('\n');
  const bytes = readFileSync(file);
  return {
    video: video?.codec_name,
    audio: audio?.codec_name,
    width: video?.width ?? 0,
    height: video?.height ?? 0,
    rotation: video?.side_data_list?.find((side) => side.rotation !== undefined)?.rotation ?? 0,
    durationSeconds: Number(json.format.duration),
    tags,
    faststart: bytes.indexOf('moov') >= 0 && bytes.indexOf('moov') < bytes.indexOf('mdat'),
  };
}
