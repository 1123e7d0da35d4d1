// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Media, Post } from '../api/types.ts';
import type * as UploadModule from '../lib/upload.ts';

/** Each upload is held until the test says how far it got. */
const uploads = vi.hoisted(
  () => new Map<string, { progress(sent: number): void; done(key: string): void; fail(e: Error): void }>(),
);
const api = vi.hoisted(() => ({
  calls: [] as { query: string; variables: unknown }[],
  post: undefined as unknown,
}));

vi.mock('../lib/upload.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof UploadModule>();
  return {
    ...actual,
    uploadFile: (file: File, _purpose: string, onProgress: (sent: number) => void) =>
      new Promise<string>((resolve, reject) => {
        uploads.set(file.name, { progress: onProgress, done: resolve, fail: reject });
      }),
  };
});
vi.mock('../api/client.ts', () => ({
  gql: async (query: string, variables: unknown) => {
    api.calls.push({ query, variables });
    if (query.includes('mutation CreatePost')) return { createPost: api.post };
    if (query.includes('query GetPost')) return { getPost: api.post };
    throw new Error(`unexpected ${query}`);
  },
}));

const { CreatePost } = await import('./CreatePost.tsx');

function media(key: string, status: Media['status']): Media {
  return {
    key,
    contentType: 'image/jpeg',
    status,
    width: 1200,
    height: 900,
    url: `/media/${key}`,
    variants:
      status === 'READY'
        ? ['image/jpeg', 'image/webp'].flatMap((contentType) =>
            [150, 300, 600, 1200].map((size) => ({
              size,
              url: `/media/${key}/${size}.${contentType.slice(6)}`,
              width: size,
              height: size,
              contentType,
            })),
          )
        : [],
  };
}

const photo = (name: string, bytes: number, type = 'image/jpeg') =>
  new File([new Uint8Array(bytes)], name, { type });

beforeEach(() => {
  uploads.clear();
  api.calls = [];
  URL.createObjectURL = (blob: Blob) => `blob:preview-${(blob as File).name}`;
  URL.revokeObjectURL = () => {};
});
afterEach(cleanup);

