import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The machine and software a run was measured on. */
export interface MachineInfo {
  date: string;
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  loadAverageAtStart: string;
  node: string;
  versions: Record<string, string>;
}

function commandOutput(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
  } catch {
    return undefined;
  }
}

function packageVersion(root: string, name: string): string {
  try {
    const manifest = JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return manifest.version ?? '?';
  } catch {
    return 'absent';
  }
}

/** Describes this machine: cores, memory, CPU model, Node and the versions of what is measured. */
export function describeMachine(root: string): MachineInfo {
  const nproc = Number(commandOutput('nproc', []) ?? cpus().length);
  const redis = commandOutput('redis-server', ['--version'])?.match(/v=(\S+)/)?.[1] ?? '?';
  const postgresMajor = (() => {
    try {
      return readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))[0];
    } catch {
      return undefined;
    }
  })();
  const postgres = postgresMajor
    ? (commandOutput(`/usr/lib/postgresql/${postgresMajor}/bin/postgres`, ['--version'])?.match(/(\d+\.\d+)/)?.[1] ??
      postgresMajor)
    : '?';
  const rabbitmq = commandOutput('bash', ['-c', "dpkg-query -W -f='${Version}' rabbitmq-server"]) ?? '?';
  const versions: Record<string, string> = {
    FerretDB: 'v1.24.2',
    PostgreSQL: postgres,
    Redis: redis,
    RabbitMQ: rabbitmq,
  };
  for (const name of [
    'mongoose',
    'mongodb',
    'amqplib',
    'ioredis',
    'graphql',
    'graphql-ws',
    'ws',
    '@apollo/server',
    'type-graphql',
    'autocannon',
  ]) {
    versions[name] = packageVersion(root, name);
  }
  return {
    date: new Date().toISOString(),
    nproc,
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    node: process.version,
    versions,
  };
}
