#!/usr/bin/env node
// @ts-check
// Checks docker-compose.yml without a compose engine: it parses as YAML, every `${VAR}` is valid
// compose interpolation, the structure follows the compose specification for what the file uses
// (services, builds against real Dockerfile stages, ports, healthchecks, depends_on conditions
// naming services that exist and have a healthcheck, no dependency cycles, declared volumes), and
// it matches what XRayIOT needs (the infrastructure images and host ports scripts/stack.sh expects,
// the three services with their ports and the environment their configs require).
//
//   node scripts/check-compose.js [docker-compose.yml]     exits 1 and lists every problem
'use strict';

const { existsSync, readFileSync, statSync } = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const TOP_LEVEL_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include']);
const SERVICE_KEYS = new Set([
  'build',
  'image',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'expose',
  'volumes',
  'depends_on',
  'healthcheck',
  'restart',
  'stop_grace_period',
  'stop_signal',
  'hostname',
  'networks',
  'deploy',
  'labels',
  'user',
  'working_dir',
  'init',
  'ulimits',
  'logging',
  'container_name',
  'profiles',
  'tmpfs',
  'cap_add',
  'cap_drop',
  'read_only',
  'extra_hosts',
  'secrets',
  'configs',
  'platform',
  'pull_policy',
  'shm_size',
  'sysctls',
  'security_opt',
  'mem_limit',
  'cpus',
  'develop',
  'attach',
]);
const BUILD_KEYS = new Set([
  'context',
  'dockerfile',
  'target',
  'args',
  'cache_from',
  'labels',
  'platforms',
  'secrets',
  'ssh',
  'tags',
  'network',
  'dockerfile_inline',
]);
const HEALTHCHECK_KEYS = new Set([
  'test',
  'interval',
  'timeout',
  'retries',
  'start_period',
  'start_interval',
  'disable',
]);
const DEPENDS_ON_KEYS = new Set(['condition', 'restart', 'required']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
const DURATION = /^(\d+(\.\d+)?(us|ms|s|m|h))+$/;
const RESTART = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;
const PORT_SHORT =
  /^(?:(?:\[[0-9a-fA-F:.]+\]|\d{1,3}(?:\.\d{1,3}){3}):)?(?:(\d{1,5})(?:-\d{1,5})?:)?(\d{1,5})(?:-\d{1,5})?(?:\/(tcp|udp))?$/;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * What XRayIOT expects of its compose file: the infrastructure as scripts/stack.sh and the test
 * set-up use it, and the three services with the variables their config modules require.
 */
const EXPECTED = {
  infrastructure: {
    mongo: { image: 'mongo:7', hostPorts: [27017] },
    redis: { image: 'redis:7', hostPorts: [6379] },
    rabbitmq: { image: 'rabbitmq:3.13-management', hostPorts: [5672, 15672] },
  },
  services: {
    ingest: {
      port: 3001,
      portVariable: 'INGEST_PORT',
      env: ['AMQP_URL', 'REDIS_URL', 'INGEST_HMAC_SECRET'],
      dependsOn: ['rabbitmq', 'redis'],
    },
    processor: {
      port: 3002,
      portVariable: 'PROCESSOR_PORT',
      env: ['MONGO_URL', 'AMQP_URL', 'REDIS_URL', 'INGEST_HMAC_SECRET'],
      dependsOn: ['mongo', 'rabbitmq', 'redis'],
    },
    gateway: {
      port: 3000,
      portVariable: 'GATEWAY_PORT',
      env: ['MONGO_URL', 'REDIS_URL', 'AMQP_URL', 'GATEWAY_ADMIN_API_KEY'],
      dependsOn: ['mongo', 'redis', 'rabbitmq'],
    },
  },
};

/** @param {unknown} value @returns {value is Record<string, unknown>} */
const isMap = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Compose interpolation: `$$` is a literal `$`; `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`, `${VAR+alt}` and `$VAR`. A lone `$` followed
 * by anything else is invalid. A required variable that is unset is recorded and replaced by
 * `placeholder(name)`, so the rest of the file can still be checked.
 * @param {string} text @param {Record<string, string | undefined>} env
 * @param {{ required: Set<string>, problems: string[], where: string, placeholder: (name: string) => string }} state
 */
function interpolate(text, env, state) {
  return text.replace(/\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*)|)/g, (whole, _body, braced, bare) => {
    if (whole === '$$') return '$';
    if (bare !== undefined) return env[bare] ?? '';
    if (braced === undefined) {
      state.problems.push(`${state.where}: invalid interpolation "${text}" (a literal $ is written $$)`);
      return '';
    }
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])(.*))?$/s.exec(braced);
    if (!match) {
      state.problems.push(`${state.where}: invalid interpolation "\${${braced}}"`);
      return '';
    }
    const [, name, colon, operator, argument = ''] = match;
    const value = env[/** @type {string} */ (name)];
    const unset = colon ? value === undefined || value === '' : value === undefined;
    switch (operator) {
      case undefined:
        return value ?? '';
      case '-':
        return unset ? argument : /** @type {string} */ (value);
      case '+':
        return unset ? '' : argument;
      case '?':
        if (!unset) return /** @type {string} */ (value);
        state.required.add(/** @type {string} */ (name));
        return state.placeholder(/** @type {string} */ (name));
      default:
        return '';
    }
  });
}

