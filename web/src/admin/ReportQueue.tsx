/** The open reports, oldest first, each with what was reported and the three ways to resolve it. */
import { useCallback, useState } from 'react';
import { gql } from '../api/client.ts';
import type { Connection } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { usePagedList } from '../lib/paged-list.ts';

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
  const fetchPage = useCallback(
    async (nextToken: string | null) =>
      (await gql<{ reports: Connection<QueuedReport> }>(reportsQuery, { nextToken })).reports,
    [],
  );
  const list = usePagedList(fetchPage, 'reports');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string | undefined>();

  const resolve = async (id: string, action: string) => {
    setBusy(id);
    setError(undefined);
    try {
      await gql(resolveMutation, { id, action });
      list.dispatch({ type: 'remove', id });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(undefined);
    }
  };
  const reports = list.state.items;

  return (
    <section aria-labelledby="reports-heading" className="console-panel">
      <h2 id="reports-heading">Reports</h2>
      <ErrorNote error={error} />
      {!list.state.initial && reports.length === 0 && <p className="muted">No open reports.</p>}
      <ul className="console-list">
        {reports.map((report) => (
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
      <LoadMore list={list} label="More reports" />
    </section>
  );
}
