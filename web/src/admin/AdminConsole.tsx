/**
 * The operator console at /admin, for the moderators group: the report queue, user lookup, the
 * metrics of the last hour with the alarms' thresholds, the alarms, the daily activity, the cost
 * projection and the backups. Anyone else sees that it is for moderators only (and the server refuses them anyway).
 */
import { useEffect, useState } from 'react';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Activity } from './Activity.tsx';
import { adminApi, moderatorsGroup, signedInGroups, type AlarmStatus, type SeriesHistory } from './api.ts';
import { MetricChart } from './MetricChart.tsx';
import { Alarms, Backups, Cost } from './Operations.tsx';
import { ReportQueue } from './ReportQueue.tsx';
import { UserLookup } from './UserLookup.tsx';
import './console.css';

/** How often the charts and alarms are read again while the console is open. */
const refreshMs = 15_000;

function Monitoring() {
  const [series, setSeries] = useState<SeriesHistory[] | undefined>();
  const [alarms, setAlarms] = useState<AlarmStatus[] | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    const refresh = () =>
      Promise.all([
        adminApi<{ series: SeriesHistory[] }>('/metrics'),
        adminApi<{ alarms: AlarmStatus[] }>('/alarms'),
      ]).then(
        ([metrics, alarmList]) => {
          if (!live) return;
          setSeries(metrics.series);
          setAlarms(alarmList.alarms);
          setError(undefined);
        },
        (caught: unknown) => live && setError(caught),
      );
    void refresh();
    const timer = setInterval(() => void refresh(), refreshMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return (
    <>
      <Alarms alarms={alarms} />
      <section aria-labelledby="metrics-heading" className="console-panel">
        <h2 id="metrics-heading">Metrics, last hour</h2>
        <ErrorNote error={error} />
        <div className="console-charts">
          {series?.map((entry) => (
            <MetricChart key={entry.name} series={entry} />
          ))}
        </div>
      </section>
    </>
  );
}

export function AdminConsole() {
  const [groups, setGroups] = useState<string[] | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    signedInGroups().then(setGroups, setError);
  }, []);

  if (error) return <ErrorNote error={error} />;
  if (groups === undefined)
    return (
      <p className="muted center" role="status">
        Loading…
      </p>
    );
  if (!groups.includes(moderatorsGroup))
    return (
      <section>
        <h1>Moderators only</h1>
        <p>
          The operator console is for the {moderatorsGroup} group. Ask an operator to add you, then sign in
          again. <a href="/">Go to your feed</a>.
        </p>
      </section>
    );
  return (
    <div className="console">
      <h1>Operator console</h1>
      <ReportQueue />
      <UserLookup />
      <Monitoring />
      <Activity />
      <Cost />
      <Backups />
    </div>
  );
}
