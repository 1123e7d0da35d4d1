/**
 * Media: a private S3 bucket (no public access, TLS only, versioned, Intelligent-Tiering,
 * CORS for presigned PUT uploads) behind CloudFront with origin access control. Story
 * media is private: CloudFront serves `stories/*` only on URLs signed with the key pair
 * this stack makes (its private half never leaves Secrets Manager).
 */
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
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
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { plazaFunction } from './plaza-function.ts';
import type { PlazaSettings } from './settings.ts';

/** Key prefixes (CONTRACT.md) whose objects CloudFront serves only on signed URLs. */
export const privatePrefixes = ['stories/'];

export class PlazaMedia extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly signingKey: Secret;
  readonly publicKey: PublicKey;
  readonly keyGroup: KeyGroup;

  constructor(scope: Construct, id: string, props: { settings: PlazaSettings }) {
    super(scope, id);
    const { settings } = props;

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          id: 'intelligent-tiering',
          transitions: [
            { storageClass: StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(0) },
          ],
        },
        // Versions guard against mistakes, not for ever.
        { id: 'old-versions', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'unfinished-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Stories live 24 hours; their media goes a day later.
        { id: 'stories', prefix: 'stories/', expiration: Duration.days(2) },
      ],
      cors: [
        {
          allowedMethods: [HttpMethods.PUT],
          allowedOrigins: settings.corsOrigins,
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

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
        privatePrefixes.map((prefix) => [
          `${prefix}*`,
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
  }
}
