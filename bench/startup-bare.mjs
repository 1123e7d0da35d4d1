/**
 * The startup benchmark's bare reference: what Plaza's server cannot start without, and nothing
 * else. It loads the libraries the server loads (without Plaza's own modules or tsx), opens the
 * same SQLite file and answers GET /healthz on PORT.
 */
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import pino from 'pino';
// The rest of what the server loads at start, loaded here for its cost alone.
import '@escape.tech/graphql-armor';
import '@envelop/core';
import 'argon2';
import 'dataloader';
import 'graphql';
import 'graphql-jit';
import 'jose';
import 'prom-client';
import 'sharp';

const db = new Database(process.env.DB_PATH);
db.pragma('journal_mode = WAL');
const server = Fastify({ loggerInstance: pino({ level: 'silent' }) });
await server.register(fastifyWebsocket);
await server.register(fastifyStatic, { root: process.cwd(), serve: false });
server.get('/healthz', async () => ({ status: 'ok' }));
await server.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', async () => {
  await server.close();
  db.close();
  process.exit(0);
});
