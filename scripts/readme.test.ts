import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The README's configuration tables list every variable the services read: each config module's
 * zod object names its variables as keys (`NAME: ...`), and each must appear as `NAME` in README.md.
 */
const root = path.resolve(__dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

function variablesOf(configModule: string): string[] {
  const source = readFileSync(path.join(root, configModule), 'utf8');
  return [
    ...new Set([...source.matchAll(/^\s+([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):/gm)].map((match) => match[1] as string)),
  ];
}

describe('README.md', () => {
  it.each(['ingest/config.ts', 'processor/config.ts', 'gateway/config.ts'])(
    'documents every variable %s reads',
    (configModule) => {
      const variables = variablesOf(configModule);
      expect(variables).toEqual(expect.arrayContaining(['REDIS_URL', 'AMQP_URL', 'LOG_LEVEL']));
      expect(variables.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
    },
  );

  it('lists no service variable that no config reads', () => {
    const configuration = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('### Operator scripts'));
    const documented = [...configuration.matchAll(/^\| `([A-Z][A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1] as string);
    const read = new Set(['ingest/config.ts', 'processor/config.ts', 'gateway/config.ts'].flatMap(variablesOf));
    expect(documented.length).toBeGreaterThan(30);
    expect(documented.filter((name) => !read.has(name))).toEqual([]);
  });

  it('names the two quick-start commands first', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'));
    const commands = [...quickStart.matchAll(/^npm (run up|test)\b/gm)].map((match) => match[1]);
    expect(commands.slice(0, 2)).toEqual(['run up', 'test']);
  });
});
