/**
 * Conformance to Cognito Identity's published model (test/identity/model), generated from it as
 * cognito-conformance.test.ts does for the user pool: for every operation Plaza serves, inputs
 * that break the model's constraints get a 400 with an error the operation declares, no input gets
 * a 5xx, and valid calls answer in the shape of the operation's output. Requests are sent raw and
 * signed with the development admin key, so the developer operations are reached too.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAndSignIn } from '../support/cognito-users.ts';
import { startPoolApp, type PoolApp } from '../support/pool-app.ts';
import { loadServiceModel } from './cognito-model.ts';

const { model, shape, declaredErrors, sample, wrongType, departures } = loadServiceModel(
  'cognito-identity-2014-06-30.json',
);

/** The operations issue 18 names: each must exist. */
const contracted = [
  'GetId',
  'GetCredentialsForIdentity',
  'GetOpenIdToken',
  'DescribeIdentityPool',
  'DescribeIdentity',
  'ListIdentities',
  'GetIdentityPoolRoles',
  'UnlinkIdentity',
];

let pool: PoolApp;
let poolId: string;
let guestId: string;
const implemented: string[] = [];

interface Answer {
  status: number;
  type: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

async function call(operation: string, body: unknown): Promise<Answer> {
  const target = new URL(pool.url);
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const signed = await new SignatureV4({
    service: 'cognito-identity',
    region: 'us-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    sha256: Sha256,
  }).sign({
    method: 'POST',
    protocol: 'http:',
    hostname: target.hostname,
    port: Number(target.port),
    path: '/',
    headers: {
      host: target.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${model.metadata.targetPrefix}.${operation}`,
    },
    body: payload,
  });
  const response = await fetch(pool.url, {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body: payload,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, type: (json as { __type?: string } | undefined)?.__type, json };
}

beforeAll(async () => {
  pool = await startPoolApp('identity-conformance');
  poolId = pool.app.identity.identityPool!.settings.identityPoolId;
  guestId = (await call('GetId', { IdentityPoolId: poolId })).json.IdentityId;
  for (const operation of Object.keys(model.operations)) {
    const answer = await call(operation, {});
    if (answer.type !== 'UnknownOperationException') implemented.push(operation);
  }
});
afterAll(() => pool?.close());

/** A valid-looking input: every required member sampled, the pool's and a guest's real ids where asked. */
function base(operation: string): Record<string, unknown> {
  const input = model.operations[operation]?.input;
  if (!input) return {};
  const body = sample(input.shape) as Record<string, unknown>;
  const members = shape(input.shape).members ?? {};
  if ('IdentityPoolId' in members) body.IdentityPoolId = poolId;
  if ('IdentityId' in members) body.IdentityId = guestId;
  return body;
}

function members(operation: string): [string, string][] {
  const input = model.operations[operation]?.input;
  if (!input) return [];
  return Object.entries(shape(input.shape).members ?? {}).map(([name, member]) => [name, member.shape]);
}

async function refusals(cases: { operation: string; what: string; body: unknown }[]): Promise<string[]> {
  const failures: string[] = [];
  for (const { operation, what, body } of cases) {
    const answer = await call(operation, body);
    if (answer.status !== 400 || !answer.type || !declaredErrors(operation).has(answer.type))
      failures.push(`${operation} ${what}: ${answer.status} ${answer.type ?? JSON.stringify(answer.json)}`);
  }
  return failures;
}

describe("Cognito Identity's service model", () => {
  it('is implemented for every operation the issue names, and for no operation it does not', () => {
    expect(contracted.filter((operation) => !implemented.includes(operation))).toEqual([]);
    expect(implemented.filter((operation) => !contracted.includes(operation))).toEqual([]);
  });

  it('refuses a missing required member with a declared error', async () => {
    const cases = implemented.flatMap((operation) => {
      const input = model.operations[operation]?.input;
      return (input ? (shape(input.shape).required ?? []) : []).map((member) => {
        const body = base(operation);
        delete body[member];
        return { operation, what: `without ${member}`, body };
      });
    });
    expect(await refusals(cases)).toEqual([]);
  });

  it('refuses a member of the wrong type, or a string over its length, with a declared error', async () => {
    const cases = implemented.flatMap((operation) =>
      members(operation).flatMap(([member, memberShape]) => {
        const s = shape(memberShape);
        return [
          {
            operation,
            what: `with ${member} of the wrong type`,
            body: { ...base(operation), [member]: wrongType(memberShape) },
          },
          ...(s.type === 'string' && s.max !== undefined && s.max < 100_000
            ? [
                {
                  operation,
                  what: `with ${member} of ${s.max + 1} characters`,
                  body: { ...base(operation), [member]: 'a'.repeat(s.max + 1) },
                },
              ]
            : []),
        ];
      }),
    );
    expect(await refusals(cases)).toEqual([]);
  });

  it('refuses an unknown identity pool or identity with a declared error', async () => {
    const cases = implemented.flatMap((operation) =>
      members(operation).flatMap(([member]) =>
        member === 'IdentityPoolId' || member === 'IdentityId'
          ? [
              {
                operation,
                what: `with an unknown ${member}`,
                body: { ...base(operation), [member]: 'us-west-1:00000000-0000-4000-a000-000000000000' },
              },
            ]
          : [],
      ),
    );
    expect(await refusals(cases)).toEqual([]);
  });

  it('answers a body that is not JSON with SerializationException, and never a 5xx', async () => {
    for (const operation of implemented) {
      for (const body of ['{', '[]', 'null', '"text"', '{"a":']) {
        const answer = await call(operation, body);
        expect({ operation, body, below500: answer.status < 500, type: typeof answer.type }).toEqual({
          operation,
          body,
          below500: true,
          type: 'string',
        });
      }
    }
    expect((await call('GetId', '{')).type).toBe('SerializationException');
  });

  it('answers valid calls in the shape of their output', async () => {
    const user = await signUpAndSignIn(pool.cognito, {
      clientId: pool.clientId,
      dataDir: pool.dir,
      email: 'identity-conformance@example.com',
      password: 'correct horse battery',
    });
    const Logins = { [`${new URL(pool.url).host}/${pool.userPoolId}`]: user.idToken };
    const answers: [string, Answer][] = [];
    const valid = async (operation: string, body: object) => {
      const answer = await call(operation, body);
      expect({ operation, status: answer.status, json: answer.json }).toMatchObject({
        operation,
        status: 200,
      });
      answers.push([operation, answer]);
      return answer.json;
    };
    const { IdentityId } = await valid('GetId', { IdentityPoolId: poolId, Logins });
    await valid('GetCredentialsForIdentity', { IdentityId, Logins });
    await valid('GetCredentialsForIdentity', { IdentityId: guestId });
    await valid('GetOpenIdToken', { IdentityId, Logins });
    await valid('DescribeIdentityPool', { IdentityPoolId: poolId });
    await valid('GetIdentityPoolRoles', { IdentityPoolId: poolId });
    await valid('DescribeIdentity', { IdentityId });
    await valid('ListIdentities', { IdentityPoolId: poolId, MaxResults: 1 });
    await valid('UnlinkIdentity', { IdentityId, Logins, LoginsToRemove: Object.keys(Logins) });
    const problems = answers.flatMap(([operation, answer]) => {
      const output = model.operations[operation]?.output;
      return output ? departures(output.shape, answer.json).map((problem) => `${operation} ${problem}`) : [];
    });
    expect(problems).toEqual([]);
  });
});
