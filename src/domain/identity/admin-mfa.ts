/**
 * MFA in the back office: a user's preference (AdminSetUserMFAPreference) and the pool's
 * configuration (GetUserPoolMfaConfig, SetUserPoolMfaConfig). The pool offers software tokens
 * (TOTP); whether they are optional or required is `userPool.mfa` in plaza.config.json, read at
 * start, so SetUserPoolMfaConfig accepts the configuration in force and refuses changes.
 */
import { userNamed } from './admin-users.ts';
import { fail, userKeys, type IdentityServices } from './model.ts';

type MfaSettings = { Enabled?: boolean; PreferredMfa?: boolean } | undefined;

export async function adminSetUserMfaPreference(
  request: {
    Username: string;
    SoftwareTokenMfaSettings?: MfaSettings;
    SMSMfaSettings?: MfaSettings;
    EmailMfaSettings?: MfaSettings;
    WebAuthnMfaSettings?: { Enabled?: boolean };
  },
  services: IdentityServices,
) {
  const user = await userNamed(request.Username, services);
  for (const [name, settings] of [
    ['SMS', request.SMSMfaSettings],
    ['Email', request.EmailMfaSettings],
    ['WebAuthn', request.WebAuthnMfaSettings],
  ] as const) {
    if (settings?.Enabled === true)
      fail('InvalidParameterException', `${name} MFA is not available in this user pool.`);
  }
  const settings = request.SoftwareTokenMfaSettings;
  if (!settings || settings.Enabled === undefined) return {};
  if (settings.PreferredMfa === true && !settings.Enabled)
    fail('InvalidParameterException', 'A disabled MFA method cannot be preferred.');
  if (settings.Enabled && !user.totpSecret)
    fail('InvalidParameterException', 'User has not verified software token mfa');
  await services.users.update({
    key: userKeys.user(user.sub),
    set: { mfaEnabled: settings.Enabled, lastModified: services.clock.now() },
    conditions: [{ op: 'itemExists' }],
  });
  return {};
}

export function getUserPoolMfaConfig(services: Pick<IdentityServices, 'pool'>) {
  return Promise.resolve({
    MfaConfiguration: services.pool.mfa,
    SoftwareTokenMfaConfiguration: { Enabled: true },
  });
}

const mfaConfigurations = new Set(['OFF', 'ON', 'OPTIONAL']);

export function setUserPoolMfaConfig(
  request: {
    MfaConfiguration?: string;
    SoftwareTokenMfaConfiguration?: { Enabled?: boolean };
    SmsMfaConfiguration?: object;
    EmailMfaConfiguration?: object;
    WebAuthnConfiguration?: object;
  },
  services: Pick<IdentityServices, 'pool'>,
) {
  const { pool } = services;
  const wanted = request.MfaConfiguration;
  if (wanted !== undefined && !mfaConfigurations.has(wanted))
    fail('InvalidParameterException', 'MfaConfiguration must be one of OFF, ON, OPTIONAL');
  const configured = `userPool.mfa in plaza.config.json ("${pool.mfa}"), read at start`;
  if (wanted !== undefined && wanted !== pool.mfa)
    fail('InvalidParameterException', `The pool's MFA is ${configured}: change it there and restart.`);
  if (request.SoftwareTokenMfaConfiguration?.Enabled === false)
    fail('InvalidParameterException', 'Software token MFA is always available in this user pool.');
  if (request.SmsMfaConfiguration || request.EmailMfaConfiguration || request.WebAuthnConfiguration)
    fail('InvalidParameterException', 'Only software token MFA is available in this user pool.');
  return getUserPoolMfaConfig(services);
}