/** @param {unknown} node @param {(text: string, where: string) => string} map @param {string} where @returns {unknown} */
function mapStrings(node, map, where) {
  if (typeof node === 'string') return map(node, where);
  if (Array.isArray(node)) return node.map((item, index) => mapStrings(item, map, `${where}[${index}]`));
  if (isMap(node)) {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [key, value] of Object.entries(node)) out[key] = mapStrings(value, map, where ? `${where}.${key}` : key);
    return out;
  }
  return node;
}

/** @param {string} dockerfile @returns {Set<string>} the stage names (`FROM ... AS name`) */
function dockerfileStages(dockerfile) {
  const stages = new Set();
  for (const match of dockerfile.matchAll(/^\s*FROM\s+\S+(?:\s+AS\s+(\S+))?\s*$/gim)) {
    if (match[1]) stages.add(match[1].toLowerCase());
  }
  return stages;
}

/**
 * @param {unknown} environment
 * @param {string[]} problems @param {string} where
 * @returns {Record<string, string>}
 */
function environmentOf(environment, problems, where) {
  /** @type {Record<string, string>} */
  const env = {};
  if (environment === undefined) return env;
  if (Array.isArray(environment)) {
    for (const item of environment) {
      if (typeof item !== 'string' || !/^[^=]+(=.*)?$/s.test(item))
        problems.push(`${where}: list entries are "NAME=value"`);
      else {
        const index = item.indexOf('=');
        if (index > 0) env[item.slice(0, index)] = item.slice(index + 1);
      }
    }
  } else if (isMap(environment)) {
    for (const [name, value] of Object.entries(environment)) {
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
        problems.push(`${where}.${name}: must be a string, number, boolean or null`);
      else if (value !== null) env[name] = String(value);
    }
  } else problems.push(`${where}: must be a map or a list`);
  return env;
}

/**
 * @param {unknown} healthcheck @param {string[]} problems @param {string} where
 * @returns {boolean} whether it defines a real check
 */
function checkHealthcheck(healthcheck, problems, where) {
  if (!isMap(healthcheck)) {
    problems.push(`${where}: must be a map`);
    return false;
  }
  for (const key of Object.keys(healthcheck))
    if (!HEALTHCHECK_KEYS.has(key)) problems.push(`${where}: unknown key "${key}"`);
  for (const key of ['interval', 'timeout', 'start_period', 'start_interval']) {
    const value = healthcheck[key];
    if (value !== undefined && !(typeof value === 'string' && DURATION.test(value)))
      problems.push(`${where}.${key}: "${value}" is not a duration like 10s or 1m30s`);
  }
  if (
    healthcheck.retries !== undefined &&
    !(Number.isInteger(healthcheck.retries) && Number(healthcheck.retries) >= 1)
  ) {
    problems.push(`${where}.retries: must be a positive integer`);
  }
  if (healthcheck.disable === true) return false;
  const test = healthcheck.test;
  if (typeof test === 'string') return test.trim().length > 0;
  if (!Array.isArray(test) || test.length === 0 || !test.every((part) => typeof part === 'string')) {
    problems.push(`${where}.test: must be a string or a list of strings`);
    return false;
  }
  if (test[0] === 'NONE') return false;
  if (test[0] !== 'CMD' && test[0] !== 'CMD-SHELL') {
    problems.push(`${where}.test: a list starts with CMD, CMD-SHELL or NONE`);
    return false;
  }
  if (test.length < 2) problems.push(`${where}.test: names no command`);
  return test.length >= 2;
}

