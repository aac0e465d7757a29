import { parseSimulatorOptions } from './simulator.options';

const env = { INGEST_HMAC_SECRET: 'x'.repeat(32) };

describe('parseSimulatorOptions', () => {
  it('defaults to ten devices at five messages a second against the local ingest', () => {
    expect(parseSimulatorOptions([], env)).toMatchObject({
      url: 'http://127.0.0.1:3001',
      devices: 10,
      rate: 5,
      samplesPerMessage: 2,
      devicePrefix: 'sim',
    });
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
