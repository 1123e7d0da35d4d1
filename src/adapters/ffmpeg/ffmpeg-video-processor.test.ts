import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { isPlazaError } from '../../platform/errors.ts';
import type { VideoLimits } from '../../ports/video-processor.ts';
import { ffmpegVideoProcessor, renditionSizes } from './ffmpeg-video-processor.ts';
import { makeClip, probeFile } from '../../../test/support/video-clips.ts';

const folder = mkdtempSync(join(tmpdir(), 'plaza-ffmpeg-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const limits: VideoLimits = {
  maxSeconds: 60,
  maxPixels: 4096 * 4096,
  timeoutSeconds: 60,
  threads: 2,
  renditions: [720, 360],
};

async function process(bytes: Buffer, processor = ffmpegVideoProcessor(), given: Partial<VideoLimits> = {}) {
  return processor.process(Readable.from([bytes]), { ...limits, ...given }, async (video) => ({
    ...video,
    renditions: await Promise.all(
      video.renditions.map(async (rendition) => {
        const chunks: Buffer[] = [];
        for await (const chunk of rendition.body()) chunks.push(chunk as Buffer);
        const file = join(folder, `out-${Math.random().toString(36).slice(2)}-${rendition.name}`);
        writeFileSync(file, Buffer.concat(chunks));
        return { ...rendition, bytes: Buffer.concat(chunks).length, probe: probeFile(file) };
      }),
    ),
  }));
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (isPlazaError(error, 'UnsupportedMediaType') ? error.message : error),
  );

const leftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith('plaza-video-')).length;

