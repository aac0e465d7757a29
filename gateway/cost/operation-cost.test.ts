import { createPubSub } from '@graphql-yoga/subscription';
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, parse } from 'graphql';
import { buildGatewaySchema } from '../schema/build-gateway-schema';
import {
  countAliases,
  countTokens,
  createOperationCostChecker,
  operationComplexity,
  operationDepth,
} from './operation-cost';

describe('operation cost', () => {
  let schema: GraphQLSchema;
  const check = createOperationCostChecker({ maxDepth: 6, maxComplexity: 1000, maxAliases: 2, maxTokens: 60 });

  beforeAll(async () => {
    schema = await buildGatewaySchema({ pubSub: createPubSub() });
  });

  it('measures depth through fragments, ignoring introspection', () => {
    const document = parse(
      'query { signals { ...page } __schema { types { fields { type { ofType { ofType { name } } } } } } } fragment page on SignalConnection { edges { node { device { id } } } }',
    );
    expect(operationDepth(document)).toBe(5);
  });

  it('multiplies connection costs by their page size', () => {
    const small = operationComplexity(schema, parse('{ signals(first: 10) { edges { node { id } } } }'), {}, undefined);
    const large = operationComplexity(
      schema,
      parse('query($n: Int) { signals(first: $n) { edges { node { id } } } }'),
      { n: 100 },
      undefined,
    );
    expect(small).toBeDefined();
    expect(large).toBe(((small as number) - 1) * 10 + 1);
  });

  it('costs points without maxPoints as the most a signal holds', () => {
    const pointsOf = (argument: string): number | undefined =>
      operationComplexity(schema, parse(`{ signal(id: "x") { points${argument} { lat } } }`), {}, undefined);
    const all = pointsOf('') as number;
    expect(all).toBe(pointsOf('(maxPoints: 10000)'));
    expect(all).toBeGreaterThan(pointsOf('(maxPoints: 1000)') as number);
  });

  it('costs trends by the points of their series', () => {
    const trendsOver = (to: string, bucket: string): number | undefined =>
      operationComplexity(
        schema,
        parse(`{ trends(from: "2026-01-01T00:00:00Z", to: "${to}", bucket: ${bucket}) { count } }`),
        {},
        undefined,
      );
    const day = trendsOver('2026-01-02T00:00:00Z', 'HOUR') as number;
    const year = trendsOver('2027-01-01T00:00:00Z', 'HOUR') as number;
    // 24 points against 8,760: one per hundred points.
    expect(year - day).toBe(Math.ceil(8760 / 100) - Math.ceil(24 / 100));
    expect(trendsOver('2027-01-01T00:00:00Z', 'DAY')).toBe(
      (year as number) - Math.ceil(8760 / 100) + Math.ceil(365 / 100),
    );
  });

  it('counts aliases and tokens', () => {
    const document = parse('{ a: me { id } b: me { id } # comments are free\n }');
    expect(countAliases(document)).toBe(2);
    expect(countTokens(document)).toBe(14);
  });

  it.each([
    ['depth', '{ signals { edges { node { device { signals { edges { node { id } } } } } } } }'],
    ['complexity', '{ signals(first: 200) { edges { node { id deviceId time dataLength } } } }'],
    ['aliases', '{ a: me { id } b: me { id } c: me { id } }'],
    ['tokens', `{ me { ${'id '.repeat(60)} } }`],
  ])('refuses an operation over the %s limit with QUERY_TOO_COMPLEX', (measure, query) => {
    const errors = check(schema, parse(query), {}, undefined);
    expect(errors.map((e) => [e.extensions.code, e.extensions.measure])).toEqual([['QUERY_TOO_COMPLEX', measure]]);
  });

  it('lets a modest operation through', () => {
    expect(check(schema, parse('{ signals(first: 5) { edges { node { id } } } }'), {}, undefined)).toEqual([]);
  });

  it('keeps what it measured of a document apart for each set of variables', () => {
    const document = parse('query($n: Int) { signals(first: $n) { edges { node { id deviceId time dataLength } } } }');
    expect(check(schema, document, { n: 5 }, undefined)).toEqual([]);
    const refused = check(schema, document, { n: 200 }, undefined);
    expect(refused.map((e) => e.extensions.measure)).toEqual(['complexity']);
    expect(check(schema, document, { n: 5 }, undefined)).toEqual([]);
    const again = check(schema, document, { n: 200 }, undefined);
    // A new error each time: the HTTP plugin sets its status on the error it throws.
    expect(again[0]).not.toBe(refused[0]);
    expect(again[0]?.extensions).toEqual(refused[0]?.extensions);
    // Past the remembered variable sets, the first is costed again, the same.
    for (let n = 1; n <= 40; n += 1) expect(check(schema, document, { n }, undefined)).toEqual([]);
    expect(check(schema, document, { n: 200 }, undefined).map((e) => e.extensions.value)).toEqual([
      refused[0]?.extensions.value,
    ]);
  });

  it('costs a document once per set of variables', () => {
    // A field whose cost function counts how often the document is costed.
    let costings = 0;
    const counting = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          n: {
            type: GraphQLInt,
            args: { x: { type: GraphQLInt } },
            extensions: {
              complexity: () => {
                costings += 1;
                return 1;
              },
            },
          },
        },
      }),
    });
    const document = parse('query($x: Int) { n(x: $x) }');
    for (let i = 0; i < 3; i += 1) {
      expect(check(counting, document, { x: 1 }, undefined)).toEqual([]);
      expect(check(counting, document, { x: 2 }, undefined)).toEqual([]);
    }
    expect(costings).toBe(2);
  });
});
