import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { gql } from '../api/client.ts';
import { updateProfileMutation } from '../api/documents.ts';
import type { User } from '../api/types.ts';
import { Avatar } from '../components/Avatar.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { refusal, uploadFile } from '../lib/upload.ts';
import { navigate, useLocation } from '../router.tsx';
import { useMe, useSession } from '../session.tsx';

/** Picking a username and avatar (right after sign-up), and editing the profile later. */
export function ProfileSetup() {
  const me = useMe();
  const session = useSession();
  const welcome = useLocation().pathname === '/welcome';
  const [username, setUsername] = useState(me.username ?? '');
  const [displayName, setDisplayName] = useState(me.displayName ?? '');
  const [bio, setBio] = useState(me.bio ?? '');
  const [avatar, setAvatar] = useState<{ file: File; preview: string }>();
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => () => avatar && URL.revokeObjectURL(avatar.preview), [avatar]);

  function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    const refused = refusal(file, 'AVATAR');
    if (refused) return setError(new Error(refused));
    setError(undefined);
    setAvatar({ file, preview: URL.createObjectURL(file) });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      let avatarKey: string | undefined;
      if (avatar) {
        setProgress(0);
        avatarKey = await uploadFile(avatar.file, 'AVATAR', (sent) => setProgress(sent / avatar.file.size));
      }
      const input = {
        username: username.trim(),
        ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
        bio: bio.trim(),
        ...(avatarKey ? { avatarKey } : {}),
      };
      const { updateProfile } = await gql<{ updateProfile: User }>(updateProfileMutation, { input });
      session.setMe(updateProfile);
      navigate(welcome ? '/' : `/u/${encodeURIComponent(updateProfile.username ?? '')}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
      setProgress(undefined);
    }
  }

  return (
    <section className="card form-card">
      <h1>{welcome ? 'Welcome to Plaza' : 'Edit profile'}</h1>
      {welcome && <p>Pick a username and a picture so people can find you.</p>}
      <form onSubmit={submit}>
        <div className="avatar-picker">
          {avatar ? (
            <img
              className="avatar"
              src={avatar.preview}
              width={88}
              height={88}
              alt="Your new profile picture"
            />
          ) : (
            <Avatar user={me} size={88} />
          )}
          <label className="button secondary">
            {me.avatar || avatar ? 'Change picture' : 'Choose a picture'}
            <input type="file" accept="image/*" className="visually-hidden" onChange={choose} />
          </label>
        </div>
        {progress !== undefined && <progress max={1} value={progress} aria-label="Picture upload" />}
        <label>
          Username
          <input
            required
            minLength={3}
            maxLength={30}
            pattern="[A-Za-z0-9_.]{3,30}"
            autoCapitalize="none"
            autoComplete="username"
            spellCheck={false}
            aria-describedby="username-rule"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <p id="username-rule" className="muted small">
          3 to 30 letters, digits, “_” or “.”.
        </p>
        <label>
          Display name
          <input
            maxLength={50}
            autoComplete="name"
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
          />
        </label>
        <label>
          Bio
          <textarea maxLength={300} rows={3} value={bio} onChange={(e) => setBio(e.target.value)} />
        </label>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : welcome ? 'Continue' : 'Save'}
        </button>
      </form>
    </section>
  );
}
