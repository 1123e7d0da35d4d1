/**
 * The identity pool's rows of the identity benchmark: GetCredentialsForIdentity per second beside
 * the one consistent read of the identity it makes, and a SigV4-signed GraphQL request's check
 * (session token, derived secret — both remembered per token — and signature) beside a bare @smithy/signature-v4 re-signing of the
 * same request with its secret known.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { timingSafeEqual } from 'node:crypto';
import type { App } from '../src/app/app.ts';
import { identityPoolIam } from '../src/app/identity.ts';
import { getCredentialsForIdentity } from '../src/domain/identity-pools/get-credentials-for-identity.ts';
import { getId } from '../src/domain/identity-pools/get-id.ts';
import { identityKeys } from '../src/domain/identity-pools/model.ts';
import { NodeSha256, type IncomingSignedRequest } from '../src/edge/http/sigv4-verifier.ts';
import type { Config } from '../src/platform/config.ts';
import { median, throughput, type Row } from './harness.ts';

export async function identityPoolRows(app: App, config: Config): Promise<Row[]> {
  const pool = app.identity.identityPool;
  if (!pool) throw new Error('The benchmark needs the identity pool');
  const { IdentityId } = await getId({ IdentityPoolId: pool.settings.identityPoolId }, pool);
  const credentialsPlaza = await throughput(() => getCredentialsForIdentity({ IdentityId }, pool), 8, 2);
  const credentialsBare = await throughput(
    () => pool.store.get(identityKeys.identity(IdentityId), { consistent: true }),
    8,
    2,
  );

  const { Credentials } = await getCredentialsForIdentity({ IdentityId }, pool);
  const credentials = {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretKey,
    sessionToken: Credentials.SessionToken,
  };
  const body = JSON.stringify({ query: '{ recentPosts(limit: 20) { items { id description } } }' });
  const signingDate = new Date(app.clock.now());
  const signed = await new SignatureV4({
    service: 'appsync',
    region: config.region,
    credentials,
    sha256: NodeSha256,
  }).sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/graphql',
      headers: { host: '127.0.0.1:4000', 'content-type': 'application/json' },
      body,
    },
    { signingDate },
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const request: IncomingSignedRequest = { method: 'POST', path: '/graphql', query: '', headers, body };
  const iam = identityPoolIam(config, pool);
  const signature = Buffer.from(/Signature=([0-9a-f]{64})/.exec(String(headers.authorization))![1]!, 'hex');
  const signedHeaders = new Set(/SignedHeaders=([^,]+)/.exec(String(headers.authorization))![1]!.split(';'));
  // The bare reference: the same library re-signs the same request with the secret in hand.
  const bareVerify = async () => {
    const again = await new SignatureV4({
      service: 'appsync',
      region: config.region,
      credentials,
      sha256: NodeSha256,
      applyChecksum: false,
    }).sign(
      {
        method: 'POST',
        protocol: 'https:',
        hostname: '127.0.0.1',
        path: '/graphql',
        query: {},
        headers: Object.fromEntries([...signedHeaders].map((name) => [name, String(headers[name])])),
        body,
      },
      { signingDate, signableHeaders: signedHeaders },
    );
    const computed = Buffer.from(
      /Signature=([0-9a-f]{64})/.exec(String(again.headers.authorization))![1]!,
      'hex',
    );
    if (!timingSafeEqual(computed, signature)) throw new Error('the bare verification failed');
  };
  await bareVerify();
  await iam.caller(request);
  const plazaRounds: number[] = [];
  const bareRounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    bareRounds.push(await throughput(bareVerify, 1, 1));
    plazaRounds.push(await throughput(() => iam.caller(request), 1, 1));
  }
  return [
    {
      benchmark: 'GetCredentialsForIdentity (guest) vs its one consistent read',
      plaza: credentialsPlaza,
      bare: credentialsBare,
      goal: '≥ 0.5× bare',
      ok: credentialsPlaza >= 0.5 * credentialsBare,
    },
    {
      benchmark: 'SigV4 check of a GraphQL request vs bare @smithy/signature-v4 (median of 3)',
      plaza: median(plazaRounds),
      bare: median(bareRounds),
      goal: '≥ 0.8× bare',
      ok: median(plazaRounds) >= 0.8 * median(bareRounds),
    },
  ];
}
