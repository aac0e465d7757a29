import { isDuplicateKeyError } from './processing-failure';

// What FerretDB 1.24 on PostgreSQL sent for a `replaceOne` onto a unique key another document holds
// (mongodb driver 6, checked against the local stack); MongoDB 7 sends code 11000 instead.
const FERRETDB_REPLACE_DUPLICATE =
  '[msg_update.go:133 handler.(*Handler).updateDocument] [update.go:114 common.UpdateDocument] ' +
  '[collection.go:227 postgresql.(*collection).UpdateAll] [collection.go:218 postgresql.(*collection).UpdateAll.func1] ' +
  'ERROR: duplicate key value violates unique constraint "signals_6c2e1f0a_idempotencykey_1_idx" (SQLSTATE 23505)';

describe('isDuplicateKeyError', () => {
  it("recognises MongoDB's and FerretDB's insert duplicates (code 11000), alone or per bulk entry", () => {
    expect(isDuplicateKeyError({ code: 11000, message: 'E11000 duplicate key error collection: db.s' })).toBe(true);
    expect(isDuplicateKeyError({ code: 11000, writeErrors: [{ code: 11000, index: 0 }] })).toBe(true);
    expect(isDuplicateKeyError({ writeErrors: [{ code: 11000 }, { err: { code: 11000 } }] })).toBe(true);
    expect(isDuplicateKeyError({ writeErrors: { code: 11000, index: 3 } })).toBe(true);
  });

  it("recognises FerretDB's update duplicate: code 1 InternalError wrapping SQLSTATE 23505", () => {
    const single = { code: 1, codeName: 'InternalError', message: FERRETDB_REPLACE_DUPLICATE };
    expect(isDuplicateKeyError(single)).toBe(true);
    expect(isDuplicateKeyError({ ...single, writeErrors: [] })).toBe(true);
    expect(isDuplicateKeyError({ writeErrors: [{ code: 1, errmsg: FERRETDB_REPLACE_DUPLICATE, index: 0 }] })).toBe(
      true,
    );
  });

  it('refuses every other failure, including other FerretDB internal errors', () => {
    expect(
      isDuplicateKeyError({ code: 1, codeName: 'InternalError', message: 'connection reset (SQLSTATE 08006)' }),
    ).toBe(false);
    expect(isDuplicateKeyError({ code: 2, message: 'duplicate key value violates unique constraint "x"' })).toBe(false);
    expect(isDuplicateKeyError({ writeErrors: [{ code: 11000 }, { code: 121 }] })).toBe(false);
    expect(isDuplicateKeyError({ writeErrors: [] })).toBe(false);
    expect(isDuplicateKeyError(new Error('E11000 in a message only'))).toBe(false);
    expect(isDuplicateKeyError(null)).toBe(false);
    expect(isDuplicateKeyError('E11000')).toBe(false);
  });
});
