import {
  Kind,
  Lexer,
  Source,
  TokenKind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { QueryTooComplexError } from '../errors/gateway-errors';
import type { OperationCostLimits } from './operation-cost-limits';

/** Checks one operation before it runs; an empty array means it may run. */
export type CheckOperationCost = (
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
) => GraphQLError[];

const INTROSPECTION_ROOT_FIELDS = new Set(['__schema', '__type']);

/** Lexical tokens of the document's source (what graphql-js's own `maxTokens` counts). */
export function countTokens(document: DocumentNode): number {
  const body = document.loc?.source.body;
  if (body === undefined) return 0;
  const lexer = new Lexer(new Source(body));
  let count = 0;
  // Lexer.advance() skips comments; each non-EOF token counts once.
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) count += 1;
  return count;
}

/** Aliased fields in the whole document. */
export function countAliases(document: DocumentNode): number {
  let count = 0;
  const visit = (selectionSet: SelectionSetNode | undefined): void => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) count += 1;
        visit(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION)
      visit(definition.selectionSet);
  }
  return count;
}

function selectOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** Deepest field nesting of the operation, fragments expanded; introspection subtrees ignored. */
export function operationDepth(document: DocumentNode, operationName?: string | null): number {
  const operation = selectOperation(document, operationName);
  if (!operation) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const depthOf = (
    selectionSet: SelectionSetNode | undefined,
    depth: number,
    visiting: ReadonlySet<string>,
  ): number => {
    let deepest = depth;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (depth === 0 && INTROSPECTION_ROOT_FIELDS.has(selection.name.value)) continue;
        deepest = Math.max(
          deepest,
          selection.selectionSet ? depthOf(selection.selectionSet, depth + 1, visiting) : depth + 1,
        );
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, depth, visiting));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A fragment cycle is a validation error reported elsewhere; here it just stops.
        if (!fragment || visiting.has(name)) continue;
        deepest = Math.max(deepest, depthOf(fragment.selectionSet, depth, new Set([...visiting, name])));
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet, 0, new Set());
}

/**
 * Cost of the operation by graphql-query-complexity: each field's own `complexity` (type-graphql
 * field/query option, e.g. connections multiply by `first`), 1 for any other field.
 * Undefined when the document cannot be costed (invalid; validation reports why).
 */
export function operationComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
): number | undefined {
  try {
    return getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    return undefined;
  }
}

/** Most variable sets whose complexity is remembered per document. */
const REMEMBERED_VARIABLE_SETS = 32;
/** Variables longer than this (as JSON) are costed every time: the key would cost as much as the check. */
const MAX_REMEMBERED_VARIABLES_JSON = 2_048;

/** What the checker measured of one parsed document (tokens and aliases alike for every request). */
interface DocumentMeasures {
  tokens: number;
  aliases: number;
  depthByOperation: Map<string, number>;
  /** Complexity by operation name and variables (JSON), the oldest forgotten first. */
  complexityByRequest: Map<string, number | undefined>;
}

/**
 * One checker for both transports: the Apollo plugin (HTTP) and graphql-ws `onSubscribe` (which
 * Apollo plugins never see). Refusals carry QUERY_TOO_COMPLEX with the measured value and limit.
 *
 * Both transports hand it the same parsed document for the same text (Apollo's document store,
 * the websocket server's validated documents), so what it measured is kept by document: a
 * repeated request is not lexed, walked and costed again (tens of µs each time).
 */
export function createOperationCostChecker(limits: OperationCostLimits): CheckOperationCost {
  const measured = new WeakMap<DocumentNode, DocumentMeasures>();
  const measuresOf = (document: DocumentNode): DocumentMeasures => {
    let measures = measured.get(document);
    if (measures === undefined) {
      measures = {
        tokens: countTokens(document),
        aliases: countAliases(document),
        depthByOperation: new Map(),
        complexityByRequest: new Map(),
      };
      measured.set(document, measures);
    }
    return measures;
  };
  const depthOf = (measures: DocumentMeasures, document: DocumentNode, operationName: string | null | undefined) => {
    const key = operationName ?? '';
    let depth = measures.depthByOperation.get(key);
    if (depth === undefined) {
      depth = operationDepth(document, operationName);
      measures.depthByOperation.set(key, depth);
    }
    return depth;
  };
  const complexityOf = (
    measures: DocumentMeasures,
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Record<string, unknown> | null | undefined,
    operationName: string | null | undefined,
  ): number | undefined => {
    const variablesJson = JSON.stringify(variables ?? {});
    if (variablesJson.length > MAX_REMEMBERED_VARIABLES_JSON) {
      return operationComplexity(schema, document, variables, operationName);
    }
    const key = `${operationName ?? ''}\u0000${variablesJson}`;
    const cache = measures.complexityByRequest;
    if (cache.has(key)) return cache.get(key);
    const complexity = operationComplexity(schema, document, variables, operationName);
    if (cache.size >= REMEMBERED_VARIABLE_SETS) cache.delete(cache.keys().next().value as string);
    cache.set(key, complexity);
    return complexity;
  };

  return (schema, document, variables, operationName) => {
    const errors: GraphQLError[] = [];
    const measures = measuresOf(document);
    const { tokens, aliases } = measures;
    if (tokens > limits.maxTokens) {
      errors.push(
        new QueryTooComplexError(`document has ${tokens} tokens; at most ${limits.maxTokens} are allowed`, {
          measure: 'tokens',
          value: tokens,
          limit: limits.maxTokens,
        }),
      );
      return errors;
    }
    if (aliases > limits.maxAliases) {
      errors.push(
        new QueryTooComplexError(`document has ${aliases} aliases; at most ${limits.maxAliases} are allowed`, {
          measure: 'aliases',
          value: aliases,
          limit: limits.maxAliases,
        }),
      );
    }
    const depth = depthOf(measures, document, operationName);
    if (depth > limits.maxDepth) {
      errors.push(
        new QueryTooComplexError(`operation is ${depth} levels deep; at most ${limits.maxDepth} are allowed`, {
          measure: 'depth',
          value: depth,
          limit: limits.maxDepth,
        }),
      );
    }
    if (errors.length === 0) {
      const complexity = complexityOf(measures, schema, document, variables, operationName);
      if (complexity !== undefined && complexity > limits.maxComplexity) {
        errors.push(
          new QueryTooComplexError(`operation costs ${complexity}; at most ${limits.maxComplexity} is allowed`, {
            measure: 'complexity',
            value: complexity,
            limit: limits.maxComplexity,
          }),
        );
      }
    }
    return errors;
  };
}