describe('ffmpegVideoProcessor', () => {
  it('turns a 1080p portrait phone clip upright into 720p and 360p H.264/AAC without its metadata', async () => {
    const original = makeClip(folder, 'phone.mp4', {
      size: '1920x1080',
      seconds: 1.5,
      rotate: 90,
      tags: true,
    });
    const shot = probeFile(join(folder, 'phone.mp4'));
    expect(shot.rotation).toBe(90);
    expect(shot.tags).toMatch(/location=\+48\.8584[^]*creation_time=2024/);
    const video = await process(original);
    expect([video.width, video.height]).toEqual([1080, 1920]);
    expect(video.durationSeconds).toBeCloseTo(1.5, 1);
    expect(video.renditions.map(({ name, width, height }) => ({ name, width, height }))).toEqual([
      { name: '720p.mp4', width: 720, height: 1280 },
      { name: '360p.mp4', width: 360, height: 640 },
    ]);
    for (const rendition of video.renditions) {
      expect(rendition.size).toBe(rendition.bytes);
      expect(rendition.probe).toMatchObject({
        video: 'h264',
        audio: 'aac',
        width: rendition.width,
        height: rendition.height,
        rotation: 0,
        faststart: true,
      });
      expect(rendition.probe.tags).not.toMatch(/location|creation_time|48\.8584|secret/);
    }
    const poster = await sharp(video.poster).metadata();
    expect([poster.format, poster.width, poster.height, poster.exif]).toEqual([
      'jpeg',
      1080,
      1920,
      undefined,
    ]);
  });

  it('re-encodes an HEVC QuickTime clip to H.264, and never upscales a small one', async () => {
    const original = makeClip(folder, 'hevc.mov', { size: '640x480', seconds: 1, codec: 'libx265' });
    expect(probeFile(join(folder, 'hevc.mov')).video).toBe('hevc');
    const video = await process(original);
    expect(
      video.renditions.map(({ name, width, height, probe }) => [name, width, height, probe.video]),
    ).toEqual([
      ['480p.mp4', 640, 480, 'h264'],
      ['360p.mp4', 480, 360, 'h264'],
    ]);
    // One frame every two seconds: none at the poster's time, so the first frame is the poster.
    const sparse = await process(
      makeClip(folder, 'sparse.mp4', { size: '320x240', seconds: 2, rate: '1/2' }),
    );
    expect([sparse.renditions.length, (await sharp(sparse.poster).metadata()).width]).toEqual([1, 320]);
    const tiny = await process(
      makeClip(folder, 'tiny.webm', { size: '320x240', seconds: 1, codec: 'libvpx' }),
    );
    expect(tiny.renditions.map(({ name, width, height }) => [name, width, height])).toEqual([
      ['240p.mp4', 320, 240],
    ]);
  });

  it('reads a clip in place from a local file, up to its length (the object store appends a trailer)', async () => {
    const original = makeClip(folder, 'in-place.mp4', { size: '640x360', seconds: 1 });
    const path = join(folder, 'in-place.object');
    // MP4 keeps its index last: bytes after it would be read as a broken box without the limit.
    writeFileSync(
      path,
      Buffer.concat([original, Buffer.from('{"contentType":"video/mp4"}\u0000\u0000\u0000\u001bPLZO')]),
    );
    const video = await ffmpegVideoProcessor().process(
      { path, length: original.length },
      limits,
      async (made) => ({
        renditions: made.renditions.map(({ name, width, height }) => [name, width, height]),
        seconds: made.durationSeconds,
      }),
    );
    expect(video).toEqual({ renditions: [['360p.mp4', 640, 360]], seconds: expect.closeTo(1, 1) });
    const empty = ffmpegVideoProcessor().process({ path, length: 0 }, limits, async () => 'used');
    expect(await refusal(empty)).toBe('The file is empty');
  });

  it('refuses sound only, cut-short files, text, empty files, 8K and hours, each with its reason', async () => {
    const before = leftovers();
    const song = makeClip(folder, 'song.m4a', { seconds: 1, audioOnly: true });
    expect(await refusal(process(song))).toMatch(/no pictures \(sound only\?\)/);
    const clip = makeClip(folder, 'whole.mp4', { size: '640x360', seconds: 2 });
    expect(await refusal(process(clip.subarray(0, clip.length / 2)))).toMatch(
      /Not a readable video.*cut short/,
    );
    const streamable = makeClip(folder, 'streamable.mp4', { size: '640x360', seconds: 2, faststart: true });
    expect(await refusal(process(streamable.subarray(0, Math.round(streamable.length * 0.6))))).toMatch(
      /Not a readable video/,
    );
    expect(await refusal(process(Buffer.from('just some words, renamed to clip.mp4\n')))).toMatch(
      /Not a readable video/,
    );
    expect(await refusal(process(Buffer.alloc(0)))).toBe('The file is empty');
    const huge = makeClip(folder, '8k.mp4', { size: '7680x4320', seconds: 1, rate: '1', silent: true });
    expect(await refusal(process(huge))).toMatch(/7680×4320; at most 16\.8 megapixels/);
    const long = makeClip(folder, 'long.mp4', {
      size: '16x16',
      seconds: 4 * 3600,
      rate: '1/60',
      silent: true,
    });
    expect(await refusal(process(long))).toBe('The video is 14400 s long; at most 60 s are accepted');
    expect(leftovers()).toBe(before);
  });

  it('stops a run over its time limit, and says when ffmpeg is missing', async () => {
    const slow = join(folder, 'slow-ffprobe');
    writeFileSync(slow, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(slow, 0o755);
    const started = Date.now();
    const message = await refusal(
      process(readFileSync(join(folder, 'phone.mp4')), ffmpegVideoProcessor({ ffprobe: slow }), {
        timeoutSeconds: 0.3,
      }),
    );
    expect(message).toMatch(/longer than 0.3 s/);
    expect(Date.now() - started).toBeLessThan(5000);
    const missing = await process(
      readFileSync(join(folder, 'phone.mp4')),
      ffmpegVideoProcessor({ ffprobe: join(folder, 'none') }),
    ).catch((caught: unknown) => caught);
    expect(isPlazaError(missing, 'ConfigurationError')).toBe(true);
  });

  it('starts the encoder beside the probe, but hands it the clip only once the probe passed it', async () => {
    // ffmpeg as itself, noting each start and each filter graph it is given.
    const log = join(folder, 'encoder.log');
    const noting = join(folder, 'noting-ffmpeg');
    writeFileSync(
      noting,
      `#!/bin/sh\necho started >> ${log}\ngraph=$(cat)\necho "graph $graph" >> ${log}\n` +
        `printf '%s' "$graph" | exec ffmpeg "$@"\n`,
    );
    chmodSync(noting, 0o755);
    const processor = ffmpegVideoProcessor({ ffmpeg: noting });
    const runs = () => readFileSync(log, 'utf8').trim().split('\n');

    const hd = await process(makeClip(folder, 'hd.mp4', { size: '1280x720', seconds: 1 }), processor);
    expect(hd.renditions.map(({ name }) => name)).toEqual(['720p.mp4', '360p.mp4']);
    expect(runs()).toEqual(['started', expect.stringMatching(/^graph .*scale=1280:720.*scale=640:360/)]);

    // Too small for 720p: the early encoder (for 720p and 360p files) gives way to one for 360p.
    writeFileSync(log, '');
    const small = await process(makeClip(folder, 'small.mp4', { size: '640x360', seconds: 1 }), processor);
    expect(small.renditions.map(({ name }) => name)).toEqual(['360p.mp4']);
    expect(runs()).toEqual(['started', 'started', expect.stringMatching(/^graph .*scale=640:360/)]);

    // Refused by the probe: the encoder started beside it is stopped before it reads a frame.
    writeFileSync(log, '');
    const song = makeClip(folder, 'song-again.m4a', { seconds: 1, audioOnly: true });
    expect(await refusal(process(song, processor))).toMatch(/no pictures/);
    expect(runs()).toEqual(['started']);
  });

  it('retries a clip whose URL fails (the store down, the URL refused), and refuses one that is cut short', async () => {
    const original = makeClip(folder, 'served.mp4', { size: '640x360', seconds: 2 });
    const server = createServer((request, response) => {
      if (request.url === '/refused.mp4') return void response.writeHead(403).end();
      const bytes = original.subarray(0, original.length / 2);
      response.writeHead(200, { 'Content-Length': bytes.length }).end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const read = (url: string) =>
      ffmpegVideoProcessor().process({ url, length: original.length }, limits, async () => 'used');
    try {
      for (const url of [`${base}/refused.mp4`, 'http://127.0.0.1:1/closed.mp4']) {
        const failure = await read(url).catch((error: unknown) => error);
        expect([failure instanceof Error, isPlazaError(failure)]).toEqual([true, false]);
        expect((failure as Error).message).toMatch(/could not read the clip/);
      }
      expect(await refusal(read(`${base}/cut.mp4`))).toMatch(/Not a readable video/);
    } finally {
      server.close();
    }
  });

  it('sizes renditions by their short side, even, largest first', () => {
    expect(renditionSizes({ width: 3840, height: 2160 }, [720, 360])).toEqual([
      { name: '720p.mp4', width: 1280, height: 720 },
      { name: '360p.mp4', width: 640, height: 360 },
    ]);
    expect(renditionSizes({ width: 355, height: 201 }, [720, 360])).toEqual([
      { name: '202p.mp4', width: 356, height: 202 },
    ]);
  });
});
