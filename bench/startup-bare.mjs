/**
 * The startup benchmark's bare reference: what Plaza's server cannot start without, and nothing
 * else. It loads the libraries the server loads (without Plaza's own modules or tsx), opens the
 * same SQLite file and answers GET /healthz on PORT.
 */
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { envelop } from '@envelop/core';
import argon2 from 'argon2';
import DataLoader from 'dataloader';
import { buildSchema } from 'graphql';
import { compileQuery } from 'graphql-jit';
import { jwtVerify } from 'jose';
import pino from 'pino';
import client from 'prom-client';
import sharp from 'sharp';

// Each library is used, so that none is left unloaded as unused.
const loaded = [
  EnvelopArmor,
  envelop,
  argon2,
  DataLoader,
  buildSchema,
  compileQuery,
  jwtVerify,
  client,
  sharp,
];
if (loaded.some((library) => library === undefined)) throw new Error('a library did not load');
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
