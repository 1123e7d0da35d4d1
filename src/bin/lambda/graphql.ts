/** The AppSync Direct Lambda resolver for every Query and Mutation field. */
import { appSyncDirectLambda, type DirectLambdaEvent } from '../../edge/graphql/appsync-direct-lambda.ts';
import { executableSchema } from '../../edge/graphql/executable-schema.ts';
import { lambdaGraphQLServices, once, openLambdaApp } from '../../app/lambda.ts';
import { resolvedCaller } from '../../domain/social/user-aliases.ts';
import { loadConfig } from '../../platform/config.ts';

const resolver = once(async () => {
  const app = openLambdaApp(loadConfig());
  return appSyncDirectLambda({
    schema: executableSchema(),
    cachedFields: app.config.appSyncCachedFields,
    services: await lambdaGraphQLServices(app),
    logger: app.logger,
    resolveCaller: (caller) => resolvedCaller(caller, app.aliases),
  });
});

export async function handler(event: DirectLambdaEvent): Promise<unknown> {
  return (await resolver())(event);
}
