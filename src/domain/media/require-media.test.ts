import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rejectionMessage } from '../../../test/support/fails-with.ts';
import { openSqliteStore } from '../../../test/support/sqlite-store.ts';
import { mediaKey, type Media } from './model.ts';
import { requireOwnMedia } from './require-media.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-require-media-'));
const { db, store } = openSqliteStore(join(dir, 'main.db'));
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const ada = 'ada-0001';
let next = 0;
/** A reserved upload of ada's post photos, in the state given. */
async function upload(state: { uploaded: boolean; status?: string; failure?: string }): Promise<string> {
  const key = `users/${ada}/posts/01KDHZ8Q00000000000000${String(next++).padStart(4, '0')}/original.jpg`;
  await store.put({
    item: {
      ...mediaKey(key),
      key,
      ownerId: ada,
      purpose: 'POST',
      contentType: 'image/jpeg',
      contentLength: 1234,
      status: state.status ?? 'PENDING',
      uploaded: state.uploaded,
      ...(state.failure ? { failure: state.failure } : {}),
      createdAt: '2026-12-07T08:00:00.000Z',
    },
  });
  return key;
}

const refusal = (keys: unknown[], check: Parameters<typeof requireOwnMedia>[3] = { store }) =>
  rejectionMessage(requireOwnMedia(keys, ada, 'POST', check), 'BadInput');

describe('requireOwnMedia', () => {
  it("gives the owner's received uploads, in the order asked for", async () => {
    const [first, second] = [
      await upload({ uploaded: true }),
      await upload({ uploaded: true, status: 'READY' }),
    ];
    const media = await requireOwnMedia([second, first], ada, 'POST', { store });
    expect(media.map((item) => [item.key, item.uploaded, item.status])).toEqual([
      [second, true, 'READY'],
      [first, true, 'PENDING'],
    ]);
  });

  it("refuses someone else's keys, keys for another purpose, anything not a key, and a key twice", async () => {
    const mine = await upload({ uploaded: true });
    expect(await refusal([mine.replace(ada, 'bob-0002')])).toMatch(/is not one of your post uploads/);
    expect(await refusal([`users/${ada}/profile/avatar.jpg`])).toMatch(/is not one of your post uploads/);
    expect(await refusal([42])).toMatch(/42 is not one of your/);
    expect(await refusal([mine, mine])).toBe('The same media is given twice');
  });

  it('refuses a reservation that never received its bytes, or whose processing failed', async () => {
    const unknown = `users/${ada}/posts/01KDHZ8Q0000000000000ZZZZZ/original.jpg`;
    expect(await refusal([unknown])).toBe(`${unknown} has not been uploaded`);
    const waiting = await upload({ uploaded: false });
    expect(await refusal([waiting])).toBe(`${waiting} has not been uploaded`);
    const broken = await upload({ uploaded: true, status: 'FAILED', failure: 'not an image' });
    expect(await refusal([broken])).toBe(`${broken} could not be processed: not an image`);
  });

  it('asks confirmUpload about a reservation not yet received, and takes its answer', async () => {
    const waiting = await upload({ uploaded: false });
    const asked: string[] = [];
    const confirmUpload = async (media: Media) => {
      asked.push(media.key);
      return { ...media, uploaded: true };
    };
    const [media] = await requireOwnMedia([waiting], ada, 'POST', { store, confirmUpload });
    expect(asked).toEqual([waiting]);
    expect(media?.uploaded).toBe(true);
    expect(await refusal([waiting], { store, confirmUpload: async () => undefined })).toBe(
      `${waiting} has not been uploaded`,
    );
  });
});
