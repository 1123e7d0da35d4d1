import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { passkeyUser, registerPasskey } from '../../../test/support/passkeys.ts';
import { deleteWebAuthnCredential } from './delete-webauthn-credential.ts';
import { listWebAuthnCredentials } from './list-webauthn-credentials.ts';

let pool: TestPool;
afterEach(() => pool.close());

const list = (AccessToken: string, page: { MaxResults?: number; NextToken?: string } = {}) =>
  listWebAuthnCredentials({ AccessToken, ...page }, pool.verifier, pool.services);

describe('listWebAuthnCredentials and deleteWebAuthnCredential', () => {
  it('lists page by page, and deletes only what the user has', async () => {
    pool = await testPool();
    const { accessToken, authenticator } = await passkeyUser(pool, 'ada@example.com');
    const second = await registerPasskey(pool, accessToken);
    const first = await list(accessToken, { MaxResults: 1 });
    expect(first.Credentials).toHaveLength(1);
    const rest = await list(accessToken, { MaxResults: 1, NextToken: first.NextToken! });
    expect(rest.NextToken).toBeUndefined();
    expect([...first.Credentials, ...rest.Credentials].map((c) => c.CredentialId).sort()).toEqual(
      [authenticator.credentialId, second.credentialId].sort(),
    );
    await failsWith(list(accessToken, { MaxResults: 21 }), 'InvalidParameterException');
    await failsWith(list(accessToken, { NextToken: 'forged' }), 'InvalidParameterException');

    const bob = await passkeyUser(pool, 'bob@example.com');
    const remove = (AccessToken: string, CredentialId: string) =>
      deleteWebAuthnCredential({ AccessToken, CredentialId }, pool.verifier, pool.services);
    await failsWith(remove(bob.accessToken, authenticator.credentialId), 'ResourceNotFoundException');
    await remove(accessToken, authenticator.credentialId);
    await failsWith(remove(accessToken, authenticator.credentialId), 'ResourceNotFoundException');
    expect((await list(accessToken)).Credentials.map((c) => c.CredentialId)).toEqual([second.credentialId]);
    expect((await list(bob.accessToken)).Credentials).toHaveLength(1);
  });
});
