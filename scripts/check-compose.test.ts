import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadIngestConfig } from '../ingest/config';
import { checkCompose, interpolate } from './check-compose.js';

const root = path.resolve(__dirname, '..');
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const secrets = {
  INGEST_HMAC_SECRET: 'a'.repeat(64),
  GATEWAY_ADMIN_API_KEY: `xk_admin_${'b'.repeat(48)}`,
};

function interpolated(text: string, env: Record<string, string | undefined>) {
  const state = {
    required: new Set<string>(),
    problems: [] as string[],
    where: 'x',
    placeholder: (n: string) => `<${n}>`,
  };
  return { value: interpolate(text, env, state), required: [...state.required], problems: state.problems };
}

describe('docker-compose.yml', () => {
  it('has no structural problems and requires only the two secrets', () => {
    const result = checkCompose({ composeText, root });
    expect(result.problems).toEqual([]);
    expect(result.requiredVariables).toEqual(['GATEWAY_ADMIN_API_KEY', 'INGEST_HMAC_SECRET']);
  });

  it('gives ingest an environment its config accepts', () => {
    const { services, problems } = checkCompose({ composeText, root, env: secrets });
    expect(problems).toEqual([]);
    const environment = services.ingest?.environment ?? {};
    expect(loadIngestConfig(environment)).toMatchObject({ port: 3001, hmacSecret: secrets.INGEST_HMAC_SECRET });
  });
});

describe('checkCompose', () => {
  const minimal = (services: string, volumes = '') => `services:\n${services}\n${volumes}`;

  it('refuses service_healthy on a service without a healthcheck', () => {
    const text = minimal(
      `  a:\n    image: x\n    depends_on:\n      b:\n        condition: service_healthy\n  b:\n    image: y`,
    );
    const { problems } = checkCompose({ composeText: text, root });
    expect(problems).toContain('services.a.depends_on.b: service_healthy needs a healthcheck on "b"');
  });

  it('refuses a dependency on a service that does not exist, and a cycle', () => {
    const text = minimal(`  a:\n    image: x\n    depends_on: [b, ghost]\n  b:\n    image: y\n    depends_on: [a]`);
    const { problems } = checkCompose({ composeText: text, root });
    expect(problems).toContain('services.a.depends_on: "ghost" is not a service');
    expect(problems.some((p) => p.startsWith('depends_on cycle: a -> b -> a'))).toBe(true);
  });

  it('refuses a build target that is not a Dockerfile stage and an undeclared named volume', () => {
    const text = minimal(`  a:\n    build:\n      context: .\n      target: nowhere\n    volumes:\n      - data:/data`);
    const { problems } = checkCompose({ composeText: text, root });
    expect(problems.some((p) => p.startsWith('services.a.build.target: "nowhere" is not a stage of Dockerfile'))).toBe(
      true,
    );
    expect(problems).toContain('services.a.volumes: named volume "data" is not declared under top-level "volumes"');
  });

  it('refuses malformed ports, durations, restart policies and unknown keys', () => {
    const text = minimal(
      `  a:\n    image: x\n    imgae: typo\n    restart: sometimes\n    ports: ['80:80:80:80']\n    healthcheck:\n      test: ['RUN', 'true']\n      interval: 10 seconds`,
    );
    const { problems } = checkCompose({ composeText: text, root });
    expect(problems).toEqual(
      expect.arrayContaining([
        'services.a: unknown key "imgae"',
        'services.a.restart: "sometimes" is not no, always, unless-stopped or on-failure[:n]',
        'services.a.ports[0]: "80:80:80:80" is not [host_ip:][host:]container[/protocol]',
        'services.a.healthcheck.test: a list starts with CMD, CMD-SHELL or NONE',
        'services.a.healthcheck.interval: "10 seconds" is not a duration like 10s or 1m30s',
      ]),
    );
  });

  it('reports a YAML syntax error instead of throwing', () => {
    const { problems } = checkCompose({ composeText: 'services:\n  a: [unclosed', root });
    expect(problems[0]).toMatch(/^YAML: /);
  });

  it('refuses the same host port published twice', () => {
    const text = minimal(
      `  a:\n    image: x\n    ports: ['127.0.0.1:3000:3000']\n  b:\n    image: y\n    ports: ['3000:80']`,
    );
    expect(checkCompose({ composeText: text, root }).problems).toContain(
      'host port 3000 is published by both "a" and "b"',
    );
  });
});

describe('compose interpolation', () => {
  it('applies defaults, alternatives and escapes as compose does', () => {
    expect(interpolated('${A:-x}/${B-y}/${C:+z}/$$HOME/$D', { A: '', B: '', C: 'set', D: 'd' }).value).toBe(
      'x//z/$HOME/d',
    );
  });

  it('records a required variable that is unset', () => {
    expect(interpolated('${SECRET:?set it}', {})).toEqual({ value: '<SECRET>', required: ['SECRET'], problems: [] });
    expect(interpolated('${SECRET:?set it}', { SECRET: 's' }).value).toBe('s');
  });

  it('refuses a lone dollar sign', () => {
    expect(interpolated('cost $(5)', {}).problems).toEqual([
      'x: invalid interpolation "cost $(5)" (a literal $ is written $$)',
    ]);
  });
});
