/**
 * Amazon Cognito as the design configures it (and as Plaza's embedded pool
 * behaves): email as the username, self sign-up, the config file's password
 * policy and token lifetimes, TOTP available, the design's custom attributes,
 * Plaza's post-confirmation trigger creating the profile, and the pre sign-up
 * and pre token generation handlers the config file names, if any.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
  UserPoolEmail,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { PlazaTable } from './data.ts';
import { plazaFunction } from './plaza-function.ts';
import { repoRoot, type PlazaSettings } from './settings.ts';
import { relative } from 'node:path';

export class PlazaIdentity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly postConfirmation: NodejsFunction;
  /** The config file's trigger modules (pre sign-up, pre token generation), deployed as they are. */
  readonly triggers: Partial<Record<'preSignUp' | 'preTokenGeneration', NodejsFunction>> = {};

  constructor(scope: Construct, id: string, props: { settings: PlazaSettings; table: PlazaTable }) {
    super(scope, id);
    const { settings } = props;
    const policy = settings.userPool;

    // The pool's id cannot be given to its own trigger (the pool depends on the trigger), and the trigger needs only the table.
    this.postConfirmation = plazaFunction(this, 'PostConfirmation', {
      entry: 'src/bin/lambda/post-confirmation.ts',
      runtime: settings.lambdaRuntime,
      description: 'Cognito post-confirmation trigger: creates the profile',
      environment: { PLAZA_DB: 'dynamodb', PLAZA_TABLE: props.table.table.tableName },
      memorySize: 256,
      // Cognito waits 5 s for a trigger.
      timeout: Duration.seconds(5),
    });
    props.table.grantItems(this.postConfirmation, 'PutItem', 'GetItem');

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
      // The design's price (first 50,000 MAU free, then $0.0055) is the Lite plan's.
      featurePlan: FeaturePlan.LITE,
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
      // MFA is the user's choice; TOTP is the one factor offered (no SMS).
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      ...(settings.sesFromEmail
        ? { email: UserPoolEmail.withSES({ fromEmail: settings.sesFromEmail, sesRegion: settings.region }) }
        : {}),
      lambdaTriggers: { postConfirmation: this.postConfirmation, ...this.triggers },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.client = this.userPool.addClient('AppClient', {
      userPoolClientName: 'plaza-app',
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      accessTokenValidity: Duration.seconds(policy.accessTokenSeconds),
      idTokenValidity: Duration.seconds(policy.idTokenSeconds),
      refreshTokenValidity: Duration.seconds(policy.refreshTokenSeconds),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // Sign-in goes through the API (InitiateAuth), as on the local pool; no hosted UI.
      disableOAuth: true,
    });
  }
}
