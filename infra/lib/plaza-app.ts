/**
 * The stacks a deployment is made of, for the CDK app and its tests: the secondary region's
 * recovery stack and the main stack that replicates into it (deployed in that order); or, failing
 * over (context `failover=true`), the main stack alone in the secondary region, on the replicas.
 * Its name differs from the lost region's stack (`Plaza-<stage>-failover`): CloudFront's key pair,
 * key group and origin access control are named after the stack, and CloudFront is global.
 */
import type { App } from 'aws-cdk-lib';
import { PlazaRecoveryStack } from './disaster-recovery-stack.ts';
import { failingOver, recoveryNames } from './disaster-recovery.ts';
import { PlazaStack } from './plaza-stack.ts';
import type { PlazaSettings } from './settings.ts';

export function plazaStacks(
  app: App,
  settings: PlazaSettings,
): { stack: PlazaStack; recovery: PlazaRecoveryStack | undefined } {
  if (settings.disasterRecovery.failover) {
    const moved = failingOver(settings);
    const stack = new PlazaStack(app, `Plaza-${settings.stage}-failover`, {
      env: { account: moved.account, region: moved.region },
      settings: moved,
    });
    return { stack, recovery: undefined };
  }
  const recovery = new PlazaRecoveryStack(app, recoveryNames(settings.stage).stack, {
    env: { account: settings.account, region: settings.disasterRecovery.secondaryRegion },
    settings,
  });
  const stack = new PlazaStack(app, `Plaza-${settings.stage}`, {
    env: { account: settings.account, region: settings.region },
    settings,
  });
  stack.addStackDependency(recovery, 'replicates media and exports, and copies backups, into it');
  return { stack, recovery };
}
