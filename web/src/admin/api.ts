/**
 * The operator console's door to the server: the JSON routes under /admin, with the signed-in
 * moderator's access token (the server checks its `cognito:groups`), and the GraphQL moderation fields.
 */
import { fetchAuthSession } from 'aws-amplify/auth';
import { adminApiBase } from '../amplify.ts';
import { ApiError } from '../api/errors.ts';

export const moderatorsGroup = 'moderators';

/** The signed-in user's groups, as their access token names them. */
export async function signedInGroups(): Promise<string[]> {
  const { tokens } = await fetchAuthSession();
  const groups = tokens?.accessToken.payload['cognito:groups'];
  return Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [];
}

export async function adminApi<T>(
  path: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' = 'GET',
): Promise<T> {
  const { tokens } = await fetchAuthSession();
  if (!tokens) throw new ApiError('Unauthorized', 'Not signed in');
  let response: Response;
  try {
    response = await fetch(`${adminApiBase()}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.accessToken.toString()}`, accept: 'application/json' },
    });
  } catch {
    throw new ApiError('NetworkError', 'Plaza cannot be reached');
  }
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!response.ok) throw new ApiError(body.error ?? `HTTP ${response.status}`, body.message ?? '');
  return body as T;
}

export interface SeriesHistory {
  name: string;
  title: string;
  unit: string;
  times: number[];
  values: (number | null)[];
  thresholds: { alarm: string; value: number; periodSeconds: number }[];
}

/** One UTC day of analytics, as `GET /admin/stats` and `plaza stats --json` give it. */
export interface DayStats {
  day: string;
  activeUsers: number;
  signUps: number;
  posts: number;
  likes: number;
  comments: number;
  follows: number;
  feedRequests: number;
  /** Milliseconds; null on a day without a feed read. */
  feedP50Ms: number | null;
  feedP99Ms: number | null;
}

export interface ConsoleUser {
  sub: string;
  username: string;
  email?: string;
  enabled: boolean;
  status: string;
  createdAt: string;
  groups: string[];
}

export interface AlarmStatus {
  name: string;
  description?: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  reason: string;
  stateChangedAt: string;
}

export interface BackupSummary {
  id: string;
  createdAt: string;
  completedAt: string;
  databaseBytes: number;
  mediaObjects: number;
  mediaBytes: number;
}

export interface CostReport {
  projection: { mau?: number; scale?: number; factor: number };
  lines: { service: string; item: string; quantity: number; unit: string; cost: number }[];
  total: number;
  notes: string[];
}
