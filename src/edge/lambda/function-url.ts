/**
 * A Lambda function URL's request (payload format 2.0) answered by Fastify routes, through
 * Fastify's own request injection: the same routes, hooks and error handling as on a server,
 * without a socket.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FastifyInstance, HTTPMethods } from 'fastify';

export type FunctionUrlEvent = APIGatewayProxyEventV2;
export type FunctionUrlResult = APIGatewayProxyStructuredResultV2;

export async function answerFunctionUrl(
  server: FastifyInstance,
  event: FunctionUrlEvent,
): Promise<FunctionUrlResult> {
  const { http } = event.requestContext;
  const headers: Record<string, string> = { ...(event.headers as Record<string, string>) };
  // Function URLs take cookies out of the headers.
  if (event.cookies?.length) headers.cookie = event.cookies.join('; ');
  const response = await server.inject({
    method: http.method.toUpperCase() as HTTPMethods,
    url: `${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`,
    headers,
    remoteAddress: http.sourceIp,
    ...(event.body === undefined
      ? {}
      : { payload: event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body }),
  });
  const answerHeaders: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    if (name === 'set-cookie') cookies.push(...[value].flat().map(String));
    else answerHeaders[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return {
    statusCode: response.statusCode,
    headers: answerHeaders,
    body: response.body,
    isBase64Encoded: false,
    ...(cookies.length > 0 ? { cookies } : {}),
  };
}
