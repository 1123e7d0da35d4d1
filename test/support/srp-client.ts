/**
 * The client half of Cognito's SRP, from amazon-cognito-identity-js's own AuthenticationHelper, for
 * flows that library does not drive itself (USER_AUTH with PASSWORD_SRP).
 */
import { createHmac } from 'node:crypto';
import * as identityJs from 'amazon-cognito-identity-js';

interface BigInteger {
  toString(radix: number): string;
}
interface Helper {
  N: { constructor: new (hex: string, radix: number) => BigInteger };
  getLargeAValue(callback: (error: unknown, A: BigInteger) => void): void;
  getPasswordAuthenticationKey(
    userId: string,
    password: string,
    serverB: BigInteger,
    salt: BigInteger,
    callback: (error: unknown, key: Buffer) => void,
  ): void;
}
// The library exports its helpers without declaring them in its types.
const { AuthenticationHelper, DateHelper } = identityJs as unknown as {
  AuthenticationHelper: new (poolName: string) => Helper;
  DateHelper: new () => { getNowString(): string };
};

export interface SrpClient {
  /** SRP_A, for the first request. */
  A: string;
  /** The PASSWORD_VERIFIER answer to the server's challenge parameters. */
  answer(
    parameters: Record<string, string>,
    password: string,
  ): Promise<{
    PASSWORD_CLAIM_SECRET_BLOCK: string;
    PASSWORD_CLAIM_SIGNATURE: string;
    TIMESTAMP: string;
    USERNAME: string;
  }>;
}

export async function srpClient(userPoolId: string): Promise<SrpClient> {
  const poolName = userPoolId.split('_')[1] ?? userPoolId;
  const helper = new AuthenticationHelper(poolName);
  const A = await new Promise<BigInteger>((resolve, reject) =>
    helper.getLargeAValue((error, value) => (error ? reject(error as Error) : resolve(value))),
  );
  const big = (hex: string) => new helper.N.constructor(hex, 16);
  return {
    A: A.toString(16),
    async answer(parameters, password) {
      const userId = parameters.USER_ID_FOR_SRP ?? '';
      const secretBlock = parameters.SECRET_BLOCK ?? '';
      const key = await new Promise<Buffer>((resolve, reject) =>
        helper.getPasswordAuthenticationKey(
          userId,
          password,
          big(parameters.SRP_B ?? ''),
          big(parameters.SALT ?? ''),
          (error, value) => (error ? reject(error as Error) : resolve(value)),
        ),
      );
      const timestamp = new DateHelper().getNowString();
      const signature = createHmac('sha256', key)
        .update(
          Buffer.concat([
            Buffer.from(poolName),
            Buffer.from(userId),
            Buffer.from(secretBlock, 'base64'),
            Buffer.from(timestamp),
          ]),
        )
        .digest('base64');
      return {
        PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
        PASSWORD_CLAIM_SIGNATURE: signature,
        TIMESTAMP: timestamp,
        USERNAME: parameters.USERNAME ?? userId,
      };
    },
  };
}
