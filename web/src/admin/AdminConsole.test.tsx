// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConsoleUser, SeriesHistory } from './api.ts';

const state = vi.hoisted(() => ({
  groups: [] as string[],
  gqlCalls: [] as { query: string; variables?: Record<string, unknown> }[],
  fetches: [] as { url: string; method: string; authorization: string | null }[],
  charts: [] as { title: string; destroyed: boolean }[],
}));
vi.mock('aws-amplify/auth', () => ({
  fetchAuthSession: async () => ({
    tokens: { accessToken: { payload: { 'cognito:groups': state.groups }, toString: () => 'access-token' } },
  }),
}));
vi.mock('../api/client.ts', () => ({
  gql: async (query: string, variables?: Record<string, unknown>) => {
    state.gqlCalls.push({ query, ...(variables ? { variables } : {}) });
    if (query.includes('ConsoleReports') && variables?.nextToken === 'page-2')
      return {
        reports: {
          items: [
            {
              id: 'r2',
              targetType: 'USER',
              reason: 'HARASSMENT',
              note: null,
              createdAt: '2026-12-07T01:05:00Z',
              post: null,
              comment: null,
              user: { id: 'u3', username: 'troll' },
              reporter: { id: 'u2', username: 'ada' },
            },
          ],
          nextToken: null,
        },
      };
    if (query.includes('ConsoleReports'))
      return {
        reports: {
          items: [
            {
              id: 'r1',
              targetType: 'POST',
              reason: 'SPAM',
              note: 'buy now',
              createdAt: '2026-12-07T01:00:00Z',
              post: { id: 'p1', description: 'cheap watches' },
              comment: null,
              user: { id: 'u1', username: 'spammer' },
              reporter: { id: 'u2', username: 'ada' },
            },
          ],
          nextToken: 'page-2',
        },
      };
    if (query.includes('ConsoleResolve')) return { resolveReport: { id: 'r1', status: 'RESOLVED' } };
    throw new Error(`unexpected ${query}`);
  },
}));
vi.mock('uplot', () => ({
  default: class {
    private readonly chart: { title: string; destroyed: boolean };
    constructor(options: { series: { label?: string }[] }) {
      this.chart = { title: options.series[1]?.label ?? '', destroyed: false };
      state.charts.push(this.chart);
    }
    destroy() {
      this.chart.destroyed = true;
    }
  },
}));
const { AdminConsole } = await import('./AdminConsole.tsx');
const { chartData, latestValue } = await import('./MetricChart.tsx');

const errorRate: SeriesHistory = {
  name: 'errorRate',
  title: 'Error rate',
  unit: '%',
  times: [1_000_000, 1_010_000, 1_020_000],
  values: [2, null, 4.5],
  thresholds: [{ alarm: 'HighErrorRate', value: 10, periodSeconds: 300 }],
};
const target: ConsoleUser = {
  sub: '0b5e1c9a-0000-4000-8000-000000000001',
  username: '0b5e1c9a-0000-4000-8000-000000000001',
  email: 'eve@example.com',
  enabled: true,
  status: 'CONFIRMED',
  createdAt: '2026-12-01T00:00:00Z',
  groups: [],
};

function answer(url: string, method: string): unknown {
  if (url === '/admin/metrics') return { periodSeconds: 10, series: [errorRate] };
  if (url === '/admin/alarms')
    return { alarms: [{ name: 'HighErrorRate', state: 'OK', reason: 'fine', stateChangedAt: '' }] };
  if (url.startsWith('/admin/cost'))
    return {
      projection: { factor: 1 },
      lines: [{ service: 'Cognito', item: 'MAU', quantity: 1, unit: 'MAU', cost: 1.5 }],
      total: 1.5,
      notes: [],
    };
  if (url === '/admin/backups') return { backups: [] };
  if (url === '/admin/stats?days=7') return { days: [] };
  if (url === '/admin/users?q=eve%40example.com') return { user: target };
  if (url === `/admin/users/${target.sub}/disable` && method === 'POST')
    return { user: { ...target, enabled: false } };
  throw new Error(`unexpected ${method} ${url}`);
}

