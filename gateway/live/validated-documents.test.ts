import { buildSchema, GraphQLError } from 'graphql';
import { ValidatedDocuments } from './validated-documents';

const schema = buildSchema('type Query { ok: Boolean } type Subscription { tick(every: Int): Int }');

describe('ValidatedDocuments', () => {
  it('gives every subscribe with the same text the same document', () => {
    const documents = new ValidatedDocuments(schema);
    const first = documents.check('subscription { tick(every: 5) }');
    const second = documents.check('subscription { tick(every: 5) }');
    expect('document' in first && 'document' in second).toBe(true);
    if (!('document' in first) || !('document' in second)) return;
    expect(second.document).toBe(first.document);
    expect(documents.check('subscription { tick }')).not.toEqual(first);
  });

  it('answers an invalid operation with its validation errors, every time', () => {
    const documents = new ValidatedDocuments(schema);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const checked = documents.check('subscription { nope }');
      expect('errors' in checked && checked.errors.map((error) => error.message)).toEqual([
        'Cannot query field "nope" on type "Subscription".',
      ]);
    }
  });

  it('throws the syntax error of text that is not GraphQL', () => {
    expect(() => new ValidatedDocuments(schema).check('subscription {')).toThrow(GraphQLError);
  });

  it('keeps at most maxDocuments texts, dropping the least recently used', () => {
    const documents = new ValidatedDocuments(schema, 2);
    const check = (every: number) => {
      const checked = documents.check(`subscription { tick(every: ${every}) }`);
      if (!('document' in checked)) throw new Error('expected a valid document');
      return checked.document;
    };
    const one = check(1);
    const two = check(2);
    expect(check(1)).toBe(one);
    check(3);
    // 2 was used least recently: it went, 1 stayed.
    expect(check(1)).toBe(one);
    expect(check(2)).not.toBe(two);
  });
});
