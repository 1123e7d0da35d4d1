/** The alarms' states, the month's cost projection and the backups, as the server reports them. */
import { useEffect, useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { adminApi, type AlarmStatus, type BackupSummary, type CostReport } from './api.ts';

const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function Alarms({ alarms }: { alarms: AlarmStatus[] | undefined }) {
  return (
    <section aria-labelledby="alarms-heading" className="console-panel">
      <h2 id="alarms-heading">Alarms</h2>
      {alarms?.length === 0 && <p className="muted">No alarms (metrics are off).</p>}
      <ul className="console-list">
        {alarms?.map((alarm) => (
          <li key={alarm.name}>
            <span className={`console-state console-state-${alarm.state.toLowerCase()}`}>{alarm.state}</span>{' '}
            <strong>{alarm.name}</strong> <span className="muted">{alarm.reason}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Cost() {
  const [mau, setMau] = useState('');
  const [report, setReport] = useState<CostReport | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    adminApi<CostReport>('/cost').then(setReport, setError);
  }, []);
  const project = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const users = mau.trim();
    adminApi<CostReport>(users ? `/cost?mau=${encodeURIComponent(users)}` : '/cost').then(
      setReport,
      setError,
    );
  };
  return (
    <section aria-labelledby="cost-heading" className="console-panel">
      <h2 id="cost-heading">Cost projection</h2>
      <form onSubmit={project} className="console-row">
        <label htmlFor="cost-mau">Monthly active users</label>
        <input
          id="cost-mau"
          inputMode="numeric"
          value={mau}
          onChange={(event) => setMau(event.target.value)}
        />
        <button type="submit">Project</button>
      </form>
      <ErrorNote error={error} />
      {report && (
        <>
          <p>
            <strong>{dollars.format(report.total)}</strong> a month
          </p>
          <table className="console-table">
            <tbody>
              {report.lines.map((line) => (
                <tr key={`${line.service} ${line.item}`}>
                  <td>{line.service}</td>
                  <td>{line.item}</td>
                  <td className="number">{dollars.format(line.cost)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.notes.map((note) => (
            <p key={note} className="muted">
              {note}
            </p>
          ))}
        </>
      )}
    </section>
  );
}

export function Backups() {
  const [backups, setBackups] = useState<{ backups: BackupSummary[]; unavailable?: string } | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    adminApi<{ backups: BackupSummary[]; unavailable?: string }>('/backups').then(setBackups, setError);
  }, []);
  return (
    <section aria-labelledby="backups-heading" className="console-panel">
      <h2 id="backups-heading">Backups</h2>
      <ErrorNote error={error} />
      {backups?.unavailable && <p className="muted">{backups.unavailable}</p>}
      {backups && !backups.unavailable && backups.backups.length === 0 && (
        <p className="muted">
          No backups yet: <code>npx plaza backup create</code> makes one.
        </p>
      )}
      <ul className="console-list">
        {backups?.backups.map((backup) => (
          <li key={backup.id}>
            <code>{backup.id}</code> · {new Date(backup.completedAt).toLocaleString()} ·{' '}
            {megabytes(backup.databaseBytes)} · {backup.mediaObjects} media objects
          </li>
        ))}
      </ul>
    </section>
  );
}
