/** Runs every benchmark (npm run bench), or those named on the command line. */
import { graphqlBenchmark } from './graphql.bench.ts';
import { identityBenchmark } from './identity.bench.ts';
import { itemStoreBenchmark } from './item-store.bench.ts';
import { lambdaBenchmark } from './lambda.bench.ts';
import { mediaBenchmark } from './media.bench.ts';
import { videoBenchmark } from './video.bench.ts';
import { subscriptionsBenchmark } from './subscriptions.bench.ts';
import { backupBenchmark } from './backup.bench.ts';
import { continuousBackupBenchmark } from './continuous-backup.bench.ts';
import { hostedUiBenchmark } from './hosted-ui.bench.ts';
import { webBenchmark } from './web.bench.ts';
import { metricsBenchmark } from './metrics.bench.ts';
import { privacyBenchmark } from './privacy.bench.ts';
import { scaleBenchmark } from './scale.bench.ts';
import { auditBenchmark } from './audit.bench.ts';
import { s3Benchmark } from './s3.bench.ts';
import { startupBenchmark } from './startup.bench.ts';

const benchmarks: Record<string, () => Promise<void>> = {
  'item-store': itemStoreBenchmark,
  identity: identityBenchmark,
  graphql: graphqlBenchmark,
  media: mediaBenchmark,
  video: videoBenchmark,
  subscriptions: subscriptionsBenchmark,
  // Local backups, then the continuous off-machine copy (issue 22).
  backup: async () => {
    await backupBenchmark();
    await continuousBackupBenchmark();
  },
  lambda: lambdaBenchmark,
  'hosted-ui': hostedUiBenchmark,
  web: webBenchmark,
  metrics: metricsBenchmark,
  privacy: privacyBenchmark,
  scale: scaleBenchmark,
  audit: auditBenchmark,
  s3: s3Benchmark,
  startup: startupBenchmark,
};

const selected = process.argv.slice(2);
for (const [name, run] of Object.entries(benchmarks)) {
  if (selected.length === 0 || selected.includes(name)) await run();
}
