/**
 * MFA in the back office: a user's preference (AdminSetUserMFAPreference) and the pool's
 * configuration (GetUserPoolMfaConfig, SetUserPoolMfaConfig). The pool offers software tokens
 * (TOTP) and SMS; whether MFA is off, optional or required is `userPool.mfa` in plaza.config.json,
 * read at start, so SetUserPoolMfaConfig accepts the configuration in force and refuses changes.
 * Its SmsMfaConfiguration (the message, SNS's caller role) and WebAuthnConfiguration (the passkeys'
 * relying party id and user verification) are kept in the pool's table.
 */
import { userNamed } from './admin-users.ts';
import { fail, type IdentityServices } from './model.ts';
import { setMfaPreference, type MfaPreferenceRequest } from './mfa-preference.ts';
import { saveSmsMfaConfiguration, smsMfaConfiguration } from './sms.ts';
import { saveWebAuthnConfiguration, webAuthnConfiguration, type WebAuthnConfiguration } from './webauthn.ts';

export async function adminSetUserMfaPreference(
  request: MfaPreferenceRequest & { Username: string },
  services: IdentityServices,
) {
  return setMfaPreference(await userNamed(request.Username, services), request, services);
}

export async function getUserPoolMfaConfig(services: Pick<IdentityServices, 'pool' | 'users'>) {
  const { pool } = services;
  return {
    MfaConfiguration: pool.mfa,
    SoftwareTokenMfaConfiguration: { Enabled: pool.mfa !== 'OFF' },
    ...(pool.mfa === 'OFF' ? {} : { SmsMfaConfiguration: await smsMfaConfiguration(services) }),
    ...(await webAuthnConfiguration(services)),
  };
}

const mfaConfigurations = new Set(['OFF', 'ON', 'OPTIONAL']);

export async function setUserPoolMfaConfig(
  request: {
    MfaConfiguration?: string;
    SoftwareTokenMfaConfiguration?: { Enabled?: boolean };
    SmsMfaConfiguration?: Parameters<typeof saveSmsMfaConfiguration>[0];
    EmailMfaConfiguration?: object;
    WebAuthnConfiguration?: WebAuthnConfiguration;
  },
  services: Pick<IdentityServices, 'pool' | 'users'>,
) {
  const { pool } = services;
  const wanted = request.MfaConfiguration;
  if (wanted !== undefined && !mfaConfigurations.has(wanted))
    fail('InvalidParameterException', 'MfaConfiguration must be one of OFF, ON, OPTIONAL');
  const configured = `userPool.mfa in plaza.config.json ("${pool.mfa}"), read at start`;
  if (wanted !== undefined && wanted !== pool.mfa)
    fail('InvalidParameterException', `The pool's MFA is ${configured}: change it there and restart.`);
  if (request.SoftwareTokenMfaConfiguration?.Enabled === false && pool.mfa !== 'OFF')
    fail('InvalidParameterException', 'Software token MFA is always available when MFA is not OFF.');
  if (request.EmailMfaConfiguration)
    fail('InvalidParameterException', 'Only software token and SMS MFA are available in this user pool.');
  if (request.WebAuthnConfiguration) await saveWebAuthnConfiguration(request.WebAuthnConfiguration, services);
  if (request.SmsMfaConfiguration) await saveSmsMfaConfiguration(request.SmsMfaConfiguration, services);
  return getUserPoolMfaConfig(services);
}
