import { isDisconnectError } from './ws-transport';

const open = { readyState: 1, OPEN: 1 } as const;
const closing = { readyState: 2, OPEN: 1 } as const;

function errorWithCode(code: string): Error {
  return Object.assign(new Error(`write ${code}`), { code });
}

describe('isDisconnectError', () => {
  it('treats a write that raced the peer going away as a disconnect', () => {
    expect(isDisconnectError(errorWithCode('EPIPE'), open)).toBe(true);
    expect(isDisconnectError(errorWithCode('ECONNRESET'), open)).toBe(true);
  });

  it('treats any error on a socket that is no longer open as a disconnect', () => {
    expect(isDisconnectError(new Error('WebSocket is not open'), closing)).toBe(true);
  });

  it('reports other errors on an open socket', () => {
    expect(isDisconnectError(new Error('boom'), open)).toBe(false);
    expect(isDisconnectError(errorWithCode('EACCES'), open)).toBe(false);
    expect(isDisconnectError(undefined, open)).toBe(false);
  });
});
