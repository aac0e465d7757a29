import { Types } from 'mongoose';
import { compareSignalPositions, planSignalQueries, restrictToDevice, validateSignalFilter } from './signal-query';
import { SignalOrder } from './signal-order.enum';

const badInput = expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) });

describe('validateSignalFilter', () => {
  it('accepts an absent filter as "everything"', () => {
    expect(validateSignalFilter(undefined)).toEqual({ dataLength: {}, dataVolume: {} });
  });

  it('keeps distinct device ids and refuses anything that is not a device id', () => {
    expect(validateSignalFilter({ deviceIds: ['a', 'b', 'a'] }).deviceIds).toEqual(['a', 'b']);
    for (const id of ['{"$gt":""}', '', 'a b', 'x'.repeat(65)])
      expect(() => validateSignalFilter({ deviceIds: [id] })).toThrow(badInput);
    expect(() => validateSignalFilter({ deviceIds: Array.from({ length: 101 }, (_, i) => `d${i}`) })).toThrow(badInput);
  });

  it('refuses inverted ranges, negative sizes and out-of-range boxes', () => {
    expect(() => validateSignalFilter({ from: new Date(2), to: new Date(1) })).toThrow(badInput);
    // Named as argument errors are, and by the field within it.
    expect(() => validateSignalFilter({ from: new Date(2), to: new Date(1) })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ argument: 'filter', field: 'filter.from' }) }),
    );
    expect(() => validateSignalFilter({ minDataLength: 5, maxDataLength: 4 })).toThrow(badInput);
    expect(() => validateSignalFilter({ minDataVolume: -1 })).toThrow(badInput);
    expect(() => validateSignalFilter({ bbox: { minLat: 1, maxLat: 0, minLon: 0, maxLon: 1 } })).toThrow(badInput);
    expect(() => validateSignalFilter({ bbox: { minLat: 0, maxLat: 1, minLon: 0, maxLon: 181 } })).toThrow(badInput);
    expect(() => validateSignalFilter({ bbox: { minLat: Number.NaN, maxLat: 1, minLon: 0, maxLon: 1 } })).toThrow(
      badInput,
    );
  });
  it('accepts a box across the antimeridian (minLon > maxLon)', () => {
    const bbox = { minLat: -1, maxLat: 1, minLon: 170, maxLon: -170 };
    expect(validateSignalFilter({ bbox }).bbox).toEqual(bbox);
  });
});

describe('restrictToDevice', () => {
  it('narrows to the device, or to nothing when the filter excludes it', () => {
    const base = validateSignalFilter({});
    expect(restrictToDevice(base, 'a').deviceIds).toEqual(['a']);
    expect(restrictToDevice(validateSignalFilter({ deviceIds: ['a', 'b'] }), 'b').deviceIds).toEqual(['b']);
    expect(restrictToDevice(validateSignalFilter({ deviceIds: ['a'] }), 'b').deviceIds).toEqual([]);
  });
});

