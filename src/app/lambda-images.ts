/**
 * The image pipeline's services on AWS: the media services with sharp, kept out of lambda.ts so
 * only the pipeline's bundle carries sharp's native code.
 */
import { sharpImageProcessor } from '../adapters/sharp/sharp-image-processor.ts';
import type { MediaServices } from '../domain/media/model.ts';
import { lambdaMediaServices, type LambdaApp } from './lambda.ts';

export function lambdaImagePipeline(app: LambdaApp): MediaServices {
  return lambdaMediaServices(app, sharpImageProcessor());
}
