// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Media, UserStories } from '../api/types.ts';
import { imageStoryMs, openViewer, segments, viewerReducer, type ViewerState } from '../lib/story-viewer.ts';
import { StoryViewer } from './StoryViewer.tsx';

describe('the story viewer state', () => {
  const run = (state: ViewerState, ...actions: Parameters<typeof viewerReducer>[1][]) =>
    actions.reduce(viewerReducer, state);

  it('advances on the clock, to the next person after the last story, and closes after the very last', () => {
    let state = openViewer([2, 0, 1], 0);
    state = run(state, { type: 'tick', ms: 4900, durationMs: 5000 });
    expect(state).toMatchObject({ user: 0, story: 0, elapsedMs: 4900 });
    expect(segments(state, 5000)).toEqual([0.98, 0]);
    state = run(state, { type: 'tick', ms: 100, durationMs: 5000 });
    expect(state).toMatchObject({ user: 0, story: 1, elapsedMs: 0 });
    expect(segments(state, 5000)).toEqual([1, 0]);
    // The second person has no stories left: the third comes next.
    state = run(state, { type: 'tick', ms: 5000, durationMs: 5000 });
    expect(state).toMatchObject({ user: 2, story: 0, closed: false });
    state = run(state, { type: 'next' });
    expect(state.closed).toBe(true);
  });

  it('goes back a story, and to the previous person’s last story', () => {
    const state = run(openViewer([2, 3], 1), { type: 'next' }, { type: 'previous' }, { type: 'previous' });
    expect(state).toMatchObject({ user: 0, story: 1 });
    expect(run(openViewer([2], 0), { type: 'previous' })).toMatchObject({ user: 0, story: 0, closed: false });
  });

  it('stands still while paused', () => {
    const state = run(openViewer([1], 0), { type: 'pause' }, { type: 'tick', ms: 10_000, durationMs: 5000 });
    expect(state).toMatchObject({ story: 0, elapsedMs: 0, closed: false });
    expect(run(state, { type: 'resume' }, { type: 'tick', ms: 5000, durationMs: 5000 }).closed).toBe(true);
  });
});

function image(key: string): Media {
  return {
    key,
    contentType: 'image/jpeg',
    status: 'READY',
    width: 1080,
    height: 1920,
    url: `/media/${key}`,
    variants: [600, 1200].map((size) => ({
      size,
      url: `/media/${key}-${size}.jpg`,
      width: size,
      height: size,
    })),
  };
}

const groups: UserStories[] = [
  {
    user: { id: 'a', username: 'alice', displayName: 'Alice', avatar: null },
    stories: ['a1', 'a2'].map((id) => ({
      id,
      createdAt: new Date().toISOString(),
      expiresAt: '',
      media: image(id),
    })),
  },
  {
    user: { id: 'b', username: 'bob', displayName: 'Bob', avatar: null },
    stories: [{ id: 'b1', createdAt: new Date().toISOString(), expiresAt: '', media: image('b1') }],
  },
];

describe('the story viewer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('shows each story full-screen for its time, then the next person’s, then closes', () => {
    const onClose = vi.fn();
    render(<StoryViewer groups={groups} start={0} onClose={onClose} />);
    const dialog = screen.getByRole('dialog', { name: 'Stories by Alice' });
    expect(document.activeElement).toBe(dialog);
    const picture = () => screen.getByRole('img', { name: /^Story by / }) as HTMLImageElement;
    expect(picture().getAttribute('src')).toBe('/media/a1-600.jpg');
    // Until the picture is on screen its time does not run.
    act(() => vi.advanceTimersByTime(imageStoryMs * 2));
    expect(picture().getAttribute('src')).toBe('/media/a1-600.jpg');
    fireEvent.load(picture());
    act(() => vi.advanceTimersByTime(imageStoryMs));
    expect(picture().getAttribute('src')).toBe('/media/a2-600.jpg');
    expect(screen.getByText('Story 2 of 2')).toBeTruthy();
    fireEvent.load(picture());
    act(() => vi.advanceTimersByTime(imageStoryMs));
    expect(screen.getByRole('dialog', { name: 'Stories by Bob' })).toBeTruthy();
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.load(picture());
    act(() => vi.advanceTimersByTime(imageStoryMs));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('moves with the keyboard and the buttons, pauses, and closes on Escape', () => {
    const onClose = vi.fn();
    render(<StoryViewer groups={groups} start={1} onClose={onClose} />);
    const dialog = screen.getByRole('dialog', { name: 'Stories by Bob' });
    fireEvent.keyDown(dialog, { key: 'ArrowLeft' });
    expect(screen.getByRole('img', { name: 'Story by Alice' }).getAttribute('src')).toBe('/media/a2-600.jpg');
    fireEvent.load(screen.getByRole('img', { name: 'Story by Alice' }));
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    act(() => vi.advanceTimersByTime(imageStoryMs * 3));
    expect(screen.getByRole('img', { name: 'Story by Alice' }).getAttribute('src')).toBe('/media/a2-600.jpg');
    fireEvent.keyDown(dialog, { key: ' ' });
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Next story' }));
    expect(screen.getByRole('dialog', { name: 'Stories by Bob' })).toBeTruthy();
    // Tab goes round the dialog's buttons and never leaves it.
    const buttons = screen.getAllByRole('button');
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(buttons.at(-1));
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Tab' });
    expect(document.activeElement).toBe(buttons[0]);
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
