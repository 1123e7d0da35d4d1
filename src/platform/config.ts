/**
 * Configuration, read once: environment variables over an optional
 * `plaza.config.json`, validated into one typed object that the composition
 * root passes down. Nothing else in Plaza reads `process.env`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseBackupTarget, type BackupTarget } from './backup-target.ts';
import { PlazaError } from './errors.ts';
import {
  identityProviderSchema,
  identityProvidersOf,
  type IdentityProviderSettings,
} from './identity-provider-settings.ts';
import {
  alarmRulesSchema,
  priceOverridesSchema,
  type AlarmRule,
  type PriceName,
} from './operations-settings.ts';
import { samlProviderSchema, samlProvidersOf, type SamlProviderSettings } from './saml-provider-settings.ts';

export type {
  AppleProviderSettings,
  FacebookProviderSettings,
  IdentityProviderSettings,
  OidcProviderSettings,
} from './identity-provider-settings.ts';

const port = z.coerce.number().int().min(0).max(65535);

const fileSchema = z
  .object({
    db: z.enum(['sqlite', 'dynamodb']).optional(),
    dataDir: z.string().min(1).optional(),
    port: port.optional(),
    host: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    sqlite: z
      .object({
        synchronous: z.enum(['FULL', 'NORMAL']).optional(),
        /** Memory for rows kept for point reads and first query pages (0 turns the row cache off). */
        rowCacheMegabytes: z.number().min(0).max(4096).optional(),
      })
      .strict()
      .optional(),
    dynamodb: z
      .object({
        endpoint: z.url().optional(),
      })
      .strict()
      .optional(),
    publicUrl: z.url().optional(),
    userPool: z
      .object({
        passwordMinLength: z.number().int().min(6).max(99).optional(),
        accessTokenMinutes: z.number().int().min(5).max(1440).optional(),
        idTokenMinutes: z.number().int().min(5).max(1440).optional(),
        refreshTokenDays: z.number().int().min(1).max(3650).optional(),
        /** The app client's allowed callback and sign-out URLs for the hosted UI (exact match). */
        callbackUrls: z.array(z.url()).max(100).optional(),
        logoutUrls: z.array(z.url()).max(100).optional(),
        /** External providers for federation (Cognito's "identity providers"): OIDC, Facebook, Apple. */
        identityProviders: z.array(identityProviderSchema).max(20).optional(),
        /** SAML 2.0 providers for federation: metadata by URL or file, IdP-initiated sign-in off by default. */
        samlProviders: z.array(samlProviderSchema).max(20).optional(),
        mfa: z.enum(['OFF', 'OPTIONAL', 'ON']).optional(),
        /** Passkeys: on by default, for the relying party of the pool's host (localhost for a loopback address). */
        webAuthn: z
          .object({
            enabled: z.boolean().optional(),
            relyingPartyId: z
              .string()
              .regex(
                /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?$/i,
                'a domain name, not an address',
              )
              .max(127)
              .optional(),
            userVerification: z.enum(['required', 'preferred']).optional(),
          })
          .strict()
          .optional(),
        signingKeyRotationDays: z.number().min(1).max(3650).optional(),
        triggers: z
          .object({
            preSignUp: z.string().min(1).optional(),
            preTokenGeneration: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    table: z
      .object({
        name: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name: 3-255 of A-Z a-z 0-9 _ . -')
          .optional(),
        usersName: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{3,255}$/)
          .optional(),
        ttlSweepSeconds: z.number().int().min(0).optional(),
        changeRetentionDays: z.number().min(1).max(3650).optional(),
      })
      .strict()
      .optional(),
    storage: z.enum(['fs', 's3']).optional(),
    s3: z
      .object({ endpoint: z.url().optional(), bucket: z.string().min(3).max(63).optional() })
      .strict()
      .optional(),
    media: z
      .object({
        imageMaxMegabytes: z.number().positive().max(200).optional(),
        videoMaxMegabytes: z.number().positive().max(5000).optional(),
        videoMaxSeconds: z.number().positive().max(3600).optional(),
        videoJobConcurrency: z.number().int().min(1).max(16).optional(),
        videoThreads: z.number().int().min(1).max(64).optional(),
        imageSizes: z.array(z.number().int().min(16).max(4096)).min(1).max(8).optional(),
        maxMegapixels: z.number().positive().max(500).optional(),
        uploadUrlSeconds: z.number().int().min(10).max(900).optional(),
        originalUrlSeconds: z.number().int().min(10).max(3600).optional(),
        jobConcurrency: z.number().int().min(1).max(64).optional(),
        noncurrentVersionDays: z.number().min(0).max(3650).optional(),
      })
      .strict()
      .optional(),
    dataExport: z
      .object({
        lifetimeDays: z.number().positive().max(90).optional(),
        downloadUrlMinutes: z
          .number()
          .positive()
          .max(24 * 60)
          .optional(),
        perDay: z.number().int().min(1).max(100).optional(),
      })
      .strict()
      .optional(),
    social: z
      .object({
        /**
         * Authors with at least this many followers are not fanned out on write; their posts are
         * merged into feeds at read time (`npm run bench -- scale` measures both sides).
         */
        fanOutFollowerLimit: z.number().int().min(1).max(10_000_000).optional(),
        /** Per-user writes a minute; over it, TooManyRequestsException and nothing written. */
        writesPerMinute: z
          .object({
            posts: z.number().int().min(1).max(100_000).optional(),
            comments: z.number().int().min(1).max(100_000).optional(),
            likes: z.number().int().min(1).max(100_000).optional(),
            follows: z.number().int().min(1).max(100_000).optional(),
            reports: z.number().int().min(1).max(100_000).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    allowedOrigins: z.array(z.string().min(1)).optional(),
    redisUrl: z.url().optional(),
    smtp: z
      .object({
        url: z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL'),
        from: z.string().min(3),
      })
      .strict()
      .optional(),
    caching: z
      .object({
        maxEntries: z.number().int().min(0).optional(),
        fields: z
          .record(
            z.string().regex(/^(Query|User|Post|Comment|Story)\.\w+$/, 'a field such as Query.getPost'),
            z
              .object({
                ttlSeconds: z.number().int().min(0).max(3600),
                keys: z
                  .array(z.string().regex(/^\$(context|ctx)\.(identity\.sub|(arguments|args)\.\w+)$/))
                  .optional(),
              })
              .strict(),
          )
          .optional(),
      })
      .strict()
      .optional(),
    cdn: z
      .object({
        baseUrl: z.url().optional(),
        defaultTtlSeconds: z.number().int().min(0).optional(),
        maxTtlSeconds: z.number().int().min(0).optional(),
        corsOrigins: z.array(z.string().min(1)).optional(),
        viewerProtocolPolicy: z.enum(['allow-all', 'redirect-to-https']).optional(),
        edgeCacheMegabytes: z.number().min(0).max(65536).optional(),
      })
      .strict()
      .optional(),
    alarms: z
      .object({
        /** Replaces the default rule set. */
        rules: alarmRulesSchema.optional(),
        webhookUrl: z.url().optional(),
        evaluationSeconds: z.number().int().min(1).max(3600).optional(),
      })
      .strict()
      .optional(),
    cost: z
      .object({
        prices: priceOverridesSchema.optional(),
        usageSnapshotSeconds: z.number().int().min(1).max(3600).optional(),
      })
      .strict()
      .optional(),
    web: z
      .object({
        dir: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** The identity pool (issue 18): AWS credentials for guests and signed-in users. */
    identityPool: z
      .object({
        enabled: z.boolean().optional(),
        /** Guests get identities and the unauthenticated role (Cognito's AllowUnauthenticatedIdentities). */
        allowGuests: z.boolean().optional(),
      })
      .strict()
      .optional(),
    metrics: z
      .object({
        /** false: nothing is measured, /metrics answers 404, alarms are not evaluated. */
        enabled: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /** The continuous off-machine copy (issue 22, ADR 0012). */
    backup: z
      .object({
        /** A directory or s3://bucket/prefix[?endpoint=…&region=…]. */
        continuousTo: z.string().min(1).optional(),
        shipIntervalSeconds: z.number().min(0.05).max(60).optional(),
        snapshotIntervalHours: z
          .number()
          .min(0.001)
          .max(24 * 365)
          .optional(),
      })
      .strict()
      .optional(),
    /** The HTTP listener's timeouts (see httpSettingsOf for the defaults and why). */
    http: z
      .object({
        headersTimeoutSeconds: z.number().min(1).max(600).optional(),
        requestTimeoutSeconds: z.number().min(1).max(86_400).optional(),
        keepAliveTimeoutSeconds: z.number().min(1).max(3600).optional(),
        connectionTimeoutSeconds: z.number().min(1).max(86_400).optional(),
      })
      .strict()
      .refine(
        (http) =>
          http.headersTimeoutSeconds === undefined ||
          http.requestTimeoutSeconds === undefined ||
          http.headersTimeoutSeconds <= http.requestTimeoutSeconds,
        'headersTimeoutSeconds must not exceed requestTimeoutSeconds',
      )
      .optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof fileSchema>;

export interface Config {
  /** Development unless NODE_ENV=production. */
  production: boolean;
  /** The URL clients reach Plaza at (the tokens' issuer); by default http://HOST:PORT. */
  publicUrl: string | undefined;
  /** Who may call the pool's Admin* operations (SigV4); `local`/`local` in development, none by default in production. */
  adminCredentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Sign-in attempts allowed per client address per minute (a load test from one address raises it). */
  signInsPerIpPerMinute: number;
  /** The embedded user pool's policy (the design's defaults). */
  userPool: {
    passwordMinLength: number;
    accessTokenSeconds: number;
    idTokenSeconds: number;
    refreshTokenSeconds: number;
    confirmationCodeSeconds: number;
    lockoutAfterFailures: number;
    lockoutMaxSeconds: number;
    /**
     * The design's "MFA off, TOTP available" is Cognito's OPTIONAL (each user chooses TOTP or SMS);
     * ON makes it required; OFF turns MFA off for everyone, as Cognito's MfaConfiguration OFF.
     */
    mfa: 'OFF' | 'OPTIONAL' | 'ON';
    /** Passkeys (absent: on, the relying party being the pool's host). */
    webAuthn?: { enabled?: boolean; relyingPartyId?: string; userVerification?: 'required' | 'preferred' };
    /** The token signing key is replaced after this many days. */
    signingKeyRotationDays: number;
    /** Handler modules (`export async function handler(event)`), as Cognito's Lambda triggers. */
    triggers: { preSignUp?: string; preTokenGeneration?: string };
  };
  dataDir: string;
  host: string;
  port: number;
  region: string;
  logLevel: string;
  identity: {
    /** `embedded`: Plaza is the user pool; `cognito`: tokens come from Amazon Cognito. */
    mode: 'embedded' | 'cognito';
    userPoolId: string | undefined;
    clientId: string | undefined;
  };
  db: {
    engine: 'sqlite' | 'dynamodb';
    table: string;
    usersTable: string;
    sqlite: { path: string; synchronous: 'FULL' | 'NORMAL'; rowCacheBytes: number };
    dynamodb: { endpoint: string | undefined };
    ttlSweepMs: number;
    changeRetentionMs: number;
  };
  /** Where media bytes live: under DATA_DIR/media, or an S3 bucket. */
  storage: {
    engine: 'fs' | 's3';
    root: string;
    s3: { endpoint: string | undefined; bucket: string };
  };
  media: {
    imageMaxBytes: number;
    videoMaxBytes: number;
    imageSizes: number[];
    maxPixels: number;
    uploadUrlSeconds: number;
    /** How long the owner's signed URL of an original stays valid (ADR 0007). */
    originalUrlSeconds: number;
    jobConcurrency: number;
    /** Clips longer than this are refused (FAILED). */
    videoMaxSeconds: number;
    /** Clips processed at once, beside jobConcurrency's images, so clips never hold up photos. */
    videoJobConcurrency: number;
    /** ffmpeg's threads for one clip. */
    videoThreads: number;
    /** The lifecycle rule: previous versions of overwritten or deleted objects go after this many days. */
    noncurrentVersionDays: number;
  };
  /** Data exports (domain/privacy): how long one can be downloaded, and how often users may ask. */
  dataExport: { lifetimeMs: number; downloadUrlMs: number; perDay: number };
  /** The social domain's settings (domain/social/model.ts): the hybrid fan-out's threshold. */
  social: {
    fanOutFollowerLimit: number;
    /** Per-user writes a minute (social/write-limits.ts). */
    writesPerMinute: { posts: number; comments: number; likes: number; follows: number; reports: number };
  };
  /** Per-resolver caching: field coordinate → TTL and caching keys (TTL 0 turns a field off). */
  caching: {
    maxEntries: number | undefined;
    fields: Record<string, { ttlSeconds: number; keys?: string[] }>;
  };
  /** Where the pool's mail goes: an SMTP server, or the outbox under DATA_DIR when absent. */
  smtp: { url: string; from: string } | undefined;
  /** Redis for the subscription event bus across several servers; in-process when absent. */
  redisUrl: string | undefined;
  /** Origins whose pages may open WebSocket subscriptions (empty: any). */
  allowedOrigins: string[];
  /** The media server's CloudFront behaviour; with a base URL, media URLs point at that CDN instead. */
  cdn: {
    baseUrl: string | undefined;
    defaultTtlSeconds: number;
    maxTtlSeconds: number;
    corsOrigins: string[];
    viewerProtocolPolicy: 'allow-all' | 'redirect-to-https';
    edgeCacheBytes: number;
    /** The CloudFront distribution that deletions invalidate (on AWS); absent: the media server's own cache. */
    distributionId: string | undefined;
  };
  /** Alarms, the cost report and backups (issue 6). */
  operations: {
    /** The alarm rules; undefined: the default set (domain/operations/alarm-rules.ts). */
    alarmRules: AlarmRule[] | undefined;
    /** Where firing and resolved alarms are POSTed (the local stand-in for an SNS topic). */
    alarmWebhookUrl: string | undefined;
    alarmEvaluationMs: number;
    /** Overrides of the design's prices. */
    prices: Partial<Record<PriceName, number>>;
    /** How often the server writes DATA_DIR/usage.json for the cost report. */
    usageSnapshotMs: number;
  };
  /**
   * The Secrets Manager secret that signs nextTokens on AWS, where Lambda instances share no disk;
   * absent: a per-install secret under DATA_DIR.
   */
  nextTokenSecretArn: string | undefined;
  /**
   * CloudFront's signed URLs for private media on AWS: the key pair's id and the Secrets Manager
   * secret holding its private key (absent: a key pair kept under DATA_DIR).
   */
  cdnSigning: { keyPairId: string | undefined; privateKeySecretArn: string | undefined };
  /**
   * The fields AppSync caches per resolver ("Query.getPost"), set by the CDK app: the Lambda resolves
   * them whole, since AppSync's cache keeps one answer per caching key whatever the selection set.
   */
  appSyncCachedFields: string[];
  /** The AppSync API whose cache erasures flush (on AWS); absent: no API cache to flush. */
  appSyncApiId: string | undefined;
  /**
   * The AppSync API's GraphQL URL, where the notifications consumer publishes each notification
   * (publishNotification, signed with its role) so AppSync delivers onNotification; absent: not on AWS.
   */
  appSyncUrl: string | undefined;
  /** The deployment's CloudWatch alarms' name prefix (`plaza-<stage>-`), for the operator console on AWS. */
  alarmNamePrefix: string | undefined;
  /** The S3 bucket (Object Lock) the stream Lambda writes the audit log to, on AWS (ADR 0010). */
  auditBucket: string | undefined;
  /** The hosted UI (/oauth2/*, /login, /logout) and federation to external OIDC providers. */
  hostedUi: {
    /** Exact-match callback URLs; undefined: in development http://localhost:5173/ and the server's own base URL. */
    callbackUrls: string[] | undefined;
    logoutUrls: string[] | undefined;
    identityProviders: IdentityProviderSettings[];
    samlProviders: SamlProviderSettings[];
  };
  /** The built web app Plaza serves at `/` (web/dist of this package by default). */
  webDir: string;
  /** Prometheus metrics (GET /metrics, alarms, the measured usage of the cost report); on by default. */
  metrics: { enabled: boolean };
  /** The identity pool beside the embedded user pool: served or not, and whether guests get credentials. */
  identityPool: { enabled: boolean; allowGuests: boolean };
  /** The HTTP listener's timeouts, in milliseconds (httpSettingsOf). */
  http: HttpSettings;
  /**
   * The continuous off-machine copy (ADR 0012): where it goes (none when absent), how often
   * changes are shipped, and after how long a new snapshot starts a new generation.
   */
  backup: { continuousTo: BackupTarget | undefined; shipIntervalMs: number; snapshotIntervalMs: number };
}

export interface HttpSettings {
  /** A request's headers must all arrive within this of its start; else the connection is closed (408). */
  headersTimeoutMs: number;
  /** A whole request, body included, must arrive within this (uploads are the longest). */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing moves for this long is closed. */
  connectionTimeoutMs: number;
}

/** The slowest upload rate the default request timeout allows for: 1 Mbit/s, a poor mobile uplink. */
const slowestUploadBytesPerSecond = 125_000;

/**
 * The listener's timeouts. Defaults, and why:
 * - headers 10 s: a real client sends its headers in one packet or a few; a client that dribbles them
 *   (slowloris) holds a connection for only 10 s instead of Node's 60 s (or minutes: Fastify turns the
 *   request timeout off by default).
 * - request: the largest upload (PUT /upload/..., videos 100 MB by default, images 20 MB) at 1 Mbit/s,
 *   plus a minute: 100 MiB gives 839 s + 60 s = 899 s, about the upload URL's 15-minute lifetime. It
 *   follows media.videoMaxMegabytes. Only receiving the request counts; WebSocket upgrades leave the
 *   HTTP server's request tracking when upgraded, so subscriptions are not cut by it.
 * - keep-alive 72 s (Fastify's default): longer than a load balancer's 60 s idle timeout (ALB's default),
 *   so the balancer never sends a request down a connection the server is just closing.
 * - connection (socket inactivity) 120 s: no byte either way for 2 minutes (a stalled upload, a client
 *   that stopped reading) frees the socket; longer than the keep-alive so that one decides idle
 *   connections between requests.
 */
function httpSettingsOf(file: ConfigFile, maxUploadBytes: number): HttpSettings {
  const defaultRequestSeconds = Math.ceil(maxUploadBytes / slowestUploadBytesPerSecond) + 60;
  const headersTimeoutMs = (file.http?.headersTimeoutSeconds ?? 10) * 1000;
  return {
    headersTimeoutMs,
    // Node refuses a headers timeout longer than the request timeout.
    requestTimeoutMs: Math.max(
      headersTimeoutMs,
      (file.http?.requestTimeoutSeconds ?? defaultRequestSeconds) * 1000,
    ),
    keepAliveTimeoutMs: (file.http?.keepAliveTimeoutSeconds ?? 72) * 1000,
    connectionTimeoutMs: (file.http?.connectionTimeoutSeconds ?? 120) * 1000,
  };
}

type Env = Record<string, string | undefined>;

function formatIssues(source: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => `  ${source}${issue.path.length ? ` ${issue.path.join('.')}` : ''}: ${issue.message}`)
    .join('\n');
}

function readConfigFile(path: string): ConfigFile {
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PlazaError('ConfigurationError', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PlazaError('ConfigurationError', `Invalid configuration:\n${formatIssues(path, parsed.error)}`);
  }
  return parsed.data;
}

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  PLAZA_DB: z.enum(['sqlite', 'dynamodb']).optional(),
  DATA_DIR: z.string().min(1).optional(),
  PORT: port.optional(),
  HOST: z.string().min(1).optional(),
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-west-1')
    .optional(),
  DYNAMODB_ENDPOINT: z.url().optional(),
  PLAZA_TABLE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name: 3-255 of A-Z a-z 0-9 _ . -')
    .optional(),
  PLAZA_SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  PLAZA_CONFIG: z.string().min(1).optional(),
  PLAZA_IDENTITY: z.enum(['embedded', 'cognito']).optional(),
  PLAZA_PUBLIC_URL: z.url().optional(),
  PLAZA_ADMIN_ACCESS_KEY_ID: z.string().min(1).optional(),
  PLAZA_ADMIN_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  PLAZA_SIGNIN_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  // The Lambdas (the fan-out among them) take their settings from the environment only.
  PLAZA_FAN_OUT_FOLLOWER_LIMIT: z.coerce.number().int().min(1).max(10_000_000).optional(),
  /** social.writesPerMinute for the Lambdas, which have no config file: `posts=10,likes=120,…`. */
  PLAZA_WRITES_PER_MINUTE: z
    .string()
    .regex(
      /^(posts|comments|likes|follows|reports)=[1-9]\d{0,5}(,(posts|comments|likes|follows|reports)=[1-9]\d{0,5})*$/,
      'kind=count pairs such as posts=10,likes=120 (kinds: posts, comments, likes, follows, reports)',
    )
    .transform((text) =>
      Object.fromEntries(text.split(',').map((pair) => [pair.split('=')[0], Number(pair.split('=')[1])])),
    )
    .optional(),
  COGNITO_USER_POOL_ID: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]+$/, 'a user pool id such as us-west-1_AbCdEfGhI')
    .optional(),
  PLAZA_ALLOWED_ORIGINS: z.string().min(1).optional(),
  REDIS_URL: z.url().optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL')
    .optional(),
  SMTP_FROM: z.string().min(3).optional(),
  PLAZA_STORAGE: z.enum(['fs', 's3']).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
    .optional(),
  COGNITO_CLIENT_ID: z
    .string()
    .regex(/^[a-z0-9]{1,128}$/, 'an app client id')
    .optional(),
  PLAZA_ALARM_WEBHOOK_URL: z.url().optional(),
  PLAZA_NEXT_TOKEN_SECRET_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN')
    .optional(),
  PLAZA_CDN_URL: z.url().optional(),
  PLAZA_CDN_KEY_PAIR_ID: z
    .string()
    .regex(/^[A-Z0-9]{8,32}$/, 'a CloudFront public key id')
    .optional(),
  PLAZA_CDN_DISTRIBUTION_ID: z
    .string()
    .regex(/^[A-Z0-9]{8,32}$/, 'a CloudFront distribution id')
    .optional(),
  PLAZA_APPSYNC_API_ID: z
    .string()
    .regex(/^[a-z0-9]{8,64}$/, 'an AppSync API id')
    .optional(),
  PLAZA_ALARM_NAME_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,200}$/, 'an alarm name prefix: A-Z a-z 0-9 _ . -')
    .optional(),
  PLAZA_APPSYNC_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'an AppSync GraphQL URL')
    .optional(),
  PLAZA_AUDIT_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
    .optional(),
  PLAZA_CDN_SIGNING_KEY_SECRET_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN')
    .optional(),
  PLAZA_APPSYNC_CACHED_FIELDS: z
    .string()
    .regex(/^(\w+\.\w+)(,\w+\.\w+)*$/, 'field coordinates such as Query.getPost,Query.getUser')
    .optional(),
  PLAZA_WEB_DIR: z.string().min(1).optional(),
  PLAZA_METRICS: z.enum(['on', 'off']).optional(),
  PLAZA_IDENTITY_POOL: z.enum(['on', 'off']).optional(),
  PLAZA_GUEST_ACCESS: z.enum(['on', 'off']).optional(),
  PLAZA_CONTINUOUS_BACKUP: z.string().min(1).optional(),
});

type EnvValues = z.infer<typeof envSchema>;

function userPoolSettingsOf(file: ConfigFile, cwd: string): Config['userPool'] {
  return {
    passwordMinLength: file.userPool?.passwordMinLength ?? 8,
    accessTokenSeconds: (file.userPool?.accessTokenMinutes ?? 60) * 60,
    idTokenSeconds: (file.userPool?.idTokenMinutes ?? 60) * 60,
    refreshTokenSeconds: (file.userPool?.refreshTokenDays ?? 30) * 24 * 3600,
    confirmationCodeSeconds: 24 * 3600,
    lockoutAfterFailures: 5,
    lockoutMaxSeconds: 15 * 60,
    mfa: file.userPool?.mfa ?? 'OPTIONAL',
    ...(file.userPool?.webAuthn ? { webAuthn: file.userPool.webAuthn } : {}),
    signingKeyRotationDays: file.userPool?.signingKeyRotationDays ?? 90,
    triggers: Object.fromEntries(
      Object.entries(file.userPool?.triggers ?? {}).map(([name, path]) => [name, resolve(cwd, path)]),
    ),
  };
}

function mediaSettingsOf(file: ConfigFile): Config['media'] {
  return {
    imageMaxBytes: Math.round((file.media?.imageMaxMegabytes ?? 20) * 1024 * 1024),
    videoMaxBytes: Math.round((file.media?.videoMaxMegabytes ?? 100) * 1024 * 1024),
    imageSizes: file.media?.imageSizes ?? [150, 300, 600, 1200],
    maxPixels: Math.round((file.media?.maxMegapixels ?? 40) * 1_000_000),
    uploadUrlSeconds: file.media?.uploadUrlSeconds ?? 900,
    originalUrlSeconds: file.media?.originalUrlSeconds ?? 300,
    jobConcurrency: file.media?.jobConcurrency ?? 2,
    videoMaxSeconds: file.media?.videoMaxSeconds ?? 60,
    videoJobConcurrency: file.media?.videoJobConcurrency ?? 1,
    videoThreads: file.media?.videoThreads ?? 2,
    noncurrentVersionDays: file.media?.noncurrentVersionDays ?? 30,
  };
}

function cdnSettingsOf(e: EnvValues, file: ConfigFile): Config['cdn'] {
  return {
    baseUrl: (e.PLAZA_CDN_URL ?? file.cdn?.baseUrl)?.replace(/\/$/, ''),
    defaultTtlSeconds: file.cdn?.defaultTtlSeconds ?? 86_400,
    maxTtlSeconds: file.cdn?.maxTtlSeconds ?? 31_536_000,
    corsOrigins: file.cdn?.corsOrigins ?? ['*'],
    viewerProtocolPolicy: file.cdn?.viewerProtocolPolicy ?? 'allow-all',
    edgeCacheBytes: Math.round((file.cdn?.edgeCacheMegabytes ?? 64) * 1024 * 1024),
    distributionId: e.PLAZA_CDN_DISTRIBUTION_ID,
  };
}

function operationsSettingsOf(e: EnvValues, file: ConfigFile): Config['operations'] {
  return {
    alarmRules: file.alarms?.rules,
    alarmWebhookUrl: e.PLAZA_ALARM_WEBHOOK_URL ?? file.alarms?.webhookUrl,
    alarmEvaluationMs: (file.alarms?.evaluationSeconds ?? 10) * 1000,
    prices: Object.fromEntries(
      Object.entries(file.cost?.prices ?? {}).filter(([, value]) => value !== undefined),
    ) as Partial<Record<PriceName, number>>,
    usageSnapshotMs: (file.cost?.usageSnapshotSeconds ?? 60) * 1000,
  };
}

function hostedUiSettingsOf(file: ConfigFile, env: Env, cwd: string): Config['hostedUi'] {
  let identityProviders;
  let samlProviders;
  try {
    identityProviders = identityProvidersOf(file.userPool?.identityProviders ?? [], env, cwd);
    samlProviders = samlProvidersOf(
      file.userPool?.samlProviders ?? [],
      identityProviders.map((provider) => provider.name),
      cwd,
    );
  } catch (error) {
    throw new PlazaError('ConfigurationError', `Invalid configuration:\n  ${(error as Error).message}`);
  }
  return {
    callbackUrls: file.userPool?.callbackUrls,
    logoutUrls: file.userPool?.logoutUrls,
    identityProviders,
    samlProviders,
  };
}

function backupSettingsOf(e: EnvValues, file: ConfigFile, cwd: string): Config['backup'] {
  const target = e.PLAZA_CONTINUOUS_BACKUP ?? file.backup?.continuousTo;
  let continuousTo: BackupTarget | undefined;
  try {
    continuousTo =
      target === undefined
        ? undefined
        : parseBackupTarget(target, cwd, e.AWS_REGION ?? file.region ?? 'us-west-1');
  } catch (error) {
    throw new PlazaError(
      'ConfigurationError',
      `Invalid configuration:\n  PLAZA_CONTINUOUS_BACKUP (backup.continuousTo): ${(error as Error).message}`,
    );
  }
  return {
    continuousTo,
    shipIntervalMs: Math.round((file.backup?.shipIntervalSeconds ?? 1) * 1000),
    snapshotIntervalMs: Math.round((file.backup?.snapshotIntervalHours ?? 24) * 3600 * 1000),
  };
}

/**
 * Builds the configuration from the environment and the config file
 * (`PLAZA_CONFIG`, or `plaza.config.json` in the working directory).
 * Throws ConfigurationError with every problem listed.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const parsedEnv = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')),
  );
  if (!parsedEnv.success) {
    throw new PlazaError(
      'ConfigurationError',
      `Invalid configuration:\n${formatIssues('env', parsedEnv.error)}`,
    );
  }
  const e = parsedEnv.data;
  const file = readConfigFile(resolve(cwd, e.PLAZA_CONFIG ?? 'plaza.config.json'));
  const dataDir = resolve(cwd, e.DATA_DIR ?? file.dataDir ?? 'data');
  const table = e.PLAZA_TABLE ?? file.table?.name ?? 'plaza';
  const identityMode = e.PLAZA_IDENTITY ?? 'embedded';
  if (identityMode === 'cognito' && (!e.COGNITO_USER_POOL_ID || !e.COGNITO_CLIENT_ID)) {
    throw new PlazaError(
      'ConfigurationError',
      'Invalid configuration:\n  PLAZA_IDENTITY=cognito needs COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID',
    );
  }
  return {
    production: e.NODE_ENV === 'production',
    signInsPerIpPerMinute: e.PLAZA_SIGNIN_PER_IP_PER_MINUTE ?? 60,
    adminCredentials:
      e.PLAZA_ADMIN_ACCESS_KEY_ID && e.PLAZA_ADMIN_SECRET_ACCESS_KEY
        ? { accessKeyId: e.PLAZA_ADMIN_ACCESS_KEY_ID, secretAccessKey: e.PLAZA_ADMIN_SECRET_ACCESS_KEY }
        : e.NODE_ENV === 'production'
          ? undefined
          : { accessKeyId: 'local', secretAccessKey: 'local' },
    publicUrl: (e.PLAZA_PUBLIC_URL ?? file.publicUrl)?.replace(/\/$/, ''),
    userPool: userPoolSettingsOf(file, cwd),
    dataDir,
    host: e.HOST ?? file.host ?? '127.0.0.1',
    port: e.PORT ?? file.port ?? 4000,
    region: e.AWS_REGION ?? file.region ?? 'us-west-1',
    logLevel: e.LOG_LEVEL ?? 'info',
    identity: { mode: identityMode, userPoolId: e.COGNITO_USER_POOL_ID, clientId: e.COGNITO_CLIENT_ID },
    db: {
      engine: e.PLAZA_DB ?? file.db ?? 'sqlite',
      table,
      usersTable: file.table?.usersName ?? `${table}-users`,
      sqlite: {
        path: resolve(dataDir, 'plaza.sqlite'),
        synchronous: e.PLAZA_SQLITE_SYNCHRONOUS ?? file.sqlite?.synchronous ?? 'FULL',
        rowCacheBytes: Math.round((file.sqlite?.rowCacheMegabytes ?? 32) * 1024 * 1024),
      },
      dynamodb: { endpoint: e.DYNAMODB_ENDPOINT ?? file.dynamodb?.endpoint },
      ttlSweepMs: (file.table?.ttlSweepSeconds ?? 30) * 1000,
      changeRetentionMs: (file.table?.changeRetentionDays ?? 35) * 24 * 3600 * 1000,
    },
    storage: {
      engine: e.PLAZA_STORAGE ?? file.storage ?? 'fs',
      root: resolve(dataDir, 'media'),
      s3: {
        endpoint: e.S3_ENDPOINT ?? file.s3?.endpoint,
        bucket: e.S3_BUCKET ?? file.s3?.bucket ?? `${table}-media`,
      },
    },
    media: mediaSettingsOf(file),
    dataExport: {
      lifetimeMs: (file.dataExport?.lifetimeDays ?? 7) * 24 * 3600 * 1000,
      downloadUrlMs: (file.dataExport?.downloadUrlMinutes ?? 60) * 60 * 1000,
      perDay: file.dataExport?.perDay ?? 3,
    },
    social: {
      fanOutFollowerLimit: e.PLAZA_FAN_OUT_FOLLOWER_LIMIT ?? file.social?.fanOutFollowerLimit ?? 10_000,
      // The defaults are social/write-limits.ts's defaultWriteLimits (platform cannot import the domain).
      writesPerMinute: {
        ...{ posts: 10, comments: 30, likes: 120, follows: 60, reports: 10 },
        ...file.social?.writesPerMinute,
        ...e.PLAZA_WRITES_PER_MINUTE,
      },
    },
    redisUrl: e.REDIS_URL ?? file.redisUrl,
    smtp: e.SMTP_URL
      ? { url: e.SMTP_URL, from: e.SMTP_FROM ?? file.smtp?.from ?? 'Plaza <no-reply@localhost>' }
      : file.smtp,
    caching: { maxEntries: file.caching?.maxEntries, fields: file.caching?.fields ?? {} },
    allowedOrigins:
      e.PLAZA_ALLOWED_ORIGINS?.split(',').map((origin) => origin.trim()) ?? file.allowedOrigins ?? [],
    cdn: cdnSettingsOf(e, file),
    operations: operationsSettingsOf(e, file),
    nextTokenSecretArn: e.PLAZA_NEXT_TOKEN_SECRET_ARN,
    cdnSigning: {
      keyPairId: e.PLAZA_CDN_KEY_PAIR_ID,
      privateKeySecretArn: e.PLAZA_CDN_SIGNING_KEY_SECRET_ARN,
    },
    appSyncCachedFields: e.PLAZA_APPSYNC_CACHED_FIELDS?.split(',') ?? [],
    appSyncApiId: e.PLAZA_APPSYNC_API_ID,
    appSyncUrl: e.PLAZA_APPSYNC_URL,
    alarmNamePrefix: e.PLAZA_ALARM_NAME_PREFIX,
    auditBucket: e.PLAZA_AUDIT_BUCKET,
    hostedUi: hostedUiSettingsOf(file, env, cwd),
    webDir: resolve(
      cwd,
      e.PLAZA_WEB_DIR ?? file.web?.dir ?? fileURLToPath(new URL('../../web/dist', import.meta.url)),
    ),
    metrics: {
      enabled: e.PLAZA_METRICS === undefined ? (file.metrics?.enabled ?? true) : e.PLAZA_METRICS === 'on',
    },
    identityPool: {
      enabled: (e.PLAZA_IDENTITY_POOL ?? (file.identityPool?.enabled === false ? 'off' : 'on')) === 'on',
      allowGuests:
        (e.PLAZA_GUEST_ACCESS ?? (file.identityPool?.allowGuests === false ? 'off' : 'on')) === 'on',
    },
    backup: backupSettingsOf(e, file, cwd),
    http: httpSettingsOf(
      file,
      Math.round(
        Math.max(file.media?.videoMaxMegabytes ?? 100, file.media?.imageMaxMegabytes ?? 20) * 1024 * 1024,
      ),
    ),
  };
}
