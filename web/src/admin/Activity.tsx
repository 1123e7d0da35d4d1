/**
 * The daily analytics of `plaza stats` as charts, one point a UTC day: active users, sign-ups,
 * the writes, and the home feed's p50/p99 latency, over the last 7, 30 or 90 days.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { adminApi, type DayStats } from './api.ts';

export const dayChoices = [7, 30, 90] as const;

type DayFigure = Exclude<keyof DayStats, 'day'>;

export interface DailyChartSpec {
  title: string;
  /** Whole numbers (counts), whose axis never steps by a fraction. */
  counts: boolean;
  lines: { figure: DayFigure; label: string; color: string }[];
}

export const dailyCharts: DailyChartSpec[] = [
  {
    title: 'Active users',
    counts: true,
    lines: [{ figure: 'activeUsers', label: 'Active users', color: '#4f46e5' }],
  },
  { title: 'Sign-ups', counts: true, lines: [{ figure: 'signUps', label: 'Sign-ups', color: '#0f766e' }] },
  {
    title: 'Posts, likes, comments and follows',
    counts: true,
    lines: [
      { figure: 'posts', label: 'Posts', color: '#4f46e5' },
      { figure: 'likes', label: 'Likes', color: '#db2777' },
      { figure: 'comments', label: 'Comments', color: '#ca8a04' },
      { figure: 'follows', label: 'Follows', color: '#0f766e' },
    ],
  },
  {
    title: 'Home feed latency (ms)',
    counts: false,
    lines: [
      { figure: 'feedP50Ms', label: 'p50', color: '#4f46e5' },
      { figure: 'feedP99Ms', label: 'p99', color: '#c62828' },
    ],
  },
];

/** uPlot's data: each day's UTC midnight in seconds, then one row a line (null where unmeasured). */
export function dailyChartData(days: readonly DayStats[], spec: DailyChartSpec): AlignedData {
  return [
    days.map((day) => Date.parse(`${day.day}T00:00:00Z`) / 1000),
    ...spec.lines.map((line) => days.map((day) => day[line.figure])),
  ];
}

/** Whether nothing at all was counted or measured on any of the days. */
export function isQuiet(days: readonly DayStats[]): boolean {
  return days.every(
    (day) =>
      day.activeUsers +
        day.signUps +
        day.posts +
        day.likes +
        day.comments +
        day.follows +
        day.feedRequests ===
      0,
  );
}

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

/** The period's totals in words, for a glance and for screen readers. */
export function activitySummary(days: readonly DayStats[]): string {
  const total = (figure: DayFigure) => days.reduce((sum, day) => sum + (day[figure] ?? 0), 0);
  return [
    plural(total('signUps'), 'sign-up'),
    plural(total('posts'), 'post'),
    plural(total('likes'), 'like'),
    plural(total('comments'), 'comment'),
    plural(total('follows'), 'follow'),
    plural(total('feedRequests'), 'feed read'),
  ].join(', ');
}

/** The days are UTC; uPlot labels its axis in the browser's zone unless told otherwise. */
const utcDate = (seconds: number) => {
  const date = new Date(seconds * 1000);
  return new Date(date.getTime() + date.getTimezoneOffset() * 60_000);
};

const countSteps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 100_000, 1_000_000];

function DailyChart({ days, spec }: { days: readonly DayStats[]; spec: DailyChartSpec }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const options: Options = {
      width: Math.max(260, element.clientWidth),
      height: 160,
      tzDate: utcDate,
      legend: { show: spec.lines.length > 1 },
      scales: { x: { time: true }, y: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [{}, spec.counts ? { size: 48, incrs: countSteps } : { size: 48 }],
      series: [
        {},
        ...spec.lines.map((line) => ({ label: line.label, stroke: line.color, width: 2, spanGaps: false })),
      ],
    };
    const plot = new uPlot(options, dailyChartData(days, spec), element);
    return () => plot.destroy();
  }, [days, spec]);
  return (
    <figure className="console-chart">
      <figcaption>
        <strong>{spec.title}</strong>
      </figcaption>
      <div ref={container} role="img" aria-label={`${spec.title} per day`} />
    </figure>
  );
}

export function Activity() {
  const [count, setCount] = useState<number>(dayChoices[0]);
  // The days with the count they answer, so a slower answer never shows under a newer choice.
  const [shown, setShown] = useState<{ count: number; days: DayStats[] } | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    adminApi<{ days: DayStats[] }>(`/stats?days=${count}`).then(
      (stats) => {
        if (!live) return;
        setShown({ count, days: stats.days });
        setError(undefined);
      },
      (caught: unknown) => live && setError(caught),
    );
    return () => {
      live = false;
    };
  }, [count]);
  return (
    <section aria-labelledby="activity-heading" className="console-panel">
      <h2 id="activity-heading">Activity</h2>
      <div className="console-row">
        <label htmlFor="activity-days">Days</label>
        <select id="activity-days" value={count} onChange={(event) => setCount(Number(event.target.value))}>
          {dayChoices.map((choice) => (
            <option key={choice} value={choice}>
              Last {choice} days
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={error} />
      {shown && isQuiet(shown.days) && (
        <p className="muted">
          No activity in the last {shown.count} days yet: nobody has signed up, written or read.
        </p>
      )}
      {shown && !isQuiet(shown.days) && (
        <>
          <p>
            Last {shown.count} days: {activitySummary(shown.days)}.
          </p>
          <div className="console-charts">
            {dailyCharts.map((spec) => (
              <DailyChart key={spec.title} days={shown.days} spec={spec} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
