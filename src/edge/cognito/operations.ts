/**
 * Cognito's user-pool operations as data: for each X-Amz-Target operation, who may call it and
 * the domain function that answers it. The edge (cognito-routes.ts) looks an operation up here,
 * checks its caller and its request's shape, then runs it.
 */
import {
  adminConfirmSignUp,
  adminCreateUser,
  adminDeleteUser,
  adminGetUser,
  adminSetEnabled,
  adminUserGlobalSignOut,
  listUsers,
} from '../../domain/identity/admin-users.ts';
import {
  adminAddUserToGroup,
  adminListGroupsForUser,
  adminRemoveUserFromGroup,
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  listUsersInGroup,
  updateGroup,
} from '../../domain/identity/groups.ts';
import { adminInitiateAuth, adminRespondToAuthChallenge } from '../../domain/identity/admin-auth.ts';
import { adminListUserAuthEvents } from '../../domain/identity/admin-list-user-auth-events.ts';
import {
  adminSetUserMfaPreference,
  getUserPoolMfaConfig,
  setUserPoolMfaConfig,
} from '../../domain/identity/admin-mfa.ts';
import { adminResetUserPassword, adminSetUserPassword } from '../../domain/identity/admin-passwords.ts';
import {
  adminDeleteUserAttributes,
  adminUpdateUserAttributes,
} from '../../domain/identity/admin-user-attributes.ts';
import { changePassword } from '../../domain/identity/change-password.ts';
import { confirmForgotPassword } from '../../domain/identity/confirm-forgot-password.ts';
import { confirmSignUp } from '../../domain/identity/confirm-sign-up.ts';
import { deleteUser } from '../../domain/identity/delete-user.ts';
import {
  describeUserPool,
  describeUserPoolClient,
  listUserPoolClients,
  listUserPools,
} from '../../domain/identity/describe-user-pool.ts';
import { forgotPassword } from '../../domain/identity/forgot-password.ts';
import { getCsvHeader } from '../../domain/identity/get-csv-header.ts';
import { getUser } from '../../domain/identity/get-user.ts';
import { globalSignOut } from '../../domain/identity/global-sign-out.ts';
import { initiateAuth } from '../../domain/identity/initiate-auth.ts';
import type { IdentityServices } from '../../domain/identity/model.ts';
import type { HostedUiSettings } from '../../domain/identity/oauth.ts';
import { resendConfirmationCode } from '../../domain/identity/resend-confirmation-code.ts';
import { respondToAuthChallenge } from '../../domain/identity/respond-to-auth-challenge.ts';
import { revokeToken } from '../../domain/identity/revoke-token.ts';
import { signUp } from '../../domain/identity/sign-up.ts';
import {
  associateSoftwareToken,
  setUserMfaPreference,
  verifySoftwareToken,
} from '../../domain/identity/software-token.ts';
import { updateUserAttributes } from '../../domain/identity/update-user-attributes.ts';
import { completeWebAuthnRegistration } from '../../domain/identity/complete-webauthn-registration.ts';
import { deleteWebAuthnCredential } from '../../domain/identity/delete-webauthn-credential.ts';
import { listWebAuthnCredentials } from '../../domain/identity/list-webauthn-credentials.ts';
import { startWebAuthnRegistration } from '../../domain/identity/start-webauthn-registration.ts';
import {
  getUserAttributeVerificationCode,
  verifyUserAttribute,
} from '../../domain/identity/verify-user-attribute.ts';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';

/** What an operation may use. */
export interface OperationContext {
  services: IdentityServices;
  verifier: IdentityVerifier;
  /** The hosted UI's settings, when it is served (DescribeUserPoolClient reports them). */
  hostedUi: HostedUiSettings | undefined;
}

export interface CognitoOperation {
  /**
   * Who may call it. `app`: anyone (the operation checks the app client id it is given); `user`:
   * the holder of an access token (or MFA_SETUP session), which the operation verifies; `admin`:
   * only a request the edge finds signed (SigV4) with the admin credentials.
   */
  caller: 'app' | 'user' | 'admin';
  /** Counted against the per-IP limit of sign-in attempts. */
  signIn: boolean;
  /** Runs the operation on a request that passed checkRequest (request-shapes.ts) for it. */
  run: (request: Record<string, unknown>, context: OperationContext) => Promise<unknown>;
}

/**
 * The one place a request body becomes an operation's typed request. Sound because the edge runs an
 * operation only on what checkRequest returned for that operation's name: every required member is
 * present and every member the shape names has the model's type (strings, integers, booleans,
 * `{ Name, Value }` lists, string maps), which is what each domain request type declares.
 */
function operation<Req, Res>(
  handler: (request: Req, context: OperationContext) => Promise<Res>,
): CognitoOperation['run'] {
  return (request, context) => handler(request as Req, context);
}

