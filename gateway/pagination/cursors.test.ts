import { decodeDeviceCursor, encodeDeviceCursor } from './device-cursor';
import { toPageRequest } from './page-request';
import { decodeSignalCursor, encodeSignalCursor } from './signal-cursor';

describe('signal cursors', () => {
  it('round-trips a position and stays opaque', () => {
    const position = { timeMs: 1_767_225_600_123, id: '65a1b2c3d4e5f60718293a4b' };
    const cursor = encodeSignalCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(position.id);
    expect(decodeSignalCursor(cursor)).toEqual(position);
  });

  it('keeps times before 1970 and a zero time', () => {
    for (const timeMs of [0, -86_400_000])
      expect(decodeSignalCursor(encodeSignalCursor({ timeMs, id: '65a1b2c3d4e5f60718293a4b' })).timeMs).toBe(timeMs);
  });

  it.each([
    ['garbage', 'not a cursor'],
    ['a device cursor', encodeDeviceCursor('dev-1')],
    ['a bad id', Buffer.from('s1:1:zz').toString('base64url')],
    ['an overlong value', 'a'.repeat(500)],
    // 16 digits fit the pattern, but no Date holds this time (a database cast would fail).
    ['a time beyond the Date range', Buffer.from('s1:9000000000000000:65a1b2c3d4e5f60718293a4b').toString('base64url')],
  ])('refuses %s with BAD_USER_INPUT naming the argument', (_name, cursor) => {
    expect(() => decodeSignalCursor(cursor, 'before')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'before' }) }),
    );
  });
});

describe('device cursors', () => {
  it('round-trips a device id and refuses anything else', () => {
    expect(decodeDeviceCursor(encodeDeviceCursor('truck_42-a'))).toBe('truck_42-a');
    expect(() => decodeDeviceCursor(encodeSignalCursor({ timeMs: 1, id: '65a1b2c3d4e5f60718293a4b' }))).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  });
});

describe('toPageRequest', () => {
  it('reads forward pages with the default size', () => {
    expect(toPageRequest({ after: 'c' }, 20, 200)).toEqual({ size: 20, direction: 'forward', cursor: 'c' });
  });

  it('reads backward pages from last/before, taking first as the size when last is absent', () => {
    expect(toPageRequest({ last: 5, before: 'c' }, 20, 200)).toEqual({ size: 5, direction: 'backward', cursor: 'c' });
    expect(toPageRequest({ first: 7, before: 'c' }, 20, 200)).toEqual({ size: 7, direction: 'backward', cursor: 'c' });
  });

  it('refuses sizes above the cap or below zero, and after with before', () => {
    for (const args of [{ first: 201 }, { last: 201 }, { first: -1 }, { first: 1.5 }, { after: 'a', before: 'b' }]) {
      expect(() => toPageRequest(args, 20, 200)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
      );
    }
    expect(toPageRequest({ first: 200 }, 20, 200).size).toBe(200);
  });

  it('refuses arguments of both directions, naming the one that does not fit', () => {
    const refusal = (args: Parameters<typeof toPageRequest>[0]): unknown => {
      try {
        toPageRequest(args, 20, 200);
      } catch (error) {
        return error;
      }
      throw new Error(`accepted ${JSON.stringify(args)}`);
    };
    const afterWithLast = refusal({ after: 'a', last: 3 }) as { message: string; extensions: Record<string, unknown> };
    expect(afterWithLast.message).toMatch(/^`after` and `last` cannot be combined/);
    expect(afterWithLast.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'last' });
    const afterWithBefore = refusal({ after: 'a', before: 'b', last: 3 }) as { extensions: Record<string, unknown> };
    expect(afterWithBefore.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'before' });
    const firstWithLast = refusal({ first: 5, last: 2 }) as { message: string; extensions: Record<string, unknown> };
    expect(firstWithLast.message).toMatch(/^`first` and `last` cannot be combined/);
    expect(firstWithLast.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'last' });
  });
});
