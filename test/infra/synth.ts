/** The CDK app as `npm run synth` builds it (cdk.json's context), for assertions on its templates. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { PlazaRecoveryStack } from '../../infra/lib/disaster-recovery-stack.ts';
import { plazaStacks } from '../../infra/lib/plaza-app.ts';
import type { PlazaStack } from '../../infra/lib/plaza-stack.ts';
import { cdkJsonContext, readSettings } from '../../infra/lib/settings.ts';

export function synthesize(
  context: Record<string, unknown> = {},
  options: { bundle?: boolean; outdir?: string } = {},
): {
  app: App;
  stack: PlazaStack;
  template: Template;
  /** The secondary region's stack; none when failing over. */
  recovery: PlazaRecoveryStack | undefined;
  outdir: string;
} {
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), 'plaza-cdk-'));
  const app = new App({
    outdir,
    // CDK's template lint takes 5-20 s here; `npm run synth` runs it (cdk.json makes its errors fatal).
    builtinCloudFormationValidation: false,
    context: {
      ...cdkJsonContext(),
      // No stack is bundled unless asked: assets point at the sources, and esbuild does not run.
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  const settings = readSettings(app.node, {});
  const { stack, recovery } = plazaStacks(app, settings);
  return { app, stack, template: Template.fromStack(stack), recovery, outdir };
}

/** A template's resource, as the assertions read it. */
export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  DependsOn?: string[];
}

/** An IAM policy statement, as the assertions read it. */
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
}

/** The template's resources by logical id. */
export function resourcesOf(template: Template): Record<string, Resource> {
  return template.toJSON().Resources as Record<string, Resource>;
}
