/**
 * The image pipeline: S3 object-created events for uploads, processed with sharp, and for objects
 * put under `private/<identity id>/uploads/`, moved into their reservations.
 */
import type { S3Event } from 'aws-lambda';
import { handleObjectsCreated } from '../../edge/lambda/s3-events.ts';
import { lambdaImagePipeline } from '../../app/lambda-images.ts';
import { lambdaUploadedObjects, once, openLambdaApp } from '../../app/lambda.ts';
import { loadConfig } from '../../platform/config.ts';

const ready = once(async () => {
  const app = openLambdaApp(loadConfig());
  return { media: lambdaImagePipeline(app), uploaded: lambdaUploadedObjects(app), logger: app.logger };
});

export async function handler(event: S3Event): Promise<void> {
  const { media, uploaded, logger } = await ready();
  await handleObjectsCreated(event, media, logger, uploaded);
}
