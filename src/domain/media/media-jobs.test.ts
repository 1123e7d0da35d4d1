import { describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.ts';
import { MediaJobs } from './media-jobs.ts';
import { isVideoKey } from './media-keys.ts';

describe('MediaJobs lanes', () => {
  it('runs clips in a lane of their own: photos start at once however many clips are waiting', async () => {
    const running = { clips: 0, photos: 0 };
    const peak = { clips: 0, photos: 0 };
    const finished: string[] = [];
    let releaseClips!: () => void;
    const clipsHeld = new Promise<void>((resolve) => (releaseClips = resolve));
    const jobs = new MediaJobs(
      async (key) => {
        const kind = isVideoKey(key) ? 'clips' : 'photos';
        running[kind]++;
        peak[kind] = Math.max(peak[kind], running[kind]);
        await (kind === 'clips' ? clipsHeld : new Promise((resolve) => setTimeout(resolve, 5)));
        running[kind]--;
        finished.push(key);
        return 'READY';
      },
      {
        concurrency: 2,
        attempts: 1,
        logger: createLogger({ level: 'silent' }),
        lanes: [{ concurrency: 1, matches: isVideoKey }],
      },
    );
    for (const n of [1, 2, 3]) jobs.enqueue(`stories/u/${n}/video.mp4`);
    for (const n of [1, 2, 3, 4]) jobs.enqueue(`users/u/posts/${n}/original.jpg`);
    // Every photo is done while the first clip still runs and the other two wait.
    while (finished.length < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(finished.every((key) => key.endsWith('.jpg'))).toBe(true);
    expect(running.clips).toBe(1);
    releaseClips();
    await jobs.idle();
    expect(finished).toHaveLength(7);
    expect(peak).toEqual({ clips: 1, photos: 2 });
    await jobs.close();
  });
});