/**
 * @param {unknown} ports @param {string[]} problems @param {string} where
 * @returns {Array<{ host?: number, container: number }>}
 */
function portsOf(ports, problems, where) {
  /** @type {Array<{ host?: number, container: number }>} */
  const out = [];
  if (ports === undefined) return out;
  if (!Array.isArray(ports)) {
    problems.push(`${where}: must be a list`);
    return out;
  }
  ports.forEach((port, index) => {
    const at = `${where}[${index}]`;
    if (typeof port === 'number') {
      out.push({ container: port });
    } else if (typeof port === 'string') {
      const match = PORT_SHORT.exec(port);
      if (!match) problems.push(`${at}: "${port}" is not [host_ip:][host:]container[/protocol]`);
      else out.push({ host: match[1] === undefined ? undefined : Number(match[1]), container: Number(match[2]) });
    } else if (isMap(port) && port.target !== undefined) {
      out.push({
        host: port.published === undefined ? undefined : Number(port.published),
        container: Number(port.target),
      });
    } else problems.push(`${at}: must be a string, a number or a map with "target"`);
  });
  for (const { host, container } of out) {
    for (const value of [host, container])
      if (value !== undefined && !(value > 0 && value <= 65535))
        problems.push(`${where}: port ${value} is out of range`);
  }
  return out;
}

/**
 * Checks a compose file; returns every problem found (empty when it is fine).
 * @param {{ composeText: string, root: string, env?: Record<string, string | undefined>, placeholder?: (name: string) => string }} input
 * @returns {{ problems: string[], requiredVariables: string[], services: Record<string, { environment: Record<string, string> }> }}
 */
