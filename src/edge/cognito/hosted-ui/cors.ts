/** Browser apps on the callback URLs' origins call the token and userInfo endpoints directly. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HostedUiHandler, HostedUiOptions } from './options.ts';

type CorsOptions = Pick<HostedUiOptions, 'hosted'>;

export function allowOrigin({ hosted }: CorsOptions, request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (origin && hosted.callbackUrls().some((url) => new URL(url).origin === origin))
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
}

export function preflight(methods: string, headers: string) {
  return (options: CorsOptions): HostedUiHandler =>
    async (request, reply) => {
      allowOrigin(options, request, reply);
      return reply
        .code(204)
        .header('access-control-allow-methods', methods)
        .header('access-control-allow-headers', headers)
        .send();
    };
}
