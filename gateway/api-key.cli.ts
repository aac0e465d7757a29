import 'reflect-metadata';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { ApiKeyRole, silentLogger } from '../schema';
import { ApiKeyService } from './auth/api-key.service';
import { loadApiKeyCliConfig } from './config';
import { bindGatewayModels } from './db/gateway-models';

const USAGE = `usage (MONGO_URL from the environment):
  api-key create --name <name> [--role READER|ADMIN]   prints the new key once (role defaults to READER)
  api-key revoke --id <key id>
  api-key list`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['create', 'revoke', 'list'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const role = (values.role ?? ApiKeyRole.READER).toUpperCase();
  if (command === 'create' && (!values.name?.trim() || !(role in ApiKeyRole))) {
    process.stderr.write(`create needs --name and --role READER or ADMIN\n${USAGE}\n`);
    return 2;
  }
  if (command === 'revoke' && !values.id) {
    process.stderr.write(`revoke needs --id\n${USAGE}\n`);
    return 2;
  }

  const { mongoUrl } = loadApiKeyCliConfig();
  const connection = await mongoose.createConnection(mongoUrl, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  try {
    const models = bindGatewayModels(connection);
    await models.apiKeys.createIndexes();
    const keys = new ApiKeyService(models, { cacheTtlMs: 0 }, silentLogger());
    switch (command) {
      case 'create': {
        const created = await keys.create((values.name as string).trim(), role as ApiKeyRole);
        process.stdout.write(
          `${JSON.stringify({ id: created.id, name: created.name, role: created.role, key: created.key })}\n`,
        );
        process.stderr.write('Store the key now: only its SHA-256 is kept.\n');
        return 0;
      }
      case 'revoke': {
        if (await keys.revoke(values.id as string)) {
          process.stdout.write(`revoked ${values.id}\n`);
          return 0;
        }
        process.stderr.write(`no API key with id ${values.id}\n`);
        return 1;
      }
      default: {
        for (const key of await keys.list()) process.stdout.write(`${JSON.stringify(key)}\n`);
        return 0;
      }
    }
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
