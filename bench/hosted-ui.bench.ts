/**
 * The hosted UI's token endpoint: authorization-code redemptions per second at
 * POST /oauth2/token over HTTP (the code used up, PKCE checked, the user read,
 * access, ID and refresh tokens issued) against bare jose signatures of the same
 * two tokens in the same run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { createApp } from '../src/app/app.ts';
import { issueAuthorizationCode } from '../src/domain/identity/oauth.ts';
import { oauthToken } from '../src/domain/identity/oauth-token.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { printTable, throughput } from './harness.ts';
import { signedInUser } from './users.ts';

export async function hostedUiBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-hosted-ui-'));
  const app = await createApp(
    loadConfig({ DATA_DIR: dir, PORT: '0', PLAZA_SQLITE_SYNCHRONOUS: 'NORMAL' }, dir),
    { logger: createLogger({ level: 'silent' }) },
  );
  const url = await app.listen();
  const services = app.identity.services;
  if (!services) throw new Error('The benchmark needs the embedded user pool');
  const { sub } = await signedInUser('bench-hosted@example.com', 'correct horse battery staple', services);

  const verifier = randomBytes(32).toString('base64url');
  const request = {
    clientId: services.pool.clientId,
    redirectUri: 'http://localhost:5173/',
    state: undefined,
    scopes: ['openid', 'email', 'profile'],
    codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
    nonce: 'n',
    identityProvider: undefined,
  };
  // Codes issued up front, as /login would have: the measurement is the redemption only.
  const codes: string[] = [];
  const authTime = Math.floor(Date.now() / 1000);
  for (let i = 0; i < 8000; i++) codes.push(await issueAuthorizationCode(request, sub, authTime, services));
  let next = 0;
  const concurrency = 4;
  const redeem = async () => {
    const code = codes[next++];
    if (code === undefined) throw new Error('out of codes: issue more');
    const response = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: request.clientId,
        code,
        redirect_uri: request.redirectUri,
        code_verifier: verifier,
      }),
    });
    if (response.status !== 200) throw new Error(`redemption failed: ${response.status}`);
    await response.arrayBuffer();
  };
  await redeem();
  const plaza = await throughput(redeem, concurrency, 3);
  // The same redemption without HTTP: how much of the cost is the endpoint's own work.
  const direct = await throughput(
    () =>
      oauthToken(
        {
          grant_type: 'authorization_code',
          client_id: request.clientId,
          code: codes[next++],
          redirect_uri: request.redirectUri,
          code_verifier: verifier,
        },
        services,
      ),
    concurrency,
    3,
  );

  // The bare reference: the same two RS256 signatures with jose, nothing else.
  const { privateKey } = await generateKeyPair('RS256');
  const claims = { sub, iss: services.pool.issuer, token_use: 'access', scope: 'openid email profile' };
  const bare = await throughput(
    async () => {
      for (const use of ['access', 'id']) {
        await new SignJWT({ ...claims, token_use: use })
          .setProtectedHeader({ alg: 'RS256', kid: 'k' })
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(privateKey);
      }
    },
    concurrency,
    3,
  );
  printTable('Hosted UI: /oauth2/token authorization-code redemptions (HTTP, 4 at once)', [
    {
      benchmark: 'code redemption at /oauth2/token vs bare jose sign of access + ID token',
      plaza,
      bare,
      // The HTTP client shares the process (and its cores) with the server.
      goal: '≥ 0.1× bare',
      ok: plaza >= 0.1 * bare,
    },
    {
      benchmark: 'code redemption in process (oauthToken) vs bare jose sign',
      plaza: direct,
      bare,
      goal: '≥ 0.4× bare',
      ok: direct >= 0.4 * bare,
    },
  ]);
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
