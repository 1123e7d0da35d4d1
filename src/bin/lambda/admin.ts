/** The operator console's API on AWS: /admin/* behind a Lambda function URL (src/app/lambda-admin.ts). */
import { awsOperatorApiParts, openOperatorApi } from '../../app/lambda-admin.ts';
import { once, openLambdaApp } from '../../app/lambda.ts';
import {
  answerFunctionUrl,
  type FunctionUrlEvent,
  type FunctionUrlResult,
} from '../../edge/lambda/function-url.ts';
import { loadConfig } from '../../platform/config.ts';

const api = once(async () => {
  const app = openLambdaApp(loadConfig());
  return openOperatorApi(app, awsOperatorApiParts(app));
});

export async function handler(event: FunctionUrlEvent): Promise<FunctionUrlResult> {
  return answerFunctionUrl(await api(), event);
}