function checkCompose({ composeText, root, env = {}, placeholder = (name) => `<${name}>` }) {
  /** @type {string[]} */
  const problems = [];
  /** @type {Set<string>} */
  const required = new Set();
  /** @type {Record<string, { environment: Record<string, string> }>} */
  const resolvedServices = {};
  const result = () => ({ problems, requiredVariables: [...required].sort(), services: resolvedServices });

  const document = YAML.parseDocument(composeText, { merge: true, uniqueKeys: true, prettyErrors: true });
  for (const error of document.errors) problems.push(`YAML: ${error.message}`);
  if (document.errors.length > 0) return result();
  const raw = document.toJS({ maxAliasCount: 100 });
  if (!isMap(raw)) {
    problems.push('the file is not a YAML mapping');
    return result();
  }
  const compose = /** @type {Record<string, unknown>} */ (
    mapStrings(raw, (text, where) => interpolate(text, env, { required, problems, where, placeholder }), '')
  );

  for (const key of Object.keys(compose)) {
    if (!TOP_LEVEL_KEYS.has(key) && !key.startsWith('x-')) problems.push(`unknown top-level key "${key}"`);
  }
  if (compose.version !== undefined) problems.push('"version" is obsolete in the compose specification; remove it');
  const services = compose.services;
  if (!isMap(services) || Object.keys(services).length === 0) {
    problems.push('"services" must be a non-empty map');
    return result();
  }
  const volumes = isMap(compose.volumes) ? compose.volumes : {};
  if (compose.volumes !== undefined && !isMap(compose.volumes)) problems.push('"volumes" must be a map');

  /** @type {Map<string, boolean>} */
  const healthy = new Map();
  /** @type {Map<string, Array<{ host?: number, container: number }>>} */
  const portsByService = new Map();
  /** @type {Map<string, Map<string, string>>} */
  const dependencies = new Map();
  /** @type {Map<string, string | undefined>} */
  const targets = new Map();

  for (const [name, value] of Object.entries(services)) {
    const where = `services.${name}`;
    if (!NAME.test(name)) problems.push(`${where}: invalid service name`);
    if (!isMap(value)) {
      problems.push(`${where}: must be a map`);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!SERVICE_KEYS.has(key) && !key.startsWith('x-')) problems.push(`${where}: unknown key "${key}"`);
    }
    if (value.image === undefined && value.build === undefined) problems.push(`${where}: needs "image" or "build"`);
    if (value.image !== undefined && (typeof value.image !== 'string' || value.image.length === 0))
      problems.push(`${where}.image: must be a non-empty string`);

    if (value.build !== undefined) {
      const build = typeof value.build === 'string' ? { context: value.build } : value.build;
      if (!isMap(build)) problems.push(`${where}.build: must be a path or a map`);
      else {
        for (const key of Object.keys(build))
          if (!BUILD_KEYS.has(key)) problems.push(`${where}.build: unknown key "${key}"`);
        const context = path.resolve(root, typeof build.context === 'string' ? build.context : '.');
        if (!existsSync(context) || !statSync(context).isDirectory())
          problems.push(`${where}.build.context: ${context} is not a directory`);
        const dockerfilePath = path.resolve(
          context,
          typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile',
        );
        if (!existsSync(dockerfilePath))
          problems.push(`${where}.build.dockerfile: ${path.relative(root, dockerfilePath)} does not exist`);
        else if (build.target !== undefined) {
          const stages = dockerfileStages(readFileSync(dockerfilePath, 'utf8'));
          if (typeof build.target !== 'string' || !stages.has(build.target.toLowerCase())) {
            problems.push(
              `${where}.build.target: "${build.target}" is not a stage of ${path.relative(root, dockerfilePath)} (${[...stages].join(', ')})`,
            );
          }
        }
        targets.set(name, typeof build.target === 'string' ? build.target : undefined);
      }
    }

    resolvedServices[name] = { environment: environmentOf(value.environment, problems, `${where}.environment`) };
    portsByService.set(name, portsOf(value.ports, problems, `${where}.ports`));
    healthy.set(
      name,
      value.healthcheck === undefined ? false : checkHealthcheck(value.healthcheck, problems, `${where}.healthcheck`),
    );
    if (value.restart !== undefined && !(typeof value.restart === 'string' && RESTART.test(value.restart)))
      problems.push(`${where}.restart: "${value.restart}" is not no, always, unless-stopped or on-failure[:n]`);
    if (
      value.stop_grace_period !== undefined &&
      !(typeof value.stop_grace_period === 'string' && DURATION.test(value.stop_grace_period))
    )
      problems.push(`${where}.stop_grace_period: not a duration`);

    if (value.volumes !== undefined) {
      if (!Array.isArray(value.volumes)) problems.push(`${where}.volumes: must be a list`);
      else
        for (const volume of value.volumes) {
          const source = typeof volume === 'string' ? volume.split(':')[0] : isMap(volume) ? volume.source : undefined;
          if (
            typeof source === 'string' &&
            source.length > 0 &&
            !/^[./~]/.test(source) &&
            volume !== source &&
            !(source in volumes)
          ) {
            problems.push(`${where}.volumes: named volume "${source}" is not declared under top-level "volumes"`);
          }
        }
    }

    /** @type {Map<string, string>} */
    const deps = new Map();
    if (Array.isArray(value.depends_on)) {
      for (const dep of value.depends_on) {
        if (typeof dep !== 'string') problems.push(`${where}.depends_on: list entries are service names`);
        else deps.set(dep, 'service_started');
      }
    } else if (isMap(value.depends_on)) {
      for (const [dep, spec] of Object.entries(value.depends_on)) {
        if (!isMap(spec)) {
          problems.push(`${where}.depends_on.${dep}: must be a map with "condition"`);
          continue;
        }
        for (const key of Object.keys(spec))
          if (!DEPENDS_ON_KEYS.has(key)) problems.push(`${where}.depends_on.${dep}: unknown key "${key}"`);
        const condition = spec.condition ?? 'service_started';
        if (typeof condition !== 'string' || !CONDITIONS.has(condition))
          problems.push(
            `${where}.depends_on.${dep}.condition: "${condition}" is not one of ${[...CONDITIONS].join(', ')}`,
          );
        deps.set(dep, String(condition));
      }
    } else if (value.depends_on !== undefined) problems.push(`${where}.depends_on: must be a list or a map`);
    dependencies.set(name, deps);
  }

  for (const [name, deps] of dependencies) {
    for (const [dep, condition] of deps) {
      if (!(dep in services)) problems.push(`services.${name}.depends_on: "${dep}" is not a service`);
      else if (dep === name) problems.push(`services.${name}.depends_on: a service cannot depend on itself`);
      else if (condition === 'service_healthy' && !healthy.get(dep))
        problems.push(`services.${name}.depends_on.${dep}: service_healthy needs a healthcheck on "${dep}"`);
    }
  }
  const cycle = findCycle(dependencies);
  if (cycle) problems.push(`depends_on cycle: ${cycle.join(' -> ')}`);

  /** @type {Map<number, string>} */
  const hostPorts = new Map();
  for (const [name, ports] of portsByService) {
    for (const { host } of ports) {
      if (host === undefined) continue;
      const other = hostPorts.get(host);
      if (other) problems.push(`host port ${host} is published by both "${other}" and "${name}"`);
      else hostPorts.set(host, name);
    }
  }

  checkExpectations(services, { portsByService, healthy, dependencies, targets, resolvedServices }, problems);
  return result();
}

