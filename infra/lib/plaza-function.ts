/**
 * Every Plaza Lambda: an entry (src/bin/lambda/*) bundled by esbuild from
 * the same sources the local server runs (ES modules, Node 20, arm64), with
 * its own log group and only the environment it is given.
 * The bundle targets Node 20 syntax, so it runs on any later runtime.
 */
import { Duration, RemovalPolicy, type Size } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join, resolve } from 'node:path';
import { repoRoot, type LambdaRuntimeName } from './settings.ts';

export interface PlazaFunctionProps {
  /** The handler's file: absolute, or from the repository root (src/bin/lambda/…). */
  entry: string;
  description: string;
  environment: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  /** /tmp, for functions that write files (512 MiB unless given). */
  ephemeralStorageSize?: Size;
  /** Files copied beside the bundle (paths from the repository root), for code that reads them at run time. */
  assets?: string[];
  runtime: LambdaRuntimeName;
  /** arm64 unless a native module is only tested on x86_64. */
  architecture?: Architecture;
  /**
   * Packages installed beside the bundle instead of bundled (native code), for Lambda's
   * platform (linux, glibc, the function's CPU) whatever machine synthesizes.
   */
  nodeModules?: string[];
}

const runtimes: Record<LambdaRuntimeName, Runtime> = {
  'nodejs20.x': Runtime.NODEJS_20_X,
  'nodejs22.x': Runtime.NODEJS_22_X,
  'nodejs24.x': Runtime.NODEJS_24_X,
};

/** ES modules bundled from CommonJS packages still call `require` for Node's built-ins. */
const requireShim =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export function plazaFunction(scope: Construct, id: string, props: PlazaFunctionProps): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const assets = props.assets ?? [];
  const nodeModules = props.nodeModules ?? [];
  const cpu = props.architecture === Architecture.X86_64 ? 'x64' : 'arm64';
  return new NodejsFunction(scope, id, {
    entry: resolve(repoRoot, props.entry),
    handler: 'handler',
    description: props.description,
    projectRoot: repoRoot,
    depsLockFilePath: join(repoRoot, 'package-lock.json'),
    runtime: runtimes[props.runtime],
    architecture: props.architecture ?? Architecture.ARM_64,
    memorySize: props.memorySize ?? 512,
    timeout: props.timeout ?? Duration.seconds(10),
    ...(props.ephemeralStorageSize ? { ephemeralStorageSize: props.ephemeralStorageSize } : {}),
    logGroup,
    environment: {
      NODE_ENV: 'production',
      NODE_OPTIONS: '--enable-source-maps',
      LOG_LEVEL: 'info',
      // The only writable place in Lambda; nothing under it outlives the instance.
      DATA_DIR: '/tmp/plaza',
      ...props.environment,
    },
    bundling: {
      format: OutputFormat.ESM,
      target: 'node20',
      mainFields: ['module', 'main'],
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      // The SDK versions the tests ran with, not whichever the runtime carries.
      bundleAwsSDK: true,
      banner: requireShim,
      tsconfig: join(repoRoot, 'tsconfig.json'),
      ...(nodeModules.length > 0 ? { nodeModules } : {}),
      commandHooks: {
        beforeBundling: () => [],
        // npm installs the prebuilt native packages of the platform named here, not of this machine
        // (from its cache when it can; no install scripts: nothing is compiled).
        beforeInstall: (_inputDir: string, outputDir: string) =>
          nodeModules.length > 0
            ? [
                `printf 'os=linux\\ncpu=${cpu}\\nlibc=glibc\\nprefer-offline=true\\nignore-scripts=true\\n' > "${outputDir}/.npmrc"`,
              ]
            : [],
        afterBundling: (inputDir: string, outputDir: string) => [
          ...assets.map((asset) => `cp "${join(inputDir, asset)}" "${outputDir}/"`),
          ...(nodeModules.length > 0 ? [`rm -f "${outputDir}/.npmrc"`] : []),
        ],
      },
    },
  });
}