describe('creating a post with photos', () => {
  it('previews each photo, shows its upload progress, posts once all are up, and shows thumbnails when READY', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    render(<CreatePost />);
    const post = screen.getByRole('button', { name: 'Post' }) as HTMLButtonElement;
    expect(post.disabled).toBe(true);

    fireEvent.change(screen.getByLabelText('Add photos or videos'), {
      target: {
        files: [
          photo('beach.jpg', 1000),
          photo('notes.pdf', 10, 'application/pdf'),
          photo('dunes.jpg', 3000),
        ],
      },
    });
    expect(screen.getByRole('alert').textContent).toBe('notes.pdf is not a photo or video.');
    const previews = within(screen.getByRole('list', { name: 'Photos' })).getAllByRole('listitem');
    expect(previews).toHaveLength(2);
    expect(screen.getByAltText('Preview of beach.jpg').getAttribute('src')).toBe('blob:preview-beach.jpg');

    act(() => uploads.get('beach.jpg')?.progress(500));
    act(() => uploads.get('dunes.jpg')?.progress(1000));
    const beachBar = screen.getByRole('progressbar', { name: 'Uploading beach.jpg' }) as HTMLProgressElement;
    expect(beachBar.value).toBe(500);
    expect(beachBar.max).toBe(1000);
    // 1,500 of 4,000 bytes sent.
    expect(
      (screen.getByRole('progressbar', { name: 'Upload progress' }) as HTMLProgressElement).value,
    ).toBeCloseTo(0.375);
    expect(post.disabled).toBe(true);

    await act(async () => uploads.get('beach.jpg')?.done('users/u/posts/p/beach'));
    expect(post.disabled).toBe(true);
    await act(async () => uploads.get('dunes.jpg')?.done('users/u/posts/p/dunes'));
    expect(post.disabled).toBe(false);

    fireEvent.change(screen.getByLabelText('Description'), { target: { value: 'Sand and sea' } });
    // Alt text for one photo only: the other is sent without.
    fireEvent.change(screen.getByLabelText('Alt text for beach.jpg'), {
      target: { value: ' Waves on a sandy beach ' },
    });
    api.post = {
      id: 'P1',
      description: 'Sand and sea',
      createdAt: new Date().toISOString(),
      likeCount: 0,
      commentCount: 0,
      viewerHasLiked: false,
      author: null,
      media: [media('users/u/posts/p/beach', 'PENDING'), media('users/u/posts/p/dunes', 'PENDING')],
    } satisfies Post;
    await act(async () => fireEvent.click(post));
    expect(api.calls[0]?.variables).toEqual({
      input: {
        description: 'Sand and sea',
        mediaKeys: ['users/u/posts/p/beach', 'users/u/posts/p/dunes'],
        altTexts: [{ key: 'users/u/posts/p/beach', altText: 'Waves on a sandy beach' }],
      },
    });
    expect(screen.getByRole('status').textContent).toBe('Your photos and videos are being processed…');
    expect(screen.queryAllByRole('img', { name: /processing/ })).toHaveLength(2);

    api.post = {
      ...(api.post as Post),
      media: [media('users/u/posts/p/beach', 'READY'), media('users/u/posts/p/dunes', 'READY')],
    };
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1600);
    });
    expect(screen.getByRole('status').textContent).toBe('Your post is live.');
    const thumbnail = screen.getByRole('img', { name: 'Sand and sea (1 of 2)' }) as HTMLImageElement;
    const sizes = (format: string) =>
      [150, 300, 600, 1200]
        .map((size) => `/media/users/u/posts/p/beach/${size}.${format} ${size}w`)
        .join(', ');
    expect(thumbnail.getAttribute('srcset')).toBe(sizes('jpeg'));
    expect(thumbnail.getAttribute('sizes')).toBe('150px');
    // WebP where the browser takes it; the original is never the picture's source.
    const webp = thumbnail.parentElement?.querySelector('source');
    expect(webp?.getAttribute('type')).toBe('image/webp');
    expect(webp?.getAttribute('srcset')).toBe(sizes('webp'));
    expect(thumbnail.getAttribute('src')).toBe('/media/users/u/posts/p/beach/600.jpeg');
    vi.useRealTimers();
  });

  it('keeps a failed upload visible with its reason and lets it be retried', async () => {
    render(<CreatePost />);
    fireEvent.change(screen.getByLabelText('Add photos or videos'), {
      target: { files: [photo('big.jpg', 100)] },
    });
    const first = uploads.get('big.jpg');
    await act(async () =>
      first?.fail(Object.assign(new Error('The upload failed'), { name: 'NetworkError' })),
    );
    expect(screen.getByRole('alert').textContent).toContain('Plaza cannot be reached');
    expect((screen.getByRole('button', { name: 'Post' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(uploads.get('big.jpg')).not.toBe(first);
    await act(async () => uploads.get('big.jpg')?.done('users/u/posts/p/big'));
    expect(screen.queryByRole('alert')).toBeNull();
    expect((screen.getByRole('button', { name: 'Post' }) as HTMLButtonElement).disabled).toBe(false);
  });
});

describe('a post with a video', () => {
  const clip = (status: Media['status']): Media => ({
    ...media('users/u/posts/v/original.mp4', status),
    contentType: 'video/mp4',
    width: 1080,
    height: 1920,
    url: status === 'READY' ? '/media/users/u/posts/v/720p.mp4' : null,
    durationSeconds: status === 'READY' ? 12.5 : null,
    failureReason: status === 'FAILED' ? 'The video is 300 s long; at most 60 s are accepted' : null,
    videoRenditions:
      status === 'READY'
        ? [720, 360].map((side) => ({
            width: side,
            height: (side * 16) / 9,
            url: `/media/users/u/posts/v/${side}p.mp4`,
            contentType: 'video/mp4',
            bytes: side * 1000,
          }))
        : [],
  });
  const posted = (status: Media['status']): Post => ({
    id: 'P2',
    description: 'Waves',
    createdAt: new Date().toISOString(),
    likeCount: 0,
    commentCount: 0,
    viewerHasLiked: false,
    author: null,
    media: [clip(status)],
  });

  async function postClip(status: Media['status']) {
    render(<CreatePost />);
    fireEvent.change(screen.getByLabelText('Add photos or videos'), {
      target: { files: [photo('waves.mov', 2000, 'video/quicktime')] },
    });
    expect(screen.getByLabelText('Preview of waves.mov').tagName).toBe('VIDEO');
    act(() => uploads.get('waves.mov')?.progress(1000));
    expect(screen.getByRole('progressbar', { name: 'Uploading waves.mov' }).getAttribute('value')).toBe(
      '1000',
    );
    await act(async () => uploads.get('waves.mov')?.done('users/u/posts/v/original.mp4'));
    api.post = posted(status);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Post' })));
  }

  it('plays the 720p rendition with its poster, the 360p one on a small screen', async () => {
    await postClip('READY');
    const video = screen.getByLabelText('Waves') as HTMLVideoElement;
    expect(video.getAttribute('src')).toBe('/media/users/u/posts/v/720p.mp4');
    expect(video.getAttribute('poster')).toBe('/media/users/u/posts/v/original.mp4/600.jpeg');
    cleanup();
    const matchMedia = window.matchMedia;
    window.matchMedia = ((query: string) => ({ matches: query === '(max-width: 640px)' })) as never;
    try {
      await postClip('READY');
      const small = screen.getByLabelText('Waves') as HTMLVideoElement;
      expect(small.getAttribute('src')).toBe('/media/users/u/posts/v/360p.mp4');
      expect(small.getAttribute('poster')).toBe('/media/users/u/posts/v/original.mp4/300.jpeg');
    } finally {
      window.matchMedia = matchMedia;
    }
  });

  it('says why a refused clip failed', async () => {
    await postClip('FAILED');
    expect(screen.getByRole('status').textContent).toBe('Some photos or videos could not be processed.');
    expect(screen.getByRole('img', { name: 'Waves' }).textContent).toBe(
      'The video is 300 s long; at most 60 s are accepted',
    );
  });
});
