// @vitest-environment happy-dom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Post } from '../api/types.ts';

vi.mock('../session.tsx', () => ({
  useMe: () => ({ id: 'me', username: 'me', displayName: 'Me', avatar: null }),
}));
vi.mock('../api/client.ts', () => ({
  gql: async (query: string) => {
    throw new Error(`unexpected ${query}`);
  },
}));
const { PostCard, altOf } = await import('./PostCard.tsx');

afterEach(cleanup);

const post: Post = {
  id: 'p1',
  description: 'Harbour at dawn',
  createdAt: new Date().toISOString(),
  likeCount: 1,
  commentCount: 2,
  viewerHasLiked: false,
  author: { id: 'ada', username: 'ada lovelace', displayName: 'Ada', avatar: null },
  media: [],
};

const hrefOf = (name: string | RegExp) => screen.getByRole('link', { name }).getAttribute('href');

describe('PostCard', () => {
  it("gives a member the app's links, the like button, the comments link and the safety menu", () => {
    render(<PostCard post={post} onChange={() => {}} />);
    expect(hrefOf('Ada')).toBe('/u/ada%20lovelace');
    expect(hrefOf('2 comments')).toBe('/p/p1');
    expect(screen.getByRole('button', { name: /Like/ }).getAttribute('aria-pressed')).toBe('false');
    expect(screen.getByLabelText('More actions for post by Ada')).toBeTruthy();
    const footer = screen.getByRole('contentinfo');
    expect(footer.className).toBe('post-actions');
    expect(within(footer).getByText('1 like').getAttribute('aria-live')).toBe('polite');
  });

  it('gives a guest the pages under basePath and only the counts', () => {
    render(<PostCard post={post} basePath="/explore" />);
    expect(hrefOf('Ada')).toBe('/explore/u/ada%20lovelace');
    const links = screen.getAllByRole('link').map((link) => link.getAttribute('href'));
    expect(links).toEqual(['/explore/u/ada%20lovelace', '/explore/p/p1']);
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.queryByLabelText('More actions for post by Ada')).toBeNull();
    const footer = screen.getByRole('contentinfo');
    expect(footer.className).toBe('post-actions muted');
    expect(within(footer).getByText('2 comments').tagName).toBe('SPAN');
    expect(within(footer).getByText('1 like').hasAttribute('aria-live')).toBe(false);
  });

  it('does not link a post to itself on its own page', () => {
    render(<PostCard post={post} linked={false} onChange={() => {}} />);
    expect(screen.getAllByRole('link').map((link) => link.getAttribute('href'))).toEqual([
      '/u/ada%20lovelace',
    ]);
  });
});

describe('altOf', () => {
  it('is the description, numbered when there are several photos, or else whose photo it is', () => {
    expect(altOf(post, 0, 1)).toBe('Harbour at dawn');
    expect(altOf(post, 1, 3)).toBe('Harbour at dawn (2 of 3)');
    expect(altOf({ ...post, description: '  ' }, 0, 1)).toBe('Photo by Ada');
  });
});
