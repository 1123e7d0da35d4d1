/**
 * Amazon Cognito as the design configures it (and as Plaza's embedded pool
 * behaves): email as the username, self sign-up, the config file's password
 * policy and token lifetimes, TOTP available, the design's custom attributes,
 * Plaza's post-confirmation trigger creating the profile, and the pre sign-up
 * and pre token generation handlers the config file names, if any.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  PasskeyUserVerification,
  StringAttribute,
  UserPool,
  UserPoolClientIdentityProvider,
  UserPoolEmail,
  type UserPoolClient,
  type UserPoolClientOptions,
  type UserPoolDomain,
  type UserPoolProps,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { PlazaTable } from './data.ts';
import { providerName, type FederationSettings } from './federation.ts';
import { identityProviders } from './identity-providers.ts';
import { plazaFunction } from './plaza-function.ts';
import { repoRoot, type PlazaSettings } from './settings.ts';
import { relative } from 'node:path';
import { moderatorsGroup } from '../../src/domain/identity/groups.ts';

export class PlazaIdentity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly postConfirmation: NodejsFunction;
  /** Cognito's sign-ins, into the audit log and the day's active users (ADR 0010). */
  readonly postAuthentication: NodejsFunction;
  /** The config file's trigger modules (pre sign-up, pre token generation), deployed as they are. */
  readonly triggers: Partial<Record<'preSignUp' | 'preTokenGeneration', NodejsFunction>> = {};
  /** The hosted UI's prefix domain and the providers the app client offers, when `federation` is set. */
  readonly hostedUi: { domain: UserPoolDomain; domainName: string; providerNames: string[] } | undefined;

  constructor(scope: Construct, id: string, props: { settings: PlazaSettings; table: PlazaTable }) {
    super(scope, id);
    const { settings } = props;
    const policy = settings.userPool;

    // The pool's id cannot be given to its own trigger (the pool depends on the trigger), and the
    // triggers need only the table. Each puts an audited item and deletes it at once (ADR 0010)
    // and reads the user's link (a refilled pool's, ADR 0016).
    const tableTrigger = (id: string, entry: string, description: string) => {
      const trigger = plazaFunction(this, id, {
        entry,
        runtime: settings.lambdaRuntime,
        description,
        environment: { PLAZA_DB: 'dynamodb', PLAZA_TABLE: props.table.table.tableName },
        memorySize: 256,
        // Cognito waits 5 s for a trigger.
        timeout: Duration.seconds(5),
      });
      props.table.grantItems(trigger, 'GetItem', 'PutItem', 'DeleteItem');
      return trigger;
    };
    this.postConfirmation = tableTrigger(
      'PostConfirmation',
      'src/bin/lambda/post-confirmation.ts',
      'Cognito post-confirmation trigger: creates the profile',
    );
    this.postAuthentication = tableTrigger(
      'PostAuthentication',
      'src/bin/lambda/post-authentication.ts',
      'Cognito post-authentication trigger: the sign-in, for the audit log and analytics',
    );

    // The same handler modules the local pool loads; they are given nothing but their event.
    for (const [name, entry] of Object.entries(policy.triggers) as [
      keyof PlazaIdentity['triggers'],
      string,
    ][]) {
      if (relative(repoRoot, entry).startsWith('..')) {
        throw new Error(`The ${name} trigger ${entry} must be inside the repository to be bundled`);
      }
      this.triggers[name] = plazaFunction(this, `${name[0]?.toUpperCase()}${name.slice(1)}`, {
        entry,
        runtime: settings.lambdaRuntime,
        description: `Cognito ${name} trigger (${entry.split('/').pop()})`,
        environment: {},
        memorySize: 256,
        timeout: Duration.seconds(5),
      });
    }

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `plaza-${settings.stage}`,
      // The design's price (first 50,000 MAU free, then $0.0055) is the Lite plan's; passkeys need Essentials.
      ...this.passkeySettings(settings),
      signInAliases: { email: true },
      autoVerify: { email: true },
      selfSignUpEnabled: true,
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        preferred_username: new StringAttribute({ mutable: true, minLen: 1, maxLen: 64 }),
        profile_picture_url: new StringAttribute({ mutable: true, minLen: 1, maxLen: 2048 }),
      },
      passwordPolicy: {
        minLength: policy.passwordMinLength,
        requireDigits: false,
        requireLowercase: false,
        requireUppercase: false,
        requireSymbols: false,
        tempPasswordValidity: Duration.days(7),
      },
      // userPool.mfa as on the local pool: OFF, OPTIONAL (the user's choice) or ON; TOTP or SMS.
      mfa: { OFF: Mfa.OFF, OPTIONAL: Mfa.OPTIONAL, ON: Mfa.REQUIRED }[policy.mfa],
      ...(policy.mfa === 'OFF'
        ? {}
        : { mfaSecondFactor: { otp: true, sms: true }, ...this.smsSettings(settings.stage) }),
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      ...(settings.sesFromEmail
        ? { email: UserPoolEmail.withSES({ fromEmail: settings.sesFromEmail, sesRegion: settings.region }) }
        : {}),
      lambdaTriggers: {
        postConfirmation: this.postConfirmation,
        postAuthentication: this.postAuthentication,
        ...this.triggers,
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.client = this.userPool.addClient('AppClient', {
      userPoolClientName: 'plaza-app',
      generateSecret: false,
      // USER_AUTH as on the local pool; on the Lite plan its choices are PASSWORD and PASSWORD_SRP
      // (EMAIL_OTP needs the Essentials plan).
      authFlows: { userPassword: true, userSrp: true, user: true },
      accessTokenValidity: Duration.seconds(policy.accessTokenSeconds),
      idTokenValidity: Duration.seconds(policy.idTokenSeconds),
      refreshTokenValidity: Duration.seconds(policy.refreshTokenSeconds),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      ...oauthSettings(settings.federation),
    });
    this.hostedUi = this.federate(settings.federation);

    // The pool's default group, as the local pool makes it at its first start: moderation acts for its members.
    new CfnUserPoolGroup(this, 'ModeratorsGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: moderatorsGroup,
      description: 'Moderators: review reports and act on content.',
    });
  }

  /** The hosted UI's domain and the identity providers, which the app client must wait for. */
  private federate(federation: FederationSettings | undefined): PlazaIdentity['hostedUi'] {
    if (!federation) return undefined;
    const domain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: federation.domainPrefix },
    });
    const providers = identityProviders(this, this.userPool, federation.providers);
    this.client.node.addDependency(...providers);
    return {
      domain,
      domainName: hostedUiDomainName(federation.domainPrefix, Stack.of(this).region),
      providerNames: federation.providers.map(providerName),
    };
  }

  /**
   * Passkeys only when the config file turns them on explicitly (`userPool.webAuthn.enabled`): they
   * need the Essentials plan, which costs more than the design's Lite. The relying party is the
   * configured one, else the hosted UI's domain.
   */
  private passkeySettings(settings: PlazaSettings): Partial<UserPoolProps> {
    const webAuthn = settings.userPool.webAuthn;
    if (webAuthn?.enabled !== true) return { featurePlan: FeaturePlan.LITE };
    const relyingPartyId =
      webAuthn.relyingPartyId ??
      (settings.federation && hostedUiDomainName(settings.federation.domainPrefix, settings.region));
    if (!relyingPartyId) {
      throw new Error(
        "userPool.webAuthn.enabled needs userPool.webAuthn.relyingPartyId (your app's domain) or a hosted UI (context federation) on AWS",
      );
    }
    return {
      featurePlan: FeaturePlan.ESSENTIALS,
      signInPolicy: { allowedFirstAuthFactors: { password: true, passkey: true } },
      passkeyRelyingPartyId: relyingPartyId,
      passkeyUserVerification:
        webAuthn.userVerification === 'required'
          ? PasskeyUserVerification.REQUIRED
          : PasskeyUserVerification.PREFERRED,
    };
  }

  /**
   * SMS codes (phone verification, SMS MFA) go through Amazon SNS with the design's caller role
   * (SnsCallerArn): Cognito assumes it, with an external id, to publish.
   */
  private smsSettings(stage: string): { smsRole: Role; smsRoleExternalId: string } {
    const smsRoleExternalId = `plaza-${stage}-sms`;
    const smsRole = new Role(this, 'SmsRole', {
      description: 'Cognito sends SMS codes through SNS with this role',
      assumedBy: new ServicePrincipal('cognito-idp.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': smsRoleExternalId } },
      }),
      inlinePolicies: {
        publish: new PolicyDocument({
          // An SMS is published to a phone number, not a topic: SNS takes no narrower resource.
          statements: [new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] })],
        }),
      },
    });
    return { smsRole, smsRoleExternalId };
  }
}

/** The prefix domain's host name, as Amplify's `auth.oauth.domain` and passkeys' relying party name it. */
export function hostedUiDomainName(prefix: string, region: string): string {
  return `${prefix}.auth.${region}.amazoncognito.com`;
}

/**
 * With a hosted UI: the authorization-code flow (PKCE, as Amplify sends it) with the configured
 * callback and sign-out URLs and scopes. Without: sign-in only through the API (InitiateAuth).
 */
function oauthSettings(federation: FederationSettings | undefined): Partial<UserPoolClientOptions> {
  if (!federation) return { disableOAuth: true };
  return {
    oAuth: {
      flows: { authorizationCodeGrant: true },
      scopes: federation.scopes.map((scope) => OAuthScope.custom(scope)),
      callbackUrls: federation.callbackUrls,
      logoutUrls: federation.logoutUrls,
    },
    supportedIdentityProviders: [
      UserPoolClientIdentityProvider.COGNITO,
      ...federation.providers.map((provider) =>
        UserPoolClientIdentityProvider.custom(providerName(provider)),
      ),
    ],
  };
}
