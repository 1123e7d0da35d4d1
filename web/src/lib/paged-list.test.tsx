// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from '../api/types.ts';
import { LoadMore } from '../components/LoadMore.tsx';
import { hasMore, initialPagedState, pagedReducer, usePagedList } from './paged-list.ts';

type Item = { id: string; text: string };
const item = (id: string): Item => ({ id, text: `post ${id}` });

afterEach(cleanup);

describe('the paged list reducer', () => {
  it('appends pages in order, keeps each item once, and knows when the last page came', () => {
    let state = initialPagedState<Item>();
    expect(hasMore(state)).toBe(true);
    state = pagedReducer(state, { type: 'request' });
    state = pagedReducer(state, {
      type: 'loaded',
      generation: 0,
      page: { items: [item('3'), item('2')], nextToken: 't1' },
    });
    expect(state).toMatchObject({ initial: false, loading: false, nextToken: 't1' });
    // The feed shifted by one while it was read: post 2 comes again on the next page.
    state = pagedReducer(state, {
      type: 'loaded',
      generation: 0,
      page: { items: [item('2'), item('1')], nextToken: null },
    });
    expect(state.items.map((i) => i.id)).toEqual(['3', '2', '1']);
    expect(hasMore(state)).toBe(false);
  });

  it('drops a page that arrives after a reset', () => {
    let state = pagedReducer(initialPagedState<Item>(), { type: 'request' });
    state = pagedReducer(state, { type: 'reset' });
    state = pagedReducer(state, {
      type: 'loaded',
      generation: 0,
      page: { items: [item('old')], nextToken: 'x' },
    });
    expect(state.items).toEqual([]);
    expect(state.initial).toBe(true);
    state = pagedReducer(state, { type: 'failed', generation: 0, error: new Error('late') });
    expect(state.error).toBeUndefined();
  });

  it('puts new items first without duplicating, and updates or removes one', () => {
    let state = pagedReducer(initialPagedState<Item>(), {
      type: 'loaded',
      generation: 0,
      page: { items: [item('2'), item('1')], nextToken: null },
    });
    state = pagedReducer(state, { type: 'prepend', items: [item('3'), item('2')] });
    expect(state.items.map((i) => i.id)).toEqual(['3', '2', '1']);
    state = pagedReducer(state, { type: 'update', id: '2', change: (i) => ({ ...i, text: 'edited' }) });
    expect(state.items[1]).toEqual({ id: '2', text: 'edited' });
    state = pagedReducer(state, { type: 'remove', id: '3' });
    expect(state.items.map((i) => i.id)).toEqual(['2', '1']);
  });
});

/** A feed of 25 items served 10 at a time, with the requests it saw. */
function fakeFeed() {
  const all = Array.from({ length: 25 }, (_, i) => item(String(25 - i)));
  const requests: (string | null)[] = [];
  const pending: (() => void)[] = [];
  let failNext = false;
  const fetchPage = (nextToken: string | null) => {
    requests.push(nextToken);
    return new Promise<Connection<Item>>((resolve, reject) => {
      pending.push(() => {
        if (failNext) {
          failNext = false;
          return reject(
            Object.assign(new Error('Throughput exceeded'), {
              name: 'ProvisionedThroughputExceededException',
            }),
          );
        }
        const start = nextToken ? Number(nextToken) : 0;
        const end = start + 10;
        resolve({ items: all.slice(start, end), nextToken: end < all.length ? String(end) : null });
      });
    });
  };
  const answer = async () => {
    await act(async () => {
      pending.shift()?.();
    });
  };
  return { fetchPage, requests, answer, failNext: () => (failNext = true) };
}

function Feed({ fetchPage }: { fetchPage: (token: string | null) => Promise<Connection<Item>> }) {
  const list = usePagedList(fetchPage, 'feed');
  return (
    <>
      <ol aria-label="Posts">
        {list.state.items.map((i) => (
          <li key={i.id}>{i.text}</li>
        ))}
      </ol>
      <LoadMore list={list} label="Load older posts" />
    </>
  );
}

describe('a feed read page by page', () => {
  it('asks for the first page once, then each next page with its token, until the end', async () => {
    const feed = fakeFeed();
    render(<Feed fetchPage={feed.fetchPage} />);
    expect(feed.requests).toEqual([null]);
    expect(screen.getByRole('status').textContent).toBe('Loading…');
    await feed.answer();
    expect(screen.getAllByRole('listitem')).toHaveLength(10);

    fireEvent.click(screen.getByRole('button', { name: 'Load older posts' }));
    // A second click while the page is on its way asks for nothing more.
    expect(screen.queryByRole('button', { name: 'Load older posts' })).toBeNull();
    await feed.answer();
    expect(feed.requests).toEqual([null, '10']);
    expect(screen.getAllByRole('listitem')).toHaveLength(20);

    fireEvent.click(screen.getByRole('button', { name: 'Load older posts' }));
    await feed.answer();
    expect(feed.requests).toEqual([null, '10', '20']);
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(
      Array.from({ length: 25 }, (_, i) => `post ${25 - i}`),
    );
    // The last page came: nothing more to load.
    expect(screen.queryByRole('button', { name: 'Load older posts' })).toBeNull();
  });

  it('says what went wrong and tries the same page again', async () => {
    const feed = fakeFeed();
    render(<Feed fetchPage={feed.fetchPage} />);
    await feed.answer();
    feed.failNext();
    fireEvent.click(screen.getByRole('button', { name: 'Load older posts' }));
    await feed.answer();
    expect(screen.getByRole('alert').textContent).toContain('Plaza is busy right now');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await feed.answer();
    expect(feed.requests).toEqual([null, '10', '10']);
    expect(screen.getAllByRole('listitem')).toHaveLength(20);
  });
});
