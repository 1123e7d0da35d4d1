/**
 * A user's MFA methods and preference, as SetUserMFAPreference and AdminSetUserMFAPreference set them:
 * software tokens (TOTP, once verified) and SMS (to a verified phone_number). Settings left out, or
 * without Enabled, change nothing; a method turned off stops being the preferred one.
 */
import { fail, userKeys, type IdentityServices, type UserRecord } from './model.ts';
import { verifiedPhone } from './sms.ts';

type MfaSettings = { Enabled?: boolean; PreferredMfa?: boolean } | undefined;

export interface MfaPreferenceRequest {
  SoftwareTokenMfaSettings?: MfaSettings;
  SMSMfaSettings?: MfaSettings;
  EmailMfaSettings?: MfaSettings;
  WebAuthnMfaSettings?: { Enabled?: boolean };
}

type Method = 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA';

export async function setMfaPreference(
  user: UserRecord,
  request: MfaPreferenceRequest,
  services: Pick<IdentityServices, 'users' | 'clock' | 'pool'>,
) {
  for (const [name, settings] of [
    ['Email', request.EmailMfaSettings],
    ['WebAuthn', request.WebAuthnMfaSettings],
  ] as const) {
    if (settings?.Enabled === true)
      fail('InvalidParameterException', `${name} MFA is not available in this user pool.`);
  }
  const methods: [Method, MfaSettings, 'mfaEnabled' | 'smsMfaEnabled'][] = [
    ['SOFTWARE_TOKEN_MFA', request.SoftwareTokenMfaSettings, 'mfaEnabled'],
    ['SMS_MFA', request.SMSMfaSettings, 'smsMfaEnabled'],
  ];
  const set: Record<string, boolean | string | number> = {};
  let preferred = user.preferredMfa;
  for (const [method, settings, member] of methods) {
    if (!settings || settings.Enabled === undefined) continue;
    if (settings.PreferredMfa === true && !settings.Enabled)
      fail('InvalidParameterException', 'A disabled MFA method cannot be preferred.');
    if (settings.Enabled) checkCanEnable(method, user, services);
    set[member] = settings.Enabled;
    if (settings.PreferredMfa === true) preferred = method;
    else if (!settings.Enabled && preferred === method) preferred = undefined;
  }
  if (Object.keys(set).length === 0) return {};
  await services.users.update({
    key: userKeys.user(user.sub),
    set: { ...set, ...(preferred ? { preferredMfa: preferred } : {}), lastModified: services.clock.now() },
    ...(preferred ? {} : { remove: ['preferredMfa'] }),
    conditions: [{ op: 'itemExists' }],
  });
  return {};
}

function checkCanEnable(method: Method, user: UserRecord, { pool }: Pick<IdentityServices, 'pool'>) {
  if (pool.mfa === 'OFF')
    fail('InvalidParameterException', "The user pool's MFA configuration is OFF: MFA cannot be turned on.");
  if (method === 'SOFTWARE_TOKEN_MFA' && !user.totpSecret)
    fail('InvalidParameterException', 'User has not verified software token mfa');
  if (method === 'SMS_MFA' && !verifiedPhone(user))
    fail('InvalidParameterException', 'User does not have a verified phone number to turn on SMS_MFA');
}

/** The user's MFA as GetUser and AdminGetUser report it (Amplify's fetchMFAPreference reads it). */
export function mfaSettings(user: UserRecord): {
  UserMFASettingList: Method[];
  PreferredMfaSetting?: Method;
} {
  const list: Method[] = [];
  if (user.mfaEnabled && user.totpSecret) list.push('SOFTWARE_TOKEN_MFA');
  if (user.smsMfaEnabled && user.attributes.phone_number) list.push('SMS_MFA');
  const preferred = user.preferredMfa && list.includes(user.preferredMfa) ? user.preferredMfa : list[0];
  return { UserMFASettingList: list, ...(preferred ? { PreferredMfaSetting: preferred } : {}) };
}
