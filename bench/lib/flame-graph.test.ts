import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flameGraphFileOf, removeFlameGraphs, renderFlameGraphs } from './flame-graph';

/** A V8 profile as `node --cpu-prof` writes it: root → handler → two callees, plus idle. */
const profile = {
  nodes: [
    {
      id: 1,
      callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 },
      hitCount: 0,
      children: [2, 5],
    },
    {
      id: 2,
      callFrame: {
        functionName: 'handleXRayBatch',
        scriptId: '1',
        url: 'file:///app/dist/processor/handler.js',
        lineNumber: 3,
        columnNumber: 1,
      },
      hitCount: 1,
      children: [3, 4],
    },
    {
      id: 3,
      callFrame: {
        functionName: 'deriveTheSignal',
        scriptId: '1',
        url: 'file:///app/dist/processor/derive.js',
        lineNumber: 10,
        columnNumber: 1,
      },
      hitCount: 6,
      children: [],
    },
    {
      id: 4,
      callFrame: {
        functionName: 'gzipThePayload',
        scriptId: '1',
        url: 'file:///app/dist/processor/gzip.js',
        lineNumber: 20,
        columnNumber: 1,
      },
      hitCount: 2,
      children: [],
    },
    {
      id: 5,
      callFrame: { functionName: '(idle)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 },
      hitCount: 3,
      children: [],
    },
  ],
  startTime: 0,
  endTime: 12_000,
  samples: [2, 3, 3, 3, 3, 3, 3, 4, 4, 5, 5, 5],
  timeDeltas: Array.from({ length: 12 }, () => 1_000),
};

describe('flame graphs', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'xray-flame-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('renders each profile of a scenario as an HTML page beside it that loads nothing from the network', async () => {
    writeFileSync(path.join(directory, 'throughput.processor.1.cpuprofile'), JSON.stringify(profile));
    writeFileSync(path.join(directory, 'queries.gateway.2.cpuprofile'), JSON.stringify(profile));

    const result = await renderFlameGraphs(directory, 'throughput.');

    expect(result).toEqual({ rendered: ['throughput.processor.1.html'], failed: [] });
    expect(existsSync(path.join(directory, 'queries.gateway.2.html'))).toBe(false);
    const page = readFileSync(path.join(directory, 'throughput.processor.1.html'), 'utf8');
    expect(page).toContain('deriveTheSignal');
    expect(page).toContain('gzipThePayload');
    expect(page).not.toMatch(/<script[^>]+src=/i);
    expect(page).not.toMatch(/<link[^>]+href="https?:/i);
  }, 60_000);

  it('reports a truncated profile instead of throwing, and still renders the others', async () => {
    writeFileSync(path.join(directory, 'latency.gateway.1.cpuprofile'), JSON.stringify(profile));
    writeFileSync(path.join(directory, 'latency.processor.2.cpuprofile'), JSON.stringify(profile).slice(0, 100));

    const result = await renderFlameGraphs(directory, 'latency.');

    expect(result.rendered).toEqual(['latency.gateway.1.html']);
    expect(result.failed.map((failure) => failure.file)).toEqual(['latency.processor.2.cpuprofile']);
    expect(result.failed[0]?.error).toMatch(/JSON/);
  }, 60_000);

  it("removes one scenario's pages and keeps the others'", () => {
    for (const file of ['fanout.gateway.1.html', 'fanout.gateway.1.cpuprofile', 'http.gateway.2.html']) {
      writeFileSync(path.join(directory, file), '');
    }
    removeFlameGraphs(directory, 'fanout.');
    expect(existsSync(path.join(directory, 'fanout.gateway.1.html'))).toBe(false);
    expect(existsSync(path.join(directory, 'fanout.gateway.1.cpuprofile'))).toBe(true);
    expect(existsSync(path.join(directory, 'http.gateway.2.html'))).toBe(true);
  });

  it('names the page after the profile', () => {
    expect(flameGraphFileOf('queries.gateway.1795783782578.cpuprofile')).toBe('queries.gateway.1795783782578.html');
  });
});
