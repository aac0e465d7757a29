import { parseSimulatorOptions } from './simulator.options';

const env = { INGEST_HMAC_SECRET: 'x'.repeat(32) };

describe('parseSimulatorOptions', () => {
  it('defaults to ten devices at five messages a second against the local ingest', () => {
    expect(parseSimulatorOptions([], env)).toMatchObject({
      url: 'http://127.0.0.1:3001',
      devices: 10,
      rate: 5,
      devicePrefix: 'sim',
    });
    // Fixes follow each device's clock unless --samples fixes their number.
    expect(parseSimulatorOptions([], env).samplesPerMessage).toBeUndefined();
  });

  it('refuses generated tracks that would run ahead of real time, and device ids past 64 characters', () => {
    expect(() => parseSimulatorOptions(['--devices', '2', '--rate', '3'], env)).toThrow('--rate 3');
    expect(parseSimulatorOptions(['--devices', '2', '--rate', '3', '--replay'], env).rate).toBe(3);
    expect(() => parseSimulatorOptions(['--devices', '10', '--rate', '5', '--samples', '3'], env)).toThrow(
      '--samples 3',
    );
    expect(parseSimulatorOptions(['--devices', '10', '--rate', '5', '--samples', '2'], env).samplesPerMessage).toBe(2);
    expect(() => parseSimulatorOptions(['--devices', '100000', '--rate', '1', '--samples', '10001'], env)).toThrow(
      'at most 10000',
    );
    const prefix = 'p'.repeat(58);
    expect(parseSimulatorOptions(['--device-prefix', prefix, '--devices', '100000'], env).devices).toBe(100000);
    expect(() => parseSimulatorOptions(['--device-prefix', prefix, '--devices', '100001'], env)).toThrow('64');
  });

  it('reads a bare --replay as the default recording, XRAY_SAMPLE when set', () => {
    const options = parseSimulatorOptions(['--replay', '--devices', '3'], { ...env, XRAY_SAMPLE: '/data/sample.json' });
    expect(options).toMatchObject({ replayPath: '/data/sample.json', devices: 3, devicePrefix: 'replay' });
  });

  it('reads an empty XRAY_SAMPLE as unset, not as "no replay"', () => {
    const options = parseSimulatorOptions(['--replay'], { ...env, XRAY_SAMPLE: '' });
    expect(options.replayPath).toMatch(/[/\\]shared[/\\]fixtures[/\\]x-ray\.json$/);
  });

  it('takes an explicit replay path', () => {
    expect(parseSimulatorOptions(['--replay', '/tmp/x.json'], env).replayPath).toBe('/tmp/x.json');
  });

  it('refuses a run without the fleet secret', () => {
    expect(() => parseSimulatorOptions([], {})).toThrow('INGEST_HMAC_SECRET');
  });

  it('refuses both --duration and --messages, and non-positive counts', () => {
    expect(() => parseSimulatorOptions(['--duration', '5', '--messages', '10'], env)).toThrow('not both');
    expect(() => parseSimulatorOptions(['--devices', '0'], env)).toThrow('--devices');
    expect(() => parseSimulatorOptions(['--messages', '2.5'], env)).toThrow('--messages');
  });
});
