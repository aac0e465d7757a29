#!/usr/bin/env node
// @ts-check
// Waits until each named service answers a real request (not an open port): a Mongo `ping`,
// a Redis PING, an AMQP connection, an HTTP 2xx. Exits 0 when all answer, 1 at the timeout.
// Plain JavaScript so the stack script can run it before anything is built.
'use strict';

const { parseArgs } = require('node:util');

const { values } = parseArgs({
  options: {
    mongo: { type: 'string' },
    redis: { type: 'string' },
    amqp: { type: 'string' },
    http: { type: 'string', multiple: true },
    timeout: { type: 'string', default: '60' },
  },
});

const deadline = Date.now() + Number(values.timeout) * 1000;

/** @param {number} ms */
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {string} name @param {() => Promise<void>} probe */
async function until(name, probe) {
  let lastError = 'no attempt';
  while (Date.now() < deadline) {
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      await pause(250);
    }
  }
  throw new Error(`${name} did not answer: ${lastError}`);
}

async function probeMongo(/** @type {string} */ url) {
  // The driver mongoose depends on (and exports): the project lists mongoose, not mongodb itself.
  const { MongoClient } = require('mongoose').mongo;
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000 });
  try {
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function probeRedis(/** @type {string} */ url) {
  const Redis = require('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    if ((await client.ping()) !== 'PONG') throw new Error('PING did not answer PONG');
  } finally {
    client.disconnect();
  }
}

async function probeAmqp(/** @type {string} */ url) {
  const amqp = require('amqplib');
  const connection = await amqp.connect(url, { timeout: 2000 });
  await connection.close();
}

async function probeHttp(/** @type {string} */ url) {
  const parsed = new URL(url);
  const headers = {};
  if (parsed.username) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  const response = await fetch(parsed, { headers, signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
}

async function main() {
  const probes = [];
  if (values.mongo) probes.push(until('mongo', () => probeMongo(/** @type {string} */ (values.mongo))));
  if (values.redis) probes.push(until('redis', () => probeRedis(/** @type {string} */ (values.redis))));
  if (values.amqp) probes.push(until('amqp', () => probeAmqp(/** @type {string} */ (values.amqp))));
  for (const url of values.http ?? []) probes.push(until(url.replace(/\/\/[^@]*@/, '//'), () => probeHttp(url)));
  const results = await Promise.allSettled(probes);
  const failures = results.filter((r) => r.status === 'rejected');
  for (const failure of failures) console.error(String(/** @type {PromiseRejectedResult} */ (failure).reason.message));
  process.exit(failures.length === 0 ? 0 : 1);
}

void main();
