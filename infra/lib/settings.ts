/**
 * What one deployment is: the stage, the region, optional domain names and
 * the knobs below, from CDK context (`cdk.json`, or `-c key=value` on the
 * command line), plus the user-pool and table settings from the same
 * `plaza.config.json` the local server reads, so both run one policy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Node } from 'constructs';
import { defaultAlarmRules, type AlarmRule } from '../../src/domain/operations/alarm-rules.ts';
import { cacheSettingsFrom, type CacheSettings } from '../../src/edge/graphql/resolver-cache.ts';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import { readDisasterRecovery, type DisasterRecoverySettings } from './disaster-recovery.ts';
import { readFederation, type FederationSettings } from './federation.ts';

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface DomainSettings {
  domainName: string;
  /** An ACM certificate in us-east-1 (CloudFront and AppSync custom domains take their certificates from there). */
  certificateArn: string;
}

export interface PlazaSettings {
  /** Names every resource (`plaza-<stage>`); `prod` also turns on termination protection and turns off introspection. */
  stage: string;
  region: string;
  /** Undefined offline: the stack is then account-agnostic. */
  account: string | undefined;
  /** The table's name: the config file's table name and the stage. */
  tableName: string;
  /** The pool's policy and its trigger handler modules (absolute paths), as the local pool runs them. */
  userPool: Config['userPool'];
  /** The identity pool, as the config file's identityPool sets it locally (on, guests allowed, by default). */
  identityPool: Config['identityPool'];
  /** Authors with more followers are merged into feeds at read time (the config file's social.fanOutFollowerLimit). */
  fanOutFollowerLimit: number;
  /** Per-user writes a minute (the config file's social.writesPerMinute), for the GraphQL Lambda. */
  writesPerMinute: Record<string, number>;
  /** AppSync's server-side cache instance type (`SMALL`, `MEDIUM`, …), or `none` for no cache. */
  apiCache: string;
  /** Per-resolver caching, from the config file's `caching` as the local server reads it. */
  caching: CacheSettings['rules'];
  /** The local server's alarm rules (the config file's, or the defaults), deployed as CloudWatch alarms. */
  alarmRules: readonly AlarmRule[];
  /** Days previous versions of media objects are kept (the config file's media.noncurrentVersionDays). */
  noncurrentVersionDays: number;
  /** Days a data export can be downloaded (the config file's dataExport.lifetimeDays); its zip goes after. */
  dataExportLifetimeDays: number;
  /** Origins allowed to PUT to presigned upload URLs. */
  corsOrigins: string[];
  /** Where alarms are mailed, besides the SNS topic. */
  alarmEmail: string | undefined;
  /** An SES-verified sender for the user pool's mail (Cognito's own mailer sends at most 50 a day). */
  sesFromEmail: string | undefined;
  apiDomain: DomainSettings | undefined;
  mediaDomain: DomainSettings | undefined;
  /**
   * The Lambda runtime: nodejs20.x by default, as Plaza runs on Node 20. AWS stops creating
   * nodejs20.x functions on 2027-02-01; `-c lambdaRuntime=nodejs22.x` (or 24) moves them on.
   */
  lambdaRuntime: LambdaRuntimeName;
  /** The secondary region and the backups' retention (disaster-recovery.ts). */
  disasterRecovery: DisasterRecoverySettings;
  /** The hosted UI's domain, the app client's OAuth settings and the identity providers (context `federation`). */
  federation: FederationSettings | undefined;
}

export const lambdaRuntimes = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;
export type LambdaRuntimeName = (typeof lambdaRuntimes)[number];

function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`Context ${key} must be a string, not ${JSON.stringify(value)}`);
  }
  return String(value);
}

function list(node: Node, key: string, fallback: string[]): string[] {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function domain(node: Node, prefix: string): DomainSettings | undefined {
  const domainName = text(node, `${prefix}DomainName`);
  const certificateArn = text(node, `${prefix}CertificateArn`);
  if (!domainName && !certificateArn) return undefined;
  if (!domainName || !certificateArn) {
    throw new Error(`Context ${prefix}DomainName and ${prefix}CertificateArn go together`);
  }
  return { domainName, certificateArn };
}

function runtime(name: string): LambdaRuntimeName {
  const known = lambdaRuntimes.find((candidate) => candidate === name);
  if (!known)
    throw new Error(`Context lambdaRuntime must be one of ${lambdaRuntimes.join(', ')}, not "${name}"`);
  return known;
}

export function readSettings(node: Node, env: Record<string, string | undefined> = {}): PlazaSettings {
  const stage = text(node, 'stage') ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new Error(`Context stage must be 1-20 of a-z 0-9 - starting with a letter, not "${stage}"`);
  }
  const configPath = text(node, 'config');
  const config = loadConfig(configPath ? { PLAZA_CONFIG: configPath } : {}, repoRoot);
  const cacheTtlSeconds = Number(text(node, 'cacheTtlSeconds') ?? 3600);
  if (!Number.isInteger(cacheTtlSeconds) || cacheTtlSeconds < 1 || cacheTtlSeconds > 3600) {
    throw new Error(
      'Context cacheTtlSeconds must be a whole number of seconds from 1 to 3600 (AppSync’s range)',
    );
  }
  const region = text(node, 'region') ?? 'us-west-1';
  return {
    stage,
    region,
    account: env.CDK_DEFAULT_ACCOUNT,
    tableName: `${config.db.table}-${stage}`,
    userPool: config.userPool,
    identityPool: config.identityPool,
    fanOutFollowerLimit: config.social.fanOutFollowerLimit,
    writesPerMinute: config.social.writesPerMinute,
    apiCache: text(node, 'apiCache') ?? 'SMALL',
    caching: cacheSettingsFrom(config.caching).rules,
    alarmRules: config.operations.alarmRules ?? defaultAlarmRules,
    noncurrentVersionDays: config.media.noncurrentVersionDays,
    dataExportLifetimeDays: config.dataExport.lifetimeMs / (24 * 3600 * 1000),
    corsOrigins: list(node, 'corsOrigins', ['*']),
    alarmEmail: text(node, 'alarmEmail'),
    sesFromEmail: text(node, 'sesFromEmail'),
    apiDomain: domain(node, 'api'),
    mediaDomain: domain(node, 'media'),
    lambdaRuntime: runtime(text(node, 'lambdaRuntime') ?? 'nodejs20.x'),
    disasterRecovery: readDisasterRecovery(node, region),
    federation: readFederation(node.tryGetContext('federation'), stage, repoRoot),
  };
}

/** The context in cdk.json, so tests synthesize what `npm run synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const path = join(repoRoot, 'cdk.json');
  if (!existsSync(path)) return {};
  return (JSON.parse(readFileSync(path, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}
