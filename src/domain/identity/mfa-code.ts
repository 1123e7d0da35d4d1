import { recordFailure } from './initiate-auth.ts';
import { fail, userKeys, type IdentityServices, type UserRecord } from './model.ts';
import { base32Decode, matchTotp } from './totp.ts';

/**
 * The second factor at sign-in (RespondToAuthChallenge and the hosted UI): a TOTP code for the user's
 * confirmed secret, ±1 step, each step once. A wrong code counts towards the lockout.
 */
export async function claimTotpCode(
  user: UserRecord,
  code: string,
  services: IdentityServices,
): Promise<void> {
  const { users, clock } = services;
  const lastStep = user.totpLastStep ?? -1;
  const step = user.totpSecret
    ? matchTotp(base32Decode(user.totpSecret), code, clock.now(), lastStep)
    : undefined;
  if (step === undefined) {
    await recordFailure(user, services, 'Mfa');
    fail('CodeMismatchException', 'Invalid code received for user');
  }
  // The step is claimed conditionally: two requests with one code cannot both win.
  try {
    await users.update({
      key: userKeys.user(user.sub),
      set: { totpLastStep: step },
      conditions:
        user.totpLastStep === undefined
          ? [{ op: 'attributeNotExists', attribute: 'totpLastStep' }]
          : [{ op: '=', attribute: 'totpLastStep', value: lastStep }],
    });
  } catch {
    fail('CodeMismatchException', 'Invalid code received for user');
  }
}
