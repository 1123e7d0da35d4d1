import { useEffect, useReducer, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { gql } from '../api/client.ts';
import { createPostMutation } from '../api/documents.ts';
import type { Post } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { MediaView } from '../components/MediaView.tsx';
import { altOf } from '../components/PostCard.tsx';
import {
  newUploadItem,
  processing,
  refusal,
  videoTypes,
  summarize,
  uploadFile,
  uploadsReducer,
  type UploadItem,
} from '../lib/upload.ts';
import { afterUpload } from '../lib/storage.ts';
import { usePendingMedia } from '../lib/use-pending-media.ts';
import { Link } from '../router.tsx';

const maxPhotos = 10;

function percent(value: number) {
  return `${Math.round(value * 100)}%`;
}

/** A new post: photos upload as soon as they are chosen (previewed from the file meanwhile), then the post is created. */
export function CreatePost() {
  const [uploads, dispatch] = useReducer(uploadsReducer, []);
  const files = useRef(new Map<string, { file: File; abort: AbortController }>());
  const [description, setDescription] = useState('');
  /** Alt text per photo, by upload id, sent with the post. */
  const [altTextById, setAltTextById] = useState<Record<string, string>>({});
  const [refusals, setRefusals] = useState<string[]>([]);
  const [created, setCreated] = useState<Post>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const summary = summarize(uploads);

  useEffect(() => {
    const current = files.current;
    return () => {
      for (const { abort } of current.values()) abort.abort();
    };
  }, []);
  const previews = useRef<string[]>([]);
  useEffect(() => {
    previews.current = uploads.map((item) => item.previewUrl);
  }, [uploads]);
  useEffect(() => () => previews.current.forEach((url) => URL.revokeObjectURL(url)), []);

  usePendingMedia(created ? [created] : [], setCreated);

  function send(item: UploadItem, file: File) {
    const abort = new AbortController();
    files.current.set(item.id, { file, abort });
    uploadFile(file, 'POST', (sent) => dispatch({ type: 'progress', id: item.id, sent }), abort.signal).then(
      (key) => dispatch({ type: 'uploaded', id: item.id, key }),
      (failure: unknown) =>
        !abort.signal.aborted && dispatch({ type: 'failed', id: item.id, error: failure }),
    );
  }

  function choose(event: ChangeEvent<HTMLInputElement>) {
    const chosen = [...(event.target.files ?? [])];
    event.target.value = '';
    const refused: string[] = [];
    const room = maxPhotos - uploads.length;
    if (chosen.length > room) refused.push(`A post has at most ${maxPhotos} photos.`);
    const accepted: [UploadItem, File][] = [];
    for (const file of chosen.slice(0, Math.max(0, room))) {
      const reason = refusal(file, 'POST');
      if (reason) refused.push(reason);
      else accepted.push([newUploadItem(file), file]);
    }
    setRefusals(refused);
    dispatch({ type: 'added', items: accepted.map(([item]) => item) });
    for (const [item, file] of accepted) send(item, file);
  }

  function remove(item: UploadItem) {
    files.current.get(item.id)?.abort.abort();
    files.current.delete(item.id);
    URL.revokeObjectURL(item.previewUrl);
    dispatch({ type: 'removed', id: item.id });
  }

  function retry(item: UploadItem) {
    const entry = files.current.get(item.id);
    if (!entry) return;
    dispatch({ type: 'removed', id: item.id });
    const again = { ...item, status: 'uploading' as const, sent: 0, error: undefined };
    dispatch({ type: 'added', items: [again] });
    send(again, entry.file);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const mediaKeys = uploads.flatMap((item) => (item.key ? [item.key] : []));
      const altTexts = uploads.flatMap((item) =>
        item.key && altTextById[item.id]?.trim()
          ? [{ key: item.key, altText: altTextById[item.id]!.trim() }]
          : [],
      );
      const { createPost } = await afterUpload(() =>
        gql<{ createPost: Post }>(createPostMutation, {
          input: { description: description.trim(), mediaKeys, altTexts },
        }),
      );
      setCreated(createPost);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  if (created) {
    const media = created.media ?? [];
    const state = processing(media);
    return (
      <section className="card form-card">
        <h1>Posted</h1>
        <p role="status">
          {state === 'processing'
            ? 'Your photos and videos are being processed…'
            : state === 'failed'
              ? 'Some photos or videos could not be processed.'
              : 'Your post is live.'}
        </p>
        <ul className="thumbs" aria-label="Your photos">
          {media.map((item, index) => (
            <li key={item.key}>
              <MediaView
                media={item}
                alt={altOf(created, index, media.length)}
                sizes="150px"
                className="square"
              />
            </li>
          ))}
        </ul>
        <p className="row">
          <Link to={`/p/${created.id}`} className="button">
            View post
          </Link>
          <Link to="/" className="button secondary">
            Back to your feed
          </Link>
        </p>
      </section>
    );
  }

  const canPost =
    !busy &&
    !summary.uploading &&
    summary.failed === 0 &&
    (summary.complete || (uploads.length === 0 && description.trim() !== ''));
  return (
    <section className="card form-card">
      <h1>New post</h1>
      <form onSubmit={submit}>
        <label className="button secondary file-button">
          Add photos or videos
          <input
            type="file"
            accept={['image/*', ...videoTypes].join(',')}
            multiple
            className="visually-hidden"
            onChange={choose}
          />
        </label>
        {refusals.map((reason) => (
          <p key={reason} className="error" role="alert">
            {reason}
          </p>
        ))}
        {uploads.length > 0 && (
          <ul className="previews" aria-label="Photos">
            {uploads.map((item) => (
              <li key={item.id} className={`preview ${item.status}`}>
                {videoTypes.includes(item.contentType) ? (
                  <video src={item.previewUrl} muted playsInline aria-label={`Preview of ${item.name}`} />
                ) : (
                  <img src={item.previewUrl} alt={`Preview of ${item.name}`} />
                )}
                <label className="small">
                  Alt text
                  <input
                    type="text"
                    maxLength={1000}
                    aria-label={`Alt text for ${item.name}`}
                    value={altTextById[item.id] ?? ''}
                    onChange={(e) => setAltTextById({ ...altTextById, [item.id]: e.target.value })}
                    placeholder="What the photo shows"
                  />
                </label>
                <progress max={item.size} value={item.sent} aria-label={`Uploading ${item.name}`} />
                <span className="small" aria-live="polite">
                  {item.status === 'uploading'
                    ? percent(item.sent / item.size)
                    : item.status === 'uploaded'
                      ? 'Uploaded'
                      : 'Failed'}
                </span>
                {item.status === 'failed' && (
                  <>
                    <ErrorNote error={item.error} />
                    <button type="button" className="link small" onClick={() => retry(item)}>
                      Retry
                    </button>
                  </>
                )}
                <button
                  type="button"
                  className="link small"
                  onClick={() => remove(item)}
                  aria-label={`Remove ${item.name}`}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        {summary.uploading && (
          <div className="overall">
            <progress max={1} value={summary.progress} aria-label="Upload progress" />{' '}
            {percent(summary.progress)}
          </div>
        )}
        <label>
          Description
          <textarea
            maxLength={2200}
            rows={4}
            aria-describedby="description-hint"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </label>
        <p id="description-hint" className="muted small">
          Say what the photos show: it is their description for people who cannot see them.
        </p>
        <ErrorNote error={error} />
        <button type="submit" disabled={!canPost}>
          {busy ? 'Posting…' : 'Post'}
        </button>
      </form>
    </section>
  );
}
