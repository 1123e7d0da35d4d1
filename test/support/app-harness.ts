/**
 * A Plaza server for an end-to-end test: a fresh DATA_DIR, a free port, and
 * user-pool tokens from a test key pair (verified exactly as Amazon Cognito's).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { jwksIdentityVerifier } from '../../src/adapters/jose/jwks-identity-verifier.ts';
import { createApp, type App, type AppOverrides } from '../../src/app/app.ts';
import { createProfile } from '../../src/domain/social/create-profile.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemClock } from '../../src/ports/clock.ts';

export interface GraphQLResponse {
  status: number;
  // Response shapes vary by query; the assertions check them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: Record<string, any> | null;
  errors?: { errorType: string; message: string; path?: unknown }[];
}

export interface TestServer {
  app: App;
  url: string;
  dir: string;
  gql(token: string | undefined, query: string, variables?: object): Promise<GraphQLResponse>;
  newUser(name: string): Promise<{ id: string; token: string }>;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    env?: Record<string, string>;
    configFile?: object;
    overrides?: AppOverrides;
    /** Another server's data directory, to share its table (the caller's to remove). */
    dir?: string;
  } = {},
): Promise<TestServer> {
  const issuer = 'https://cognito-idp.us-west-1.amazonaws.com/us-west-1_TestPool1';
  const clientId = 'plazatestclient';
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'plaza-test-'));
  if (options.configFile) writeFileSync(join(dir, 'plaza.config.json'), JSON.stringify(options.configFile));
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' } as JWK;
  const sign = (sub: string) =>
    new SignJWT({ token_use: 'access', client_id: clientId, username: sub })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  const config = loadConfig({ DATA_DIR: dir, PORT: '0', ...options.env }, dir);
  const app = await createApp(config, {
    logger: createLogger({ level: process.env.TEST_LOG ?? 'silent' }),
    identity: jwksIdentityVerifier({
      issuer,
      clientIds: [clientId],
      keys: createLocalJWKSet({ keys: [jwk] }),
      clock: systemClock,
    }),
    ...options.overrides,
  });
  const url = await app.listen();
  const gql = async (token: string | undefined, query: string, variables?: object) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse, 'status'>) };
  };
  return {
    app,
    url,
    dir,
    gql,
    async newUser(name) {
      const id = randomUUID();
      await createProfile({ userId: id, email: `${name}@example.com` }, app.social);
      return { id, token: await sign(id) };
    },
    async close() {
      await app.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
