// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DayStats } from './api.ts';

const state = vi.hoisted(() => ({
  answers: new Map<string, { status: number; body: unknown }>(),
  fetches: [] as { url: string; authorization: string | null }[],
  charts: [] as { title: string; data: unknown; destroyed: boolean }[],
}));
vi.mock('aws-amplify/auth', () => ({
  fetchAuthSession: async () => ({
    tokens: {
      accessToken: { payload: { 'cognito:groups': ['moderators'] }, toString: () => 'access-token' },
    },
  }),
}));
vi.mock('uplot', () => ({
  default: class {
    private readonly chart: { title: string; data: unknown; destroyed: boolean };
    constructor(options: { series: { label?: string }[] }, data: unknown) {
      const labels = options.series.slice(1).map((series) => series.label);
      this.chart = { title: labels.join(' '), data, destroyed: false };
      state.charts.push(this.chart);
    }
    destroy() {
      this.chart.destroyed = true;
    }
  },
}));
const { Activity, activitySummary, dailyChartData, dailyCharts, isQuiet } = await import('./Activity.tsx');

const quiet = (day: string): DayStats => ({
  day,
  activeUsers: 0,
  signUps: 0,
  posts: 0,
  likes: 0,
  comments: 0,
  follows: 0,
  feedRequests: 0,
  feedP50Ms: null,
  feedP99Ms: null,
});
const busy: DayStats = {
  day: '2026-12-07',
  activeUsers: 3,
  signUps: 2,
  posts: 1,
  likes: 4,
  comments: 1,
  follows: 2,
  feedRequests: 9,
  feedP50Ms: 3.2,
  feedP99Ms: 24.5,
};

beforeEach(() => {
  state.answers.clear();
  state.fetches = [];
  state.charts = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    state.fetches.push({ url, authorization: new Headers(init.headers).get('authorization') });
    const answer = state.answers.get(url);
    if (!answer) throw new Error(`unexpected ${url}`);
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

describe('the console activity', () => {
  it('says there is no activity yet, and draws nothing, when every day is quiet', async () => {
    state.answers.set('/admin/stats?days=7', {
      status: 200,
      body: { days: [quiet('2026-12-06'), quiet('2026-12-07')] },
    });
    render(<Activity />);
    await settle();
    expect(screen.getByText(/No activity in the last 7 days yet/)).toBeTruthy();
    expect(state.charts).toEqual([]);
    expect(state.fetches).toEqual([{ url: '/admin/stats?days=7', authorization: 'Bearer access-token' }]);
  });

  it('charts the days with their totals, and reads again for another number of days', async () => {
    state.answers.set('/admin/stats?days=7', { status: 200, body: { days: [quiet('2026-12-06'), busy] } });
    state.answers.set('/admin/stats?days=30', {
      status: 200,
      body: { days: [busy, { ...busy, day: '2026-12-08', posts: 2 }] },
    });
    const { unmount } = render(<Activity />);
    await settle();
    expect(state.charts.map((chart) => chart.title)).toEqual([
      'Active users',
      'Sign-ups',
      'Posts Likes Comments Follows',
      'p50 p99',
    ]);
    expect(screen.getByRole('img', { name: 'Home feed latency (ms) per day' })).toBeTruthy();
    expect(
      screen.getByText('Last 7 days: 2 sign-ups, 1 post, 4 likes, 1 comment, 2 follows, 9 feed reads.'),
    ).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Days'), { target: { value: '30' } });
    await settle();
    expect(state.fetches.map((call) => call.url)).toEqual(['/admin/stats?days=7', '/admin/stats?days=30']);
    expect(screen.getByText(/^Last 30 days: 4 sign-ups, 3 posts,/)).toBeTruthy();
    expect(state.charts.slice(0, 4).every((chart) => chart.destroyed)).toBe(true);
    expect(state.charts.at(-1)?.data).toEqual([
      [Date.parse('2026-12-07T00:00:00Z') / 1000, Date.parse('2026-12-08T00:00:00Z') / 1000],
      [3.2, 3.2],
      [24.5, 24.5],
    ]);
    unmount();
    expect(state.charts.every((chart) => chart.destroyed)).toBe(true);
  });

  it("shows the server's refusal", async () => {
    state.answers.set('/admin/stats?days=7', {
      status: 403,
      body: { error: 'Forbidden', message: 'For the moderators group only' },
    });
    render(<Activity />);
    await settle();
    expect(screen.getByRole('alert').textContent).toBeTruthy();
    expect(state.charts).toEqual([]);
  });

  it('gives uPlot UTC midnights and leaves unmeasured latency as gaps', () => {
    const latency = dailyCharts.find((spec) => spec.title.startsWith('Home feed'))!;
    expect(dailyChartData([quiet('2026-12-06'), busy], latency)).toEqual([
      [Date.parse('2026-12-06T00:00:00Z') / 1000, Date.parse('2026-12-07T00:00:00Z') / 1000],
      [null, 3.2],
      [null, 24.5],
    ]);
    expect(isQuiet([quiet('2026-12-06')])).toBe(true);
    expect(isQuiet([{ ...quiet('2026-12-06'), feedRequests: 1 }])).toBe(false);
    expect(activitySummary([quiet('2026-12-06')])).toBe(
      '0 sign-ups, 0 posts, 0 likes, 0 comments, 0 follows, 0 feed reads',
    );
  });
});
