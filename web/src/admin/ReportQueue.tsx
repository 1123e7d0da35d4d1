/** The open reports, oldest first, each with what was reported and the three ways to resolve it. */
import { useEffect, useState } from 'react';
import { gql } from '../api/client.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';

export interface QueuedReport {
  id: string;
  targetType: 'POST' | 'COMMENT' | 'USER';
  reason: string;
  note: string | null;
  createdAt: string;
  post: { id: string; description: string | null } | null;
  comment: { id: string; content: string } | null;
  user: { id: string; username: string | null } | null;
  reporter: { id: string; username: string | null } | null;
}

export const reportsQuery = `query ConsoleReports($nextToken: String) {
  reports(status: OPEN, limit: 50, nextToken: $nextToken) {
    items {
      id targetType reason note createdAt
      post { id description } comment { id content }
      user { id username } reporter { id username }
    }
    nextToken
  }
}`;

export const resolveMutation = `mutation ConsoleResolve($id: ID!, $action: ModerationAction!) {
  resolveReport(id: $id, action: $action) { id status action }
}`;

const actions = [
  { action: 'DISMISS', label: 'Dismiss' },
  { action: 'REMOVE_CONTENT', label: 'Remove content' },
  { action: 'SUSPEND_USER', label: 'Suspend user' },
] as const;

function reported(report: QueuedReport): string {
  if (report.targetType === 'POST') return report.post?.description ?? '(post already deleted)';
  if (report.targetType === 'COMMENT') return report.comment?.content ?? '(comment already deleted)';
  return `@${report.user?.username ?? report.user?.id ?? 'unknown'}`;
}

export function ReportQueue() {
  const [reports, setReports] = useState<QueuedReport[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string | undefined>();

  // Moved on to read the queue again (Try again).
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    gql<{ reports: { items: QueuedReport[] } }>(reportsQuery).then(
      (data) => live && setReports(data.reports.items),
      (caught: unknown) => live && setError(caught),
    );
    return () => {
      live = false;
    };
  }, [attempt]);
  const retry = () => {
    setError(undefined);
    setAttempt((count) => count + 1);
  };

  const resolve = async (id: string, action: string) => {
    setBusy(id);
    setError(undefined);
    try {
      await gql(resolveMutation, { id, action });
      setReports((current) => current?.filter((report) => report.id !== id));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section aria-labelledby="reports-heading" className="console-panel">
      <h2 id="reports-heading">Reports</h2>
      <ErrorNote error={error} onRetry={retry} />
      {reports === undefined && !error && <p className="muted">Loading…</p>}
      {reports?.length === 0 && <p className="muted">No open reports.</p>}
      <ul className="console-list">
        {reports?.map((report) => (
          <li key={report.id} aria-label={`Report ${report.id}`}>
            <p>
              <strong>{report.reason}</strong> · {report.targetType.toLowerCase()} by @
              {report.user?.username ?? '?'} · reported by @{report.reporter?.username ?? '?'}
            </p>
            <blockquote>{reported(report)}</blockquote>
            {report.note && <p className="muted">“{report.note}”</p>}
            <div className="console-actions">
              {actions.map(({ action, label }) => (
                <button
                  key={action}
                  type="button"
                  disabled={busy === report.id}
                  onClick={() => void resolve(report.id, action)}
                >
                  {label}
                </button>
              ))}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