describe('planSignalQueries', () => {
  const id = '65a1b2c3d4e5f60718293a4b';

  it('puts deviceId equality at the top level of one query per device', () => {
    const plan = planSignalQueries(
      validateSignalFilter({ deviceIds: ['a', 'b'], minDataLength: 2 }),
      SignalOrder.TIME_DESC,
      { direction: 'forward', size: 10 },
    );
    expect(plan.filters).toEqual([
      { deviceId: 'a', dataLength: { $gte: 2 } },
      { deviceId: 'b', dataLength: { $gte: 2 } },
    ]);
    expect(plan.sort).toEqual({ time: -1, _id: -1 });
    expect(plan.limit).toBe(11);
  });

  it('turns a box into latitude ranges, longitude alternatives (intersection) and times into a half-open range', () => {
    const plan = planSignalQueries(
      validateSignalFilter({
        bbox: { minLat: 1, maxLat: 2, minLon: 3, maxLon: 4 },
        from: new Date(10),
        to: new Date(20),
      }),
      SignalOrder.TIME_ASC,
      { direction: 'forward', size: 5 },
    );
    expect(plan.filters).toEqual([
      {
        time: { $gte: new Date(10), $lt: new Date(20) },
        'bbox.maxLat': { $gte: 1 },
        'bbox.minLat': { $lte: 2 },
        $or: [
          { 'bbox.minLon': { $lte: 4 }, 'bbox.maxLon': { $gte: 3 } },
          { 'bbox.crossesAntimeridian': true, 'bbox.minLon': { $lte: 4 } },
          { 'bbox.crossesAntimeridian': true, 'bbox.maxLon': { $gte: 3 } },
        ],
      },
    ]);
    expect(plan.sort).toEqual({ time: 1, _id: 1 });
  });

  it('keeps a box filter and a cursor as two alternatives that must both hold, deviceId still top-level', () => {
    const plan = planSignalQueries(
      validateSignalFilter({ deviceIds: ['a'], bbox: { minLat: -1, maxLat: 1, minLon: 170, maxLon: -170 } }),
      SignalOrder.TIME_DESC,
      { direction: 'forward', size: 5, cursor: { timeMs: 1000, id } },
    );
    expect(plan.filters).toEqual([
      {
        deviceId: 'a',
        'bbox.maxLat': { $gte: -1 },
        'bbox.minLat': { $lte: 1 },
        $and: [
          {
            $or: [
              { 'bbox.maxLon': { $gte: 170 } },
              { 'bbox.minLon': { $lte: -170 } },
              { 'bbox.crossesAntimeridian': true },
            ],
          },
          {
            $or: [{ time: { $lt: new Date(1000) } }, { time: new Date(1000), _id: { $lt: new Types.ObjectId(id) } }],
          },
        ],
      },
    ]);
  });

  it('continues strictly after the cursor in scan order, flipping for backward pages', () => {
    const cursor = { timeMs: 1000, id };
    const forward = planSignalQueries(validateSignalFilter({}), SignalOrder.TIME_DESC, {
      direction: 'forward',
      size: 1,
      cursor,
    });
    expect(forward.filters[0]?.$or).toEqual([
      { time: { $lt: new Date(1000) } },
      { time: new Date(1000), _id: { $lt: new Types.ObjectId(id) } },
    ]);
    const backward = planSignalQueries(validateSignalFilter({}), SignalOrder.TIME_DESC, {
      direction: 'backward',
      size: 1,
      cursor,
    });
    expect(backward.filters[0]?.$or).toEqual([
      { time: { $gt: new Date(1000) } },
      { time: new Date(1000), _id: { $gt: new Types.ObjectId(id) } },
    ]);
    expect(backward.sort).toEqual({ time: 1, _id: 1 });
  });

  it('splits a range of a few days into one query per device and UTC day when stored signals carry their day', () => {
    const from = new Date(Date.UTC(2026, 0, 10, 12));
    const to = new Date(Date.UTC(2026, 0, 11, 12));
    const filter = validateSignalFilter({ deviceIds: ['a', 'b'], from, to });
    const time = { $gte: from, $lt: to };
    expect(
      planSignalQueries(filter, SignalOrder.TIME_DESC, { direction: 'forward', size: 5, byDay: true }).filters,
    ).toEqual([
      { deviceId: 'a', day: '2026-01-10', time },
      { deviceId: 'a', day: '2026-01-11', time },
      { deviceId: 'b', day: '2026-01-10', time },
      { deviceId: 'b', day: '2026-01-11', time },
    ]);
    // Not before the backfill has run, nor for open or long ranges.
    expect(planSignalQueries(filter, SignalOrder.TIME_DESC, { direction: 'forward', size: 5 }).filters).toHaveLength(2);
    const open = validateSignalFilter({ deviceIds: ['a'], from });
    expect(
      planSignalQueries(open, SignalOrder.TIME_DESC, { direction: 'forward', size: 5, byDay: true }).filters,
    ).toEqual([{ deviceId: 'a', time: { $gte: from } }]);
    const long = validateSignalFilter({ from, to: new Date(from.getTime() + 8 * 86_400_000) });
    expect(
      planSignalQueries(long, SignalOrder.TIME_DESC, { direction: 'forward', size: 5, byDay: true }).filters,
    ).toHaveLength(1);
    const fleet = validateSignalFilter({ from, to });
    expect(
      planSignalQueries(fleet, SignalOrder.TIME_DESC, { direction: 'forward', size: 5, byDay: true }).filters.map(
        (f) => f.day,
      ),
    ).toEqual(['2026-01-10', '2026-01-11']);
  });

  it('never copies client objects into the query: only checked primitives and Dates appear', () => {
    const plan = planSignalQueries(
      validateSignalFilter({ deviceIds: ['a'], minDataVolume: 1, maxDataVolume: 2 }),
      SignalOrder.TIME_DESC,
      { direction: 'forward', size: 1 },
    );
    expect(JSON.stringify(plan.filters)).toBe('[{"deviceId":"a","dataVolume":{"$gte":1,"$lte":2}}]');
  });
});

describe('compareSignalPositions', () => {
  it('orders by time, then id, in either direction', () => {
    const a = { timeMs: 1, id: '000000000000000000000002' };
    const b = { timeMs: 1, id: '000000000000000000000001' };
    const c = { timeMs: 2, id: '000000000000000000000000' };
    expect([a, b, c].sort((x, y) => compareSignalPositions(x, y, true))).toEqual([c, a, b]);
    expect([a, b, c].sort((x, y) => compareSignalPositions(x, y, false))).toEqual([b, a, c]);
  });
});
