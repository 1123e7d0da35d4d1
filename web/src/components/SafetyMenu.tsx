/**
 * The "More" menu on a profile, a post and a comment: block or unblock, mute or unmute the person,
 * and report what is shown (a reason and an optional note). What the viewer has done about the
 * person is read when the menu opens, so lists of posts ask nothing more of the API for it.
 */
import { useState, type FormEvent } from 'react';
import { gql } from '../api/client.ts';
import {
  blockUserMutation,
  muteUserMutation,
  reportContentMutation,
  unblockUserMutation,
  unmuteUserMutation,
  userSafetyQuery,
} from '../api/documents.ts';
import type { ReportReason, ReportTarget, UserSafety, UserSummary } from '../api/types.ts';
import { useMe } from '../session.tsx';
import { displayName } from './Avatar.tsx';
import { ErrorNote } from './ErrorNote.tsx';

export const reportReasons: { value: ReportReason; label: string }[] = [
  { value: 'SPAM', label: 'Spam' },
  { value: 'HARASSMENT', label: 'Harassment' },
  { value: 'NUDITY', label: 'Nudity' },
  { value: 'VIOLENCE', label: 'Violence' },
  { value: 'HATE', label: 'Hate' },
  { value: 'OTHER', label: 'Something else' },
];

type Toggle = 'blockUser' | 'unblockUser' | 'muteUser' | 'unmuteUser';

const toggles: Record<Toggle, string> = {
  blockUser: blockUserMutation,
  unblockUser: unblockUserMutation,
  muteUser: muteUserMutation,
  unmuteUser: unmuteUserMutation,
};

const done: Record<Toggle, string> = {
  blockUser: 'Blocked',
  unblockUser: 'Unblocked',
  muteUser: 'Muted',
  unmuteUser: 'Unmuted',
};

/** The reason picker and note; sends one report. */
function ReportForm({
  target,
  what,
  onDone,
}: {
  target: ReportTarget;
  what: string;
  onDone(message: string | undefined): void;
}) {
  const [reason, setReason] = useState<ReportReason | ''>('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function send(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const trimmed = note.trim();
      await gql(reportContentMutation, {
        input: { ...target, reason, ...(trimmed ? { note: trimmed } : {}) },
      });
      onDone('Thanks: the moderators will look at it.');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="report-form" aria-label={`Report ${what}`} onSubmit={send}>
      <label>
        Reason
        <select required value={reason} onChange={(e) => setReason(e.target.value as ReportReason)}>
          <option value="" disabled>
            Choose a reason
          </option>
          {reportReasons.map(({ value, label }) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Note (optional)
        <textarea maxLength={1000} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="row">
        <button type="submit" disabled={busy || !reason}>
          Send report
        </button>
        <button type="button" className="secondary" onClick={() => onDone(undefined)}>
          Cancel
        </button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

/**
 * `person` is who the menu is about (the profile's owner, the post's or comment's author); `what`
 * names the reported thing in labels ("post by Ada"). Nothing shows for the viewer's own things.
 */
export function SafetyMenu({
  person,
  target,
  what,
  onChange,
}: {
  person: UserSummary | null;
  target: ReportTarget;
  what: string;
  /** After a block, unblock, mute or unmute, with the person as they now stand. */
  onChange?(user: UserSafety): void;
}) {
  const me = useMe();
  const [safety, setSafety] = useState<UserSafety | null>();
  const [reporting, setReporting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<unknown>();
  if (!person || person.id === me.id) return null;
  const userId = person.id;

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  const opened = (open: boolean) => {
    if (!open || safety !== undefined) return;
    void run(async () =>
      setSafety((await gql<{ getUser: UserSafety | null }>(userSafetyQuery, { id: userId })).getUser),
    );
  };
  const toggle = (mutation: Toggle) =>
    run(async () => {
      const changed = (await gql<Record<Toggle, UserSafety>>(toggles[mutation], { userId }))[mutation];
      setSafety(changed);
      setStatus(`${done[mutation]} ${displayName(person)}.`);
      onChange?.(changed);
    });
  const name = displayName(person);
  return (
    <details className="safety-menu" onToggle={(e) => opened(e.currentTarget.open)}>
      <summary aria-label={`More actions for ${what}`}>⋯</summary>
      <div className="safety-menu-body">
        {safety && (
          <div className="row">
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => void toggle(safety.viewerMutes ? 'unmuteUser' : 'muteUser')}
            >
              {safety.viewerMutes ? `Unmute ${name}` : `Mute ${name}`}
            </button>
            <button
              type="button"
              className="secondary danger"
              disabled={busy}
              onClick={() => void toggle(safety.viewerBlocks ? 'unblockUser' : 'blockUser')}
            >
              {safety.viewerBlocks ? `Unblock ${name}` : `Block ${name}`}
            </button>
          </div>
        )}
        {reporting ? (
          <ReportForm
            target={target}
            what={what}
            onDone={(message) => {
              setReporting(false);
              setStatus(message);
            }}
          />
        ) : (
          <button type="button" className="link danger" onClick={() => setReporting(true)}>
            Report {what}
          </button>
        )}
        {status && (
          <p role="status" className="small">
            {status}
          </p>
        )}
        <ErrorNote error={error} />
      </div>
    </details>
  );
}