/**
 * @param {Record<string, unknown>} services
 * @param {{ portsByService: Map<string, Array<{ host?: number, container: number }>>, healthy: Map<string, boolean>,
 *           dependencies: Map<string, Map<string, string>>, targets: Map<string, string | undefined>,
 *           resolvedServices: Record<string, { environment: Record<string, string> }> }} facts
 * @param {string[]} problems
 */
function checkExpectations(services, facts, problems) {
  for (const [name, expected] of Object.entries(EXPECTED.infrastructure)) {
    const service = services[name];
    if (!isMap(service)) {
      problems.push(`services.${name}: missing (scripts/stack.sh starts it with docker compose)`);
      continue;
    }
    if (service.image !== expected.image)
      problems.push(`services.${name}.image: expected ${expected.image}, found ${service.image}`);
    const hostPorts = (facts.portsByService.get(name) ?? []).map((p) => p.host);
    for (const port of expected.hostPorts)
      if (!hostPorts.includes(port))
        problems.push(`services.${name}.ports: must publish ${port} on the host (scripts/stack.sh connects there)`);
    if (!facts.healthy.get(name))
      problems.push(`services.${name}: needs a healthcheck (docker compose up --wait waits on it)`);
  }
  for (const [name, expected] of Object.entries(EXPECTED.services)) {
    const service = services[name];
    if (!isMap(service)) {
      problems.push(`services.${name}: missing`);
      continue;
    }
    if (service.build === undefined) problems.push(`services.${name}: must be built from the Dockerfile`);
    if (facts.targets.get(name) !== name) problems.push(`services.${name}.build.target: expected "${name}"`);
    if (!facts.healthy.get(name)) problems.push(`services.${name}: needs a healthcheck`);
    const containerPorts = (facts.portsByService.get(name) ?? []).map((p) => p.container);
    if (!containerPorts.includes(expected.port))
      problems.push(`services.${name}.ports: must publish container port ${expected.port}`);
    const environment = facts.resolvedServices[name]?.environment ?? {};
    const port = environment[expected.portVariable];
    if (port !== undefined && Number(port) !== expected.port)
      problems.push(
        `services.${name}.environment.${expected.portVariable}: ${port} differs from the published port ${expected.port}`,
      );
    for (const variable of expected.env)
      if (!environment[variable]) problems.push(`services.${name}.environment: ${variable} is required by its config`);
    const deps = facts.dependencies.get(name) ?? new Map();
    for (const dep of expected.dependsOn) {
      if (deps.get(dep) !== 'service_healthy')
        problems.push(`services.${name}.depends_on.${dep}: expected condition service_healthy`);
    }
  }
}

/** @param {Map<string, Map<string, string>>} graph @returns {string[] | undefined} */
function findCycle(graph) {
  /** @type {Map<string, 'visiting' | 'done'>} */
  const state = new Map();
  /** @type {string[]} */
  const trail = [];
  /** @param {string} node @returns {string[] | undefined} */
  const visit = (node) => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, 'visiting');
    trail.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      const cycle = graph.has(next) ? visit(next) : undefined;
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

module.exports = { checkCompose, interpolate, EXPECTED };

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const file = path.resolve(process.argv[2] ?? path.join(root, 'docker-compose.yml'));
  const { problems, requiredVariables } = checkCompose({
    composeText: readFileSync(file, 'utf8'),
    root: path.dirname(file),
  });
  if (problems.length > 0) {
    console.error(`${path.relative(process.cwd(), file)}: ${problems.length} problem(s)`);
    for (const problem of problems) console.error(`  - ${problem}`);
    process.exit(1);
  }
  console.log(
    `${path.relative(process.cwd(), file)} is valid (variables to set: ${requiredVariables.join(', ') || 'none'})`,
  );
}
