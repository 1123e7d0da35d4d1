/**
 * The CDK app (`npm run synth`, `npm run deploy`): one Plaza stack for the
 * stage and region in context, and the secondary region's recovery stack it
 * replicates to (deployed first). Offline and without an account it still
 * synthesizes (the stacks are then account-agnostic).
 */
import { App } from 'aws-cdk-lib';
import { PlazaRecoveryStack } from '../lib/disaster-recovery-stack.ts';
import { recoveryNames } from '../lib/disaster-recovery.ts';
import { PlazaStack } from '../lib/plaza-stack.ts';
import { readSettings } from '../lib/settings.ts';

const app = new App();
const settings = readSettings(app.node, process.env);
const recovery = new PlazaRecoveryStack(app, recoveryNames(settings.stage).stack, {
  env: { account: settings.account, region: settings.disasterRecovery.secondaryRegion },
  settings,
});
new PlazaStack(app, `Plaza-${settings.stage}`, {
  env: { account: settings.account, region: settings.region },
  settings,
}).addStackDependency(recovery, 'replicates media and exports, and copies backups, into it');
app.synth();
