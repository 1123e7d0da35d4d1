/**
 * `plaza seed`: demo data through the same operations the API runs: users
 * with profiles (a few of them able to sign in), follows, posts (some with
 * photos through the real upload pipeline), likes and comments. Works beside a
 * running server (SQLite allows one writer at a time and both take turns).
 */
import { SingleBar, Presets } from 'cli-progress';
import sharp from 'sharp';
import { createApp, type App } from '../../app/app.ts';
import { processMedia } from '../../domain/media/process-media.ts';
import { receiveUpload } from '../../domain/media/receive-upload.ts';
import { createUploadUrl } from '../../domain/media/create-upload-url.ts';
import type { MediaServices } from '../../domain/media/model.ts';
import { createUser } from '../../domain/identity/sign-up.ts';
import { addComment } from '../../domain/social/add-comment.ts';
import { createPost } from '../../domain/social/create-post.ts';
import { createProfile } from '../../domain/social/create-profile.ts';
import { followUser } from '../../domain/social/follow-user.ts';
import { likePost } from '../../domain/social/like-post.ts';
import { updateProfile } from '../../domain/social/update-profile.ts';
import { loadConfig } from '../../platform/config.ts';
import { PlazaError } from '../../platform/errors.ts';
import { createLogger } from '../../platform/logger.ts';
import { Readable } from 'node:stream';

export interface SeedOptions {
  users: number;
  followsPerUser: number;
  postsPerUser: number;
  photos: number;
  /** How many of the users get a password (argon2id makes each one cost ~10 ms of CPU). */
  accounts: number;
  password: string;
  seed: number;
}

export interface SeedProgress {
  start(stage: string, total: number): void;
  tick(count?: number): void;
  stop(): void;
}

export interface SeedResult {
  users: number;
  follows: number;
  posts: number;
  photos: number;
  likes: number;
  comments: number;
  accounts: string[];
}

const adjectives = ['sunny', 'quiet', 'brave', 'lucky', 'swift', 'calm', 'bold', 'merry', 'wild', 'gentle'];
const nouns = ['otter', 'falcon', 'maple', 'harbor', 'comet', 'meadow', 'lantern', 'river', 'pixel', 'fern'];
const lines = [
  'Morning light over the harbor',
  'Finally tried that new bakery downtown',
  'Weekend hike, worth every step',
  'Coffee, code, repeat',
  'The city from the 20th floor',
  'First snow of the season',
  'Homemade pasta night',
  'Found this little street art gem',
];
const replies = ['Love this!', 'Where is this?', 'So good', 'Wow', 'Take me there', 'Beautiful shot'];

/** A small deterministic generator (mulberry32), so `--seed` gives the same data every time. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `work` over items, `width` at a time (enough to fill SQLite's group commit). */
async function inParallel<T>(items: T[], width: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}

function photo(next: () => number): Promise<Buffer> {
  const hue = Math.floor(next() * 360);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="1200">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},70%,60%)"/><stop offset="1" stop-color="hsl(${(hue + 80) % 360},70%,35%)"/>
    </linearGradient></defs>
    <rect width="1200" height="1200" fill="url(#g)"/>
    <circle cx="${300 + next() * 600}" cy="${300 + next() * 600}" r="${120 + next() * 200}" fill="rgba(255,255,255,0.35)"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

/** A photo uploaded as the app uploads it, and processed: the key a post names. */
async function uploadPhoto(author: string, bytes: Buffer, media: MediaServices): Promise<string> {
  const upload = await createUploadUrl(
    author,
    { purpose: 'POST', contentType: 'image/jpeg', contentLength: bytes.length },
    media,
  );
  const target = {
    key: upload.key,
    contentType: 'image/jpeg',
    contentLength: bytes.length,
    expiresAt: new Date(upload.expiresAt),
  };
  await receiveUpload(target, Readable.from([bytes]), media, () => undefined);
  await processMedia(upload.key, media);
  return upload.key;
}

