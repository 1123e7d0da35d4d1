// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('aws-amplify/auth', () => ({
  fetchAuthSession: async () => ({
    tokens: { accessToken: { payload: {}, toString: () => 'access-token' } },
  }),
  signOut: async () => {},
}));
const { configureAmplify } = await import('../amplify.ts');
const { adminApi } = await import('./api.ts');

afterEach(() => vi.unstubAllGlobals());

/** The URL and authorization of the one request adminApi makes. */
async function requestOf(path: string): Promise<{ url: string; authorization: string | null }> {
  const seen: { url: string; authorization: string | null }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    seen.push({ url, authorization: new Headers(init.headers).get('authorization') });
    return new Response('{"alarms":[]}', { status: 200, headers: { 'content-type': 'application/json' } });
  });
  await adminApi(path);
  return seen[0]!;
}

describe('adminApi', () => {
  it('calls the deployment’s operator API when amplify_outputs.json names one, else /admin beside the app', async () => {
    configureAmplify({
      version: '1.4',
      custom: { operator_api_url: 'https://abc123.lambda-url.us-west-1.on.aws/' },
    });
    expect(await requestOf('/alarms')).toEqual({
      url: 'https://abc123.lambda-url.us-west-1.on.aws/admin/alarms',
      authorization: 'Bearer access-token',
    });
    configureAmplify({ version: '1.4' });
    expect((await requestOf('/alarms')).url).toBe('/admin/alarms');
  });
});
