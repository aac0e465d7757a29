import { benchDeviceId, sampleBodyFor, smallBodyFor, type SampleTemplate } from './sample';

const template: SampleTemplate = {
  raw: Buffer.from(
    '{\n  "66bb584d4ae73e488c30a072": {\n    "data": [[762, [51.3, 12.3, 1.2]]],\n    "time": 1735683480000\n  }\n}',
  ),
  text: '{\n  "66bb584d4ae73e488c30a072": {\n    "data": [[762, [51.3, 12.3, 1.2]]],\n    "time": 1735683480000\n  }\n}',
  deviceId: '66bb584d4ae73e488c30a072',
  time: 1735683480000,
  message: { '66bb584d4ae73e488c30a072': { data: [[762, [51.3, 12.3, 1.2]]], time: 1735683480000 } },
};

describe('bench sample bodies', () => {
  it('pads device ids to the sample id length', () => {
    expect(benchDeviceId('a1b2c3', 42)).toBe('ba1b2c300000000000000042');
    expect(() => benchDeviceId('a1b2c3', 10 ** 17)).toThrow('does not fit');
  });

  it('keeps the byte size of the sample when only the device id and time change', () => {
    const body = sampleBodyFor(template, 'b0123450000000000000000007'.slice(0, 24), 1735683499999);
    expect(body.byteLength).toBe(template.raw.byteLength);
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, { time: number }>;
    expect(Object.keys(parsed)).toEqual(['b01234500000000000000000']);
    expect(parsed.b01234500000000000000000?.time).toBe(1735683499999);
  });

  it('builds small messages with the requested number of samples', () => {
    const parsed = JSON.parse(smallBodyFor('d1', 1, 20).toString('utf8')) as Record<string, { data: unknown[] }>;
    expect(parsed.d1?.data).toHaveLength(20);
  });
});
