import { lazy, Suspense, useCallback, useEffect, useRef, useState, type ChangeEvent } from 'react';
import { gql } from '../api/client.ts';
import { createStoryMutation, storiesFeedQuery } from '../api/documents.ts';
import type { UserStories } from '../api/types.ts';
import { afterUpload } from '../lib/storage.ts';
import { refusal, uploadFile } from '../lib/upload.ts';
import { useMe } from '../session.tsx';
import { Avatar, displayName } from './Avatar.tsx';
import { ErrorNote } from './ErrorNote.tsx';

const StoryViewer = lazy(() => import('./StoryViewer.tsx').then((m) => ({ default: m.StoryViewer })));

/** The stories of the people followed (and one's own), and the way to add a photo or video story. */
export function StoriesBar() {
  const me = useMe();
  const [groups, setGroups] = useState<UserStories[]>([]);
  const [error, setError] = useState<unknown>();
  const [progress, setProgress] = useState<number>();
  const [open, setOpen] = useState<number>();
  const opener = useRef<HTMLElement | null>(null);

  const load = useCallback(() => {
    gql<{ storiesFeed: (Omit<UserStories, 'user'> & { user: UserStories['user'] | null })[] }>(
      storiesFeedQuery,
    ).then(
      ({ storiesFeed }) =>
        setGroups(
          // A deleted account's stories have no one to show them under.
          storiesFeed.filter(
            (group): group is UserStories => group.user !== null && group.stories.length > 0,
          ),
        ),
      setError,
    );
  }, []);
  useEffect(load, [load]);
  // A story just added is still being processed: look again until its picture is ready.
  const pending = groups.some((group) => group.stories.some((story) => story.media?.status === 'PENDING'));
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(load, 1500);
    const stop = setTimeout(() => clearInterval(timer), 60_000);
    return () => {
      clearInterval(timer);
      clearTimeout(stop);
    };
  }, [pending, load]);

  async function add(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const refused = refusal(file, 'STORY');
    if (refused) return setError(new Error(refused));
    setError(undefined);
    setProgress(0);
    try {
      const mediaKey = await uploadFile(file, 'STORY', (sent) => setProgress(sent / file.size));
      await afterUpload(() => gql(createStoryMutation, { input: { mediaKey } }));
      load();
    } catch (failure) {
      setError(failure);
    } finally {
      setProgress(undefined);
    }
  }

  const openAt = (index: number, element: HTMLElement) => {
    opener.current = element;
    setOpen(index);
  };
  const close = () => {
    setOpen(undefined);
    opener.current?.focus();
  };

  return (
    <section className="stories" aria-label="Stories">
      <ul className="stories-list">
        <li>
          <label className="story-bubble add">
            <span className="ring add-ring">
              <Avatar user={me} size={56} />
              <span className="plus" aria-hidden="true">
                +
              </span>
            </span>
            <span className="story-name">{progress === undefined ? 'Add story' : 'Uploading…'}</span>
            <input
              type="file"
              accept="image/*,video/*"
              className="visually-hidden"
              onChange={add}
              disabled={progress !== undefined}
              aria-label="Add a photo or video story"
            />
          </label>
          {progress !== undefined && (
            <progress className="story-progress" max={1} value={progress} aria-label="Story upload" />
          )}
        </li>
        {groups.map((group, index) => (
          <li key={group.user.id}>
            <button
              type="button"
              className="story-bubble"
              onClick={(event) => openAt(index, event.currentTarget)}
              aria-label={`Stories by ${displayName(group.user)} (${group.stories.length})`}
            >
              <span className="ring">
                <Avatar user={group.user} size={56} />
              </span>
              <span className="story-name">
                {group.user.id === me.id ? 'Your story' : displayName(group.user)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote error={error} />
      {open !== undefined && (
        <Suspense fallback={null}>
          <StoryViewer groups={groups} start={open} onClose={close} />
        </Suspense>
      )}
    </section>
  );
}
