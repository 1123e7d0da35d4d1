/**
 * The CDK app (`npm run synth`, `npm run deploy`): one Plaza stack for the
 * stage and region in context. Offline and without an account it still
 * synthesizes (the stack is then account-agnostic).
 */
import { App } from 'aws-cdk-lib';
import { PlazaStack } from '../lib/plaza-stack.ts';
import { readSettings } from '../lib/settings.ts';

const app = new App();
const settings = readSettings(app.node, process.env);
new PlazaStack(app, `Plaza-${settings.stage}`, {
  env: { account: settings.account, region: settings.region },
  settings,
});
app.synth();