const app = <Req, Res>(
  handler: (request: Req, services: IdentityServices) => Promise<Res>,
  options: { signIn?: boolean } = {},
): CognitoOperation => ({
  caller: 'app',
  signIn: options.signIn ?? false,
  run: operation((request: Req, { services }) => handler(request, services)),
});

const user = <Req, Res>(
  handler: (request: Req, verifier: IdentityVerifier, services: IdentityServices) => Promise<Res>,
): CognitoOperation => ({
  caller: 'user',
  signIn: false,
  run: operation((request: Req, { verifier, services }) => handler(request, verifier, services)),
});

const admin = <Req, Res>(
  handler: (request: Req, services: IdentityServices, context: OperationContext) => Promise<Res>,
): CognitoOperation => ({
  caller: 'admin',
  signIn: false,
  run: operation((request: Req, context) => handler(request, context.services, context)),
});

type UserRequest = { Username: string };

export const cognitoOperations: Readonly<Record<string, CognitoOperation>> = {
  SignUp: app(signUp),
  ConfirmSignUp: app(confirmSignUp),
  ResendConfirmationCode: app(resendConfirmationCode),
  InitiateAuth: app(initiateAuth, { signIn: true }),
  RespondToAuthChallenge: app(respondToAuthChallenge, { signIn: true }),
  ForgotPassword: app(forgotPassword),
  ConfirmForgotPassword: app(confirmForgotPassword),
  RevokeToken: app(revokeToken),
  GetUser: user(getUser),
  GlobalSignOut: user(globalSignOut),
  ChangePassword: user(changePassword),
  DeleteUser: user(deleteUser),
  AssociateSoftwareToken: user(associateSoftwareToken),
  VerifySoftwareToken: user(verifySoftwareToken),
  SetUserMFAPreference: user(setUserMfaPreference),
  UpdateUserAttributes: user(updateUserAttributes),
  VerifyUserAttribute: user(verifyUserAttribute),
  GetUserAttributeVerificationCode: user(getUserAttributeVerificationCode),
  StartWebAuthnRegistration: user(startWebAuthnRegistration),
  CompleteWebAuthnRegistration: user(completeWebAuthnRegistration),
  ListWebAuthnCredentials: user(listWebAuthnCredentials),
  DeleteWebAuthnCredential: user(deleteWebAuthnCredential),
  AdminUpdateUserAttributes: admin(adminUpdateUserAttributes),
  AdminDeleteUserAttributes: admin(adminDeleteUserAttributes),
  AdminSetUserPassword: admin(adminSetUserPassword),
  AdminResetUserPassword: admin(adminResetUserPassword),
  AdminInitiateAuth: admin(adminInitiateAuth),
  AdminRespondToAuthChallenge: admin(adminRespondToAuthChallenge),
  AdminSetUserMFAPreference: admin(adminSetUserMfaPreference),
  DescribeUserPool: admin(describeUserPool),
  DescribeUserPoolClient: admin((request: { UserPoolId: string; ClientId: string }, services, { hostedUi }) =>
    describeUserPoolClient(request, services, hostedUi),
  ),
  ListUserPools: admin(listUserPools),
  ListUserPoolClients: admin(listUserPoolClients),
  GetUserPoolMfaConfig: admin((_request: unknown, services) => getUserPoolMfaConfig(services)),
  SetUserPoolMfaConfig: admin(setUserPoolMfaConfig),
  AdminCreateUser: admin(adminCreateUser),
  AdminGetUser: admin(adminGetUser),
  AdminConfirmSignUp: admin(adminConfirmSignUp),
  AdminDisableUser: admin((request: UserRequest, services) => adminSetEnabled(request, false, services)),
  AdminEnableUser: admin((request: UserRequest, services) => adminSetEnabled(request, true, services)),
  AdminDeleteUser: admin(adminDeleteUser),
  AdminUserGlobalSignOut: admin(adminUserGlobalSignOut),
  ListUsers: admin(listUsers),
  CreateGroup: admin(createGroup),
  GetGroup: admin(getGroup),
  ListGroups: admin(listGroups),
  UpdateGroup: admin(updateGroup),
  DeleteGroup: admin(deleteGroup),
  AdminAddUserToGroup: admin(adminAddUserToGroup),
  AdminRemoveUserFromGroup: admin(adminRemoveUserFromGroup),
  AdminListGroupsForUser: admin(adminListGroupsForUser),
  ListUsersInGroup: admin(listUsersInGroup),
  GetCSVHeader: admin(getCsvHeader),
  AdminListUserAuthEvents: admin(adminListUserAuthEvents),
};

/** The operation an X-Amz-Target names, if Plaza serves it. */
export function cognitoOperation(name: string): CognitoOperation | undefined {
  return Object.hasOwn(cognitoOperations, name) ? cognitoOperations[name] : undefined;
}
