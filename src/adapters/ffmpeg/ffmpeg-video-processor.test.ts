import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { isPlazaError } from '../../platform/errors.ts';
import type { CleanVideo } from '../../ports/video-processor.ts';
import { ffmpegVideoProcessor, uprightSize } from './ffmpeg-video-processor.ts';

const folder = mkdtempSync(join(tmpdir(), 'plaza-ffmpeg-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A one-second video as a phone leaves it: where it was shot, a title, maybe a display rotation. */
function phoneVideo(name: string, extra: string[] = []): Buffer {
  const plain = join(folder, `plain-${name}`);
  const file = join(folder, name);
  const ffmpeg = (args: string[]) =>
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x32:rate=10'],
    ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', plain],
  ]);
  // Tags (and ffmpeg 5's rotation) are written when copying, as a phone's muxer writes them.
  ffmpeg([
    ...['-i', plain, '-c', 'copy'],
    ...['-metadata', 'location=+48.8584+002.2945/', '-metadata', 'title=secret'],
    ...['-metadata:s:v:0', 'title=stream secret', ...extra, file],
  ]);
  return readFileSync(file);
}

async function strip(bytes: Buffer, processor = ffmpegVideoProcessor(), timeoutSeconds = 20) {
  return processor.stripMetadata(Readable.from([bytes]), { timeoutSeconds }, async (video: CleanVideo) => {
    const chunks: Buffer[] = [];
    for await (const chunk of video.body) chunks.push(chunk as Buffer);
    return { ...video, bytes: Buffer.concat(chunks) };
  });
}

function probe(bytes: Buffer): string {
  const file = join(folder, `probe-${bytes.length}.mp4`);
  writeFileSync(file, bytes);
  return execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', file], {
    encoding: 'utf8',
  });
}

describe('ffmpegVideoProcessor', () => {
  it('keeps the pictures and drops where, when and what', async () => {
    const original = phoneVideo('phone.mp4');
    expect(probe(original)).toMatch(/TAG:location=\+48\.8584/);
    const clean = await strip(original);
    expect(clean).toMatchObject({ contentType: 'video/mp4', width: 64, height: 32 });
    expect(clean.size).toBe(clean.bytes.length);
    const shown = probe(clean.bytes);
    expect(shown).not.toMatch(/TAG:location|48\.8584|secret|creation_time/);
    expect(shown).toMatch(/codec_name=h264/);
  });

  it('keeps the display rotation, and reports the size upright', async () => {
    const rotated = phoneVideo('rotated.mp4', ['-metadata:s:v:0', 'rotate=90']);
    const clean = await strip(rotated);
    expect([clean.width, clean.height]).toEqual([32, 64]);
    expect(
      uprightSize('{"streams":[{"width":64,"height":32,"side_data_list":[{"rotation":-270}]}]}'),
    ).toEqual({
      width: 32,
      height: 64,
    });
  });

  it('refuses what is not a video, and leaves no files behind', async () => {
    const before = execFileSync('ls', [tmpdir()], { encoding: 'utf8' }).match(/plaza-video-/g)?.length ?? 0;
    const error = await strip(Buffer.from('not a video at all')).catch((caught: unknown) => caught);
    expect(isPlazaError(error, 'UnsupportedMediaType')).toBe(true);
    expect((error as Error).message).toMatch(/Not a readable video/);
    const after = execFileSync('ls', [tmpdir()], { encoding: 'utf8' }).match(/plaza-video-/g)?.length ?? 0;
    expect(after).toBe(before);
  });

  it('stops a run over its time limit, and says when ffmpeg is missing', async () => {
    const slow = join(folder, 'slow-ffmpeg');
    writeFileSync(slow, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(slow, 0o755);
    const started = Date.now();
    const error = await strip(Buffer.from('x'), ffmpegVideoProcessor({ ffmpeg: slow }), 0.3).catch(
      (caught: unknown) => caught,
    );
    expect(isPlazaError(error, 'UnsupportedMediaType')).toBe(true);
    expect((error as Error).message).toMatch(/longer than 0.3 s/);
    expect(Date.now() - started).toBeLessThan(5000);

    const missing = await strip(
      Buffer.from('x'),
      ffmpegVideoProcessor({ ffmpeg: join(folder, 'none') }),
    ).catch((caught: unknown) => caught);
    expect(isPlazaError(missing, 'ConfigurationError')).toBe(true);
  });
});
