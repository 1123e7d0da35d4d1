/** The image pipeline: S3 object-created events for uploads, processed with sharp. */
import type { S3Event } from 'aws-lambda';
import { sharpImageProcessor } from '../../adapters/sharp/sharp-image-processor.ts';
import { handleObjectsCreated } from '../../edge/lambda/s3-events.ts';
import { lambdaMediaServices, once, openLambdaApp } from '../../lambda-app.ts';
import { loadConfig } from '../../platform/config.ts';

const ready = once(async () => {
  const app = openLambdaApp(loadConfig());
  return { media: lambdaMediaServices(app, sharpImageProcessor()), logger: app.logger };
});

export async function handler(event: S3Event): Promise<void> {
  const { media, logger } = await ready();
  await handleObjectsCreated(event, media, logger);
}
