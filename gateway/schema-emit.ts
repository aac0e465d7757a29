import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildGatewaySchema } from './schema/build-gateway-schema';
import { committedSdlPath, renderSchemaSdl } from './schema/schema-sdl';

/**
 * Writes schema/schema.graphql from the code; with `--check`, writes nothing and exits 1 when the
 * committed file differs (CI).
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const target = committedSdlPath(__dirname);
  const sdl = renderSchemaSdl(await buildGatewaySchema({ pubSub: createPubSub() }));
  if (!check) {
    writeFileSync(target, sdl);
    process.stdout.write(`wrote ${target}\n`);
    return;
  }
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    committed = '';
  }
  if (committed !== sdl) {
    process.stderr.write(
      `${target} differs from the schema the code builds: run \`npm run schema:emit\` and commit the result\n`,
    );
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${target} is up to date\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `schema emission failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
