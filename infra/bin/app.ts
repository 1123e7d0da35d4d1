/**
 * The CDK app (`npm run synth`, `npm run deploy`): the Plaza stack for the
 * stage and region in context, and the secondary region's recovery stack it
 * replicates to (infra/lib/plaza-app.ts). Offline and without an account it
 * still synthesizes (the stacks are then account-agnostic).
 */
import { App } from 'aws-cdk-lib';
import { plazaStacks } from '../lib/plaza-app.ts';
import { readSettings } from '../lib/settings.ts';

const app = new App();
plazaStacks(app, readSettings(app.node, process.env));
app.synth();
