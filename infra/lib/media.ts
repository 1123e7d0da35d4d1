/**
 * Media: a private S3 bucket (no public access, TLS only, versioned, Intelligent-Tiering,
 * CORS for presigned PUT uploads) behind CloudFront with origin access control. Story
 * media and the untouched originals are private (ADR 0007): CloudFront serves the paths of
 * `privateMediaPatterns` only on URLs signed with the key pair this stack makes (its private
 * half never leaves Secrets Manager). Each upload's object-created event runs the image
 * pipeline (`processMedia`, on sharp) in Lambda; a clip's runs the same handler in a Lambda
 * container image that carries ffmpeg (infra/video-pipeline/Dockerfile).
 */
import { Annotations, CustomResource, Duration, IgnoreMode, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  KeyGroup,
  PriceClass,
  PublicKey,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Architecture, DockerImageCode, DockerImageFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  type CorsRule,
  type IBucket,
  type LifecycleRule,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { originalKey } from '../../src/domain/media/media-keys.ts';
import { privateMediaPatterns } from '../../src/domain/media/media-urls.ts';
import { storageUploadsLevel } from '../../src/domain/media/storage-uploads.ts';
import { archiveKey } from '../../src/domain/privacy/data-export.ts';
import type { PlazaTable } from './data.ts';
import { CrossRegionReplication, recoveryNames } from './disaster-recovery.ts';
import { plazaFunction } from './plaza-function.ts';
import { repoRoot, type PlazaSettings } from './settings.ts';

/**
 * Where uploads land: the design's keys for originals (media-keys.ts), as S3 notification
 * filters, photos' or clips'. The pipelines' own variants (300.jpg, avatar-300.jpg, 720p.mp4, …)
 * match none of them.
 */
export function uploadFilters(kind: 'images' | 'videos' = 'images'): { prefix: string; suffix: string }[] {
  const originals =
    kind === 'images'
      ? [
          originalKey('POST', 'user', 'id', false),
          originalKey('AVATAR', 'user', 'id', false),
          originalKey('STORY', 'user', 'id', false),
        ]
      : [originalKey('POST', 'user', 'id', true), originalKey('STORY', 'user', 'id', true)];
  return originals.map((key) => ({
    prefix: key.slice(0, key.indexOf('/') + 1),
    suffix: key.slice(key.lastIndexOf('/')),
  }));
}

/** The keys that hold media: users' posts and avatars, and stories. */
export const mediaPrefixes = ['users/', 'stories/'];

/** Where data exports' zips are kept (domain/privacy/data-export.ts): private, their owner's alone. */
export const exportsPrefix = `${archiveKey('user', 'export').split('/')[0]}/`;

/** Intelligent-Tiering monitors and moves only objects above this size (128 KB). */
export const intelligentTieringMinimumBytes = 128 * 1024;

/**
 * The media bucket's lifecycle, the same on its copy in the secondary region: S3 does not replicate
 * what a lifecycle rule expires, so the copy expires it by the same rules.
 */
export function mediaLifecycleRules(
  settings: Pick<PlazaSettings, 'noncurrentVersionDays' | 'dataExportLifetimeDays'>,
): LifecycleRule[] {
  return [
    // The design's cost strategy 1: originals, kept for ever and rarely read after their first
    // days, move to Intelligent-Tiering. A lifecycle filter matches a prefix, a tag or a size, not
    // the end of a key, so it cannot name `original.jpg` alone; Intelligent-Tiering never tiers an
    // object under 128 KB (S3 does not even move one there by default), so the rule takes the
    // users' objects above that: the originals, and the largest renditions beside them.
    // Stories are left out: they are gone within two days.
    {
      id: 'intelligent-tiering',
      prefix: 'users/',
      objectSizeGreaterThan: intelligentTieringMinimumBytes,
      transitions: [{ storageClass: StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(0) }],
    },
    // Versions guard against mistakes, not for ever: what an erasure or an overwrite superseded
    // goes after noncurrentVersionDays, and then the delete marker left with nothing behind it.
    {
      id: 'old-versions',
      noncurrentVersionExpiration: Duration.days(Math.max(1, settings.noncurrentVersionDays)),
      expiredObjectDeleteMarker: true,
    },
    { id: 'unfinished-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    // Stories live 24 hours; their media goes a day later.
    { id: 'stories', prefix: 'stories/', expiration: Duration.days(2) },
    // A data export's zip goes with its item (TTL, then the data lifecycle Lambda); this rule is the
    // backstop. S3 counts whole days from the next midnight, so it never takes one early.
    {
      id: 'data-exports',
      prefix: exportsPrefix,
      expiration: Duration.days(Math.max(1, Math.ceil(settings.dataExportLifetimeDays))),
    },
  ];
}

/**
 * CORS for the web app's uploads, on the bucket and on its copy: presigned PUTs (avatars) and
 * Amplify Storage's `uploadData`, whose larger files go up in parts (POST starts and completes
 * them; each part's ETag is read back).
 */
export function mediaCors(settings: Pick<PlazaSettings, 'corsOrigins'>): CorsRule[] {
  return [
    {
      allowedMethods: [HttpMethods.PUT, HttpMethods.POST],
      allowedOrigins: settings.corsOrigins,
      allowedHeaders: ['*'],
      exposedHeaders: ['ETag'],
      maxAge: 3000,
    },
  ];
}

export class PlazaMedia extends Construct {
  readonly bucket: IBucket;
  readonly distribution: Distribution;
  readonly signingKey: Secret;
  readonly publicKey: PublicKey;
  readonly keyGroup: KeyGroup;
  readonly pipeline: NodejsFunction;
  /** Clips: the same handler in a container image with ffmpeg. */
  readonly videoPipeline: DockerImageFunction;
  readonly deadLetters: Queue;
  /** Where media is served: the custom domain, or CloudFront's own. */
  readonly url: string;
  /** The copy to the secondary region; none when failing over. */
  replication: CrossRegionReplication | undefined;

  constructor(scope: Construct, id: string, props: { settings: PlazaSettings; table: PlazaTable }) {
    super(scope, id);
    const { settings } = props;

    this.bucket = settings.disasterRecovery.failover
      ? // Failing over: the copy (disaster-recovery-stack.ts) is the bucket, with its CORS and its
        // CloudFront grant, since this stack cannot change an imported bucket's policy.
        Bucket.fromBucketAttributes(this, 'Bucket', {
          bucketName: recoveryNames(settings.stage).mediaBucket,
          region: Stack.of(this).region,
        })
      : this.replicatedBucket(settings);

    this.signingKey = new Secret(this, 'SigningKey', {
      description: "CloudFront signed URLs' private key (PEM), made at deployment",
    });
    const makeKeyPair = plazaFunction(this, 'SigningKeyPair', {
      entry: 'infra/custom-resources/signing-key-pair.ts',
      runtime: settings.lambdaRuntime,
      description: 'Makes the CloudFront URL-signing key pair (custom resource)',
      environment: {},
      memorySize: 256,
      timeout: Duration.seconds(30),
    });
    makeKeyPair.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [this.signingKey.secretArn],
      }),
    );
    const keyPair = new CustomResource(this, 'SigningKeyPairResource', {
      serviceToken: new Provider(this, 'SigningKeyPairProvider', { onEventHandler: makeKeyPair })
        .serviceToken,
      resourceType: 'Custom::PlazaSigningKeyPair',
      properties: { SecretArn: this.signingKey.secretArn },
    });
    this.publicKey = new PublicKey(this, 'PublicKey', {
      comment: `Plaza ${settings.stage}: signs private media URLs`,
      encodedKey: keyPair.getAttString('PublicKeyPem'),
    });
    this.keyGroup = new KeyGroup(this, 'KeyGroup', {
      comment: `Plaza ${settings.stage}: private media`,
      items: [this.publicKey],
    });

    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    // The managed CachingOptimized policy carries the design's TTLs: 1 day by default, 1 year at most.
    const publicMedia: BehaviorOptions = {
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      compress: true,
    };
    this.distribution = new Distribution(this, 'Cdn', {
      comment: `Plaza ${settings.stage} media`,
      defaultBehavior: publicMedia,
      additionalBehaviors: Object.fromEntries(
        privateMediaPatterns.map((pattern) => [
          pattern,
          { ...publicMedia, trustedKeyGroups: [this.keyGroup] },
        ]),
      ),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      ...(settings.mediaDomain
        ? {
            domainNames: [settings.mediaDomain.domainName],
            certificate: Certificate.fromCertificateArn(
              this,
              'Certificate',
              settings.mediaDomain.certificateArn,
            ),
          }
        : {}),
    });

    this.url = `https://${settings.mediaDomain?.domainName ?? this.distribution.distributionDomainName}`;
    if (settings.disasterRecovery.failover) {
      Annotations.of(this.distribution).acknowledgeWarning(
        '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
        "The recovery stack's policy on the copy lets this account's distributions read it",
      );
    }

    this.pipeline = plazaFunction(this, 'Pipeline', {
      entry: 'src/bin/lambda/media-pipeline.ts',
      runtime: settings.lambdaRuntime,
      description: 'S3 upload events: checks each upload and makes its image variants (sharp)',
      environment: {
        PLAZA_DB: 'dynamodb',
        PLAZA_TABLE: props.table.table.tableName,
        PLAZA_STORAGE: 's3',
        S3_BUCKET: this.bucket.bucketName,
      },
      // libvips is CPU-bound, and Lambda's CPU grows with memory.
      memorySize: 2048,
      timeout: Duration.seconds(60),
      // sharp's native build for x86_64 is the one this repository's tests run.
      architecture: Architecture.X86_64,
      nodeModules: ['sharp'],
    });
    props.table.grantItems(this.pipeline, 'GetItem', 'UpdateItem');
    this.grantMedia(this.pipeline, 's3:GetObject', 's3:PutObject');
    this.deadLetters = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.pipeline.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetters),
    });
    const uploads = new LambdaDestination(this.pipeline);
    for (const filter of uploadFilters())
      this.bucket.addEventNotification(EventType.OBJECT_CREATED, uploads, filter);
    // Amplify Storage's uploads (private/<identity id>/uploads/…): the pipeline moves each into its
    // reservation and removes it, and skips the other private objects the prefix also matches.
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, uploads, { prefix: storageUploadsLevel });
    this.pipeline.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects(`${storageUploadsLevel}*/uploads/*`)],
      }),
    );

    this.videoPipeline = this.videoFunction(props);
    props.table.grantItems(this.videoPipeline, 'GetItem', 'UpdateItem');
    this.grantMedia(this.videoPipeline, 's3:GetObject', 's3:PutObject');
    this.videoPipeline.configureAsyncInvoke({
      // A refused clip ends FAILED without an error; what throws (the stores) is worth two more tries.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetters),
    });
    const clips = new LambdaDestination(this.videoPipeline);
    for (const filter of uploadFilters('videos'))
      this.bucket.addEventNotification(EventType.OBJECT_CREATED, clips, filter);
  }

  /**
   * The media bucket, every object of which (originals and renditions alike) is copied to the
   * secondary region: after a failover, CloudFront and the app find there the keys the table names.
   */
  private replicatedBucket(settings: PlazaSettings): Bucket {
    const replication = new CrossRegionReplication(this, 'Replication', {
      bucketName: recoveryNames(settings.stage).mediaBucket,
      region: settings.disasterRecovery.secondaryRegion,
    });
    this.replication = replication;
    const bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: mediaLifecycleRules(settings),
      ...replication.bucketProps,
      cors: mediaCors(settings),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    replication.allowFrom(bucket);
    return bucket;
  }

  /**
   * The video pipeline's Lambda: a container image (Lambda's Node.js base, the handler bundled by
   * esbuild inside it, static ffmpeg and ffprobe), built from the repository's own sources.
   */
  private videoFunction(props: { settings: PlazaSettings; table: PlazaTable }): DockerImageFunction {
    const logGroup = new LogGroup(this, 'VideoPipelineLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return new DockerImageFunction(this, 'VideoPipeline', {
      code: DockerImageCode.fromImageAsset(repoRoot, {
        file: 'infra/video-pipeline/Dockerfile',
        platform: Platform.LINUX_AMD64,
        // Only what the Dockerfile copies: the asset's hash (and the upload) follow the sources alone.
        ignoreMode: IgnoreMode.DOCKER,
        exclude: [
          '*',
          '!package.json',
          '!package-lock.json',
          '!tsconfig.json',
          '!src',
          '!infra/video-pipeline',
        ],
      }),
      description:
        'S3 upload events for clips: renditions (H.264/AAC 720p, 360p) and posters (ffmpeg, sharp)',
      architecture: Architecture.X86_64,
      // Lambda gives a function a vCPU per 1769 MB: 3 GB makes ffmpeg's two threads two cores.
      memorySize: 3008,
      // media.videoTimeoutSeconds per ffmpeg run, with room for the probe and the poster.
      timeout: Duration.minutes(10),
      ephemeralStorageSize: Size.gibibytes(2),
      logGroup,
      environment: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        DATA_DIR: '/tmp/plaza',
        PLAZA_DB: 'dynamodb',
        PLAZA_TABLE: props.table.table.tableName,
        PLAZA_STORAGE: 's3',
        S3_BUCKET: this.bucket.bucketName,
      },
    });
  }

  /**
   * Object actions on the media keys only, and listing the bucket, without which S3 answers a
   * HEAD of a missing object with 403 rather than 404.
   */
  grantMedia(grantee: IGrantable, ...actions: ('s3:GetObject' | 's3:PutObject')[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions,
        resources: mediaPrefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
  }
}