beforeEach(() => {
  state.gqlCalls = [];
  state.fetches = [];
  state.charts = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const method = init.method ?? 'GET';
    state.fetches.push({ url, method, authorization: new Headers(init.headers).get('authorization') });
    return new Response(JSON.stringify(answer(url, method)), { status: 200 });
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

describe('the operator console', () => {
  it('tells a non-moderator it is for moderators only, and reads nothing', async () => {
    state.groups = ['readers'];
    render(<AdminConsole />);
    await settle();
    expect(screen.getByRole('heading', { name: 'Moderators only' })).toBeTruthy();
    expect(state.fetches).toEqual([]);
    expect(state.gqlCalls).toEqual([]);
  });

  it('resolves reports from the queue, page by page', async () => {
    state.groups = ['moderators'];
    render(<AdminConsole />);
    await settle();
    const report = screen.getByRole('listitem', { name: 'Report r1' });
    expect(report.textContent).toContain('cheap watches');
    expect(report.textContent).toContain('reported by @ada');
    fireEvent.click(screen.getByRole('button', { name: 'Remove content' }));
    await settle();
    expect(state.gqlCalls.at(-1)?.variables).toEqual({ id: 'r1', action: 'REMOVE_CONTENT' });
    expect(screen.queryByRole('listitem', { name: 'Report r1' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'More reports' }));
    await settle();
    expect(screen.getByRole('listitem', { name: 'Report r2' }).textContent).toContain('@troll');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    await settle();
    expect(state.gqlCalls.at(-1)?.variables).toEqual({ id: 'r2', action: 'DISMISS' });
    expect(screen.getByText('No open reports.')).toBeTruthy();
  });

  it("looks a user up and disables them with the moderator's token", async () => {
    state.groups = ['moderators'];
    render(<AdminConsole />);
    await settle();
    fireEvent.change(screen.getByLabelText('Email, @name or user id'), {
      target: { value: 'eve@example.com' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Find' }));
    await settle();
    expect(screen.getByLabelText('Found user').textContent).toContain('Enabled');
    fireEvent.click(screen.getByRole('button', { name: 'Disable' }));
    await settle();
    expect(screen.getByRole('status').textContent).toBe('Disabled.');
    expect(screen.getByRole('button', { name: 'Enable' })).toBeTruthy();
    const disable = state.fetches.find((call) => call.url.endsWith('/disable'));
    expect(disable).toEqual({
      url: `/admin/users/${target.sub}/disable`,
      method: 'POST',
      authorization: 'Bearer access-token',
    });
  });

  it('charts each metric with its alarm thresholds, and shows alarms, cost and backups', async () => {
    state.groups = ['moderators'];
    const { unmount } = render(<AdminConsole />);
    await settle();
    expect(state.charts.map((chart) => chart.title)).toEqual(['Error rate']);
    expect(screen.getByRole('img', { name: 'Error rate over the last hour' })).toBeTruthy();
    expect(screen.getByText('HighErrorRate above 10 %')).toBeTruthy();
    expect(screen.getByText('now 4.5 %')).toBeTruthy();
    expect(screen.getByText('OK')).toBeTruthy();
    expect(screen.getAllByText('$1.50')).toHaveLength(2);
    expect(screen.getByText(/No backups yet/)).toBeTruthy();
    unmount();
    expect(state.charts.every((chart) => chart.destroyed)).toBe(true);
  });

  it('keeps thresholds in the y range and leaves gaps where a period had no data', () => {
    const { data, yMax } = chartData(errorRate);
    expect(data).toEqual([
      [1000, 1010, 1020],
      [2, null, 4.5],
    ]);
    expect(yMax).toBeCloseTo(11.5);
    expect(chartData({ ...errorRate, values: [0, 0, 0], thresholds: [] }).yMax).toBe(1);
    expect(latestValue({ ...errorRate, values: [null, null, null] })).toBe('no data');
  });
});