export async function seed(app: App, options: SeedOptions, progress: SeedProgress): Promise<SeedResult> {
  const next = random(options.seed);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)] as T;
  const social = app.social;
  const result: SeedResult = {
    users: 0,
    follows: 0,
    posts: 0,
    photos: 0,
    likes: 0,
    comments: 0,
    accounts: [],
  };
  const run = Date.now().toString(36).slice(-4);

  progress.start('users', options.users);
  const userIds: string[] = [];
  const identity = app.identity.services;
  // Password hashing takes a few at a time and refuses more (TooManyRequests), so the accounts
  // are made one after another while the other users go in parallel.
  let accountsMade: Promise<unknown> = Promise.resolve();
  await inParallel(
    Array.from({ length: options.users }, (_, i) => i),
    16,
    async (i) => {
      const email = `demo${run}${i}@example.com`;
      let userId = app.social.ids.uuid();
      if (i < options.accounts && identity) {
        const made = accountsMade.then(() =>
          createUser(
            {
              email,
              password: options.password,
              status: 'CONFIRMED',
              attributes: { email, email_verified: 'true' },
            },
            identity,
          ),
        );
        accountsMade = made.catch(() => undefined);
        userId = await made;
        result.accounts.push(email);
      }
      await createProfile({ userId, email }, social);
      const username = `${pick(adjectives)}_${pick(nouns)}${run}${i}`;
      await updateProfile(
        userId,
        { username, displayName: username.replace(/_/g, ' '), bio: `${pick(lines)}.` },
        social,
      );
      userIds[i] = userId;
      result.users++;
      progress.tick();
    },
  );

  // Followees are skewed towards the first users, as real follower counts are.
  progress.start('follows', options.users * options.followsPerUser);
  await inParallel(userIds, 16, async (follower) => {
    for (let k = 0; k < options.followsPerUser; k++) {
      const followee = userIds[Math.floor(next() ** 2 * userIds.length)] as string;
      if (followee !== follower) {
        await followUser(follower, followee, social);
        result.follows++;
      }
      progress.tick();
    }
  });

  const postTotal = options.users * options.postsPerUser;
  const photoEvery = options.photos > 0 ? Math.max(1, Math.floor(postTotal / options.photos)) : Infinity;
  progress.start('posts', postTotal);
  const postIds: string[] = [];
  const media = app.media.services;
  await inParallel(
    Array.from({ length: postTotal }, (_, i) => i),
    8,
    async (i) => {
      const author = userIds[i % userIds.length] as string;
      const mediaKeys: string[] = [];
      if (i % photoEvery === 0 && result.photos < options.photos) {
        mediaKeys.push(await uploadPhoto(author, await photo(next), media));
        result.photos++;
      }
      const post = await createPost(author, { description: pick(lines), mediaKeys }, social);
      postIds.push(post.id);
      result.posts++;
      progress.tick();
    },
  );

  progress.start('likes and comments', postIds.length);
  await inParallel(postIds, 16, async (postId) => {
    const likes = Math.floor(next() ** 3 * Math.min(20, userIds.length));
    for (let k = 0; k < likes; k++) {
      await likePost(pick(userIds), postId, social);
      result.likes++;
    }
    if (next() < 0.3) {
      await addComment(pick(userIds), postId, pick(replies), social);
      result.comments++;
    }
    progress.tick();
  });
  progress.stop();
  return result;
}

function count(name: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new PlazaError('BadInput', `--${name} must be a whole number from ${min} to ${max}`);
  }
  return parsed;
}

export async function seedCommand(flags: Record<string, string>): Promise<void> {
  const options: SeedOptions = {
    users: count('users', flags.users ?? '100', 1, 1_000_000),
    followsPerUser: count('follows', flags.follows ?? '20', 0, 5_000),
    postsPerUser: count('posts', flags.posts ?? '5', 0, 1_000),
    photos: count('photos', flags.photos ?? '20', 0, 100_000),
    accounts: count('accounts', flags.accounts ?? '3', 0, 1_000),
    password: flags.password ?? 'plaza-demo-1',
    seed: count('seed', flags.seed ?? '1', 0, 2 ** 31),
  };
  if (options.password.length < 8) throw new PlazaError('BadInput', '--password needs at least 8 characters');
  const config = loadConfig();
  const app = await createApp(config, { logger: createLogger({ level: 'warn' }) });
  const bar = new SingleBar(
    { format: '  {stage} [{bar}] {percentage}% {value}/{total} ({eta}s left)', hideCursor: true },
    Presets.shades_classic,
  );
  const interactive = process.stdout.isTTY;
  let active = false;
  const progress: SeedProgress = {
    start(stage, total) {
      if (active) bar.stop();
      active = true;
      if (interactive) bar.start(total, 0, { stage: stage.padEnd(18) });
      else console.log(`  ${stage}: ${total}`);
    },
    tick(step = 1) {
      if (interactive) bar.increment(step);
    },
    stop() {
      if (active && interactive) bar.stop();
      active = false;
    },
  };
  const started = performance.now();
  try {
    console.log(`Seeding ${config.db.engine === 'sqlite' ? config.db.sqlite.path : config.db.table} …`);
    const result = await seed(app, options, progress);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `Seeded ${result.users} users, ${result.follows} follows, ${result.posts} posts ` +
        `(${result.photos} with photos), ${result.likes} likes and ${result.comments} comments in ${seconds} s.`,
    );
    if (result.accounts.length > 0) {
      console.log(`Sign in as ${result.accounts.join(', ')} with the password "${options.password}".`);
    }
    // Home feeds fill from the change stream; the consumer catches up here or when the server starts.
    // A large graph takes minutes (each post goes to every follower's feed): say so as it goes.
    console.log('Filling home feeds from the change stream …');
    const filling = performance.now();
    const elapsed = () => ((performance.now() - filling) / 1000).toFixed(0);
    const ticker = setInterval(() => console.log(`  still filling home feeds (${elapsed()} s)`), 10_000);
    try {
      await app.consumers.drain();
    } finally {
      clearInterval(ticker);
    }
    console.log(`Home feeds filled in ${elapsed()} s.`);
  } finally {
    progress.stop();
    await app.close();
  }
}
