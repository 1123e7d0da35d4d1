import { useEffect, useReducer, useRef, useState, type KeyboardEvent } from 'react';
import type { UserStories } from '../api/types.ts';
import { imageStoryMs, openViewer, segments, viewerReducer } from '../lib/story-viewer.ts';
import { isVideo } from '../lib/media.ts';
import { Avatar, displayName } from './Avatar.tsx';
import { MediaView } from './MediaView.tsx';
import { RelativeTime } from './RelativeTime.tsx';

const tickMs = 100;

/** Full-screen stories: each shows for its time (a video for its length), then the next, then the next person's. */
export function StoryViewer({
  groups,
  start,
  onClose,
}: {
  groups: UserStories[];
  start: number;
  onClose(): void;
}) {
  const [state, dispatch] = useReducer(viewerReducer, undefined, () =>
    openViewer(
      groups.map((group) => group.stories.length),
      start,
    ),
  );
  const dialog = useRef<HTMLDivElement>(null);
  const player = useRef<HTMLVideoElement>(null);
  /** The current video's length, once its metadata loaded. */
  const [videoLength, setVideoLength] = useState<{ story: string; ms: number }>();
  const group = groups[state.user];
  const story = group?.stories[state.story];
  const video = story?.media ? isVideo(story.media) : false;
  const videoMs = videoLength && videoLength.story === story?.id ? videoLength.ms : undefined;
  const durationMs = video ? (videoMs ?? imageStoryMs) : imageStoryMs;
  /** The story whose picture is on screen: its clock runs only from then (not while it loads or is processed). */
  const [shown, setShown] = useState<string>();
  const onScreen = shown !== undefined && shown === story?.id;

  useEffect(() => dialog.current?.focus(), []);
  useEffect(() => {
    if (state.closed) onClose();
  }, [state.closed, onClose]);
  // Images advance on a clock; a video advances when it ends, its clock following its own playback.
  useEffect(() => {
    if (video || !onScreen || state.paused || state.closed) return;
    const timer = setInterval(() => dispatch({ type: 'tick', ms: tickMs, durationMs }), tickMs);
    return () => clearInterval(timer);
  }, [video, onScreen, state.paused, state.closed, durationMs]);

  useEffect(() => {
    if (state.paused) player.current?.pause();
    else void player.current?.play().catch(() => {});
  }, [state.paused]);

  if (!group || !story) return null;

  const onKeyDown = (event: KeyboardEvent) => {
    const actions: Record<string, () => void> = {
      ArrowRight: () => dispatch({ type: 'next' }),
      ArrowLeft: () => dispatch({ type: 'previous' }),
      Escape: () => dispatch({ type: 'close' }),
      ' ': () => dispatch({ type: state.paused ? 'resume' : 'pause' }),
    };
    if (event.key === 'Tab') {
      // Focus stays in the dialog while it is open (aria-modal): Tab wraps around its buttons.
      const focusable = [...(dialog.current?.querySelectorAll<HTMLElement>('button') ?? [])];
      const index = focusable.indexOf(document.activeElement as HTMLElement);
      const next = event.shiftKey
        ? index <= 0
          ? focusable.length - 1
          : index - 1
        : (index + 1) % focusable.length;
      event.preventDefault();
      focusable[next]?.focus();
      return;
    }
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  const name = displayName(group.user);
  return (
    <div
      ref={dialog}
      className="story-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={`Stories by ${name}`}
      tabIndex={-1}
      onKeyDown={onKeyDown}
    >
      <div className="story-frame">
        <div className="story-segments" aria-hidden="true">
          {segments(state, durationMs).map((done, index) => (
            <span key={index} className="segment">
              <span style={{ width: `${done * 100}%` }} />
            </span>
          ))}
        </div>
        <header className="story-header">
          <Avatar user={group.user} size={32} />
          <span className="author">{name}</span>
          <span className="muted small">
            <RelativeTime iso={story.createdAt} />
          </span>
          <span className="visually-hidden" aria-live="polite">
            Story {state.story + 1} of {group.stories.length}
          </span>
          <button
            type="button"
            className="icon"
            onClick={() => dispatch({ type: state.paused ? 'resume' : 'pause' })}
            aria-label={state.paused ? 'Play' : 'Pause'}
          >
            {state.paused ? '▶' : '❚❚'}
          </button>
          <button
            type="button"
            className="icon"
            onClick={() => dispatch({ type: 'close' })}
            aria-label="Close stories"
          >
            ✕
          </button>
        </header>
        <div className="story-media">
          {story.media &&
            (video ? (
              <video
                ref={player}
                key={story.id}
                src={story.media.url ?? undefined}
                autoPlay
                playsInline
                muted
                aria-label={`Video story by ${name}`}
                onLoadedMetadata={(event) =>
                  setVideoLength({ story: story.id, ms: event.currentTarget.duration * 1000 })
                }
                onTimeUpdate={(event) =>
                  dispatch({ type: 'played', elapsedMs: event.currentTarget.currentTime * 1000 })
                }
                onEnded={() => dispatch({ type: 'next' })}
              />
            ) : (
              <MediaView
                key={story.id}
                media={story.media}
                alt={`Story by ${name}`}
                sizes="100vw"
                eager
                onLoad={() => setShown(story.id)}
              />
            ))}
        </div>
        <button
          type="button"
          className="story-nav previous"
          onClick={() => dispatch({ type: 'previous' })}
          aria-label="Previous story"
        />
        <button
          type="button"
          className="story-nav next"
          onClick={() => dispatch({ type: 'next' })}
          aria-label="Next story"
        />
      </div>
    </div>
  );
}
