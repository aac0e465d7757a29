import { LRUCache } from 'lru-cache';
import { parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';

/** Distinct operation texts kept parsed and validated (dashboards send a handful, repeatedly). */
const DEFAULT_MAX_DOCUMENTS = 1_000;

/** A subscribe message's query: parsed and valid against the schema, or why not. */
export type DocumentCheck = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * Parsed and validated documents by operation text, for websocket subscribes (Apollo keeps its own
 * store for HTTP). Thousands of dashboards subscribe with the same few operations: sharing one
 * immutable document per text saves each subscription its own AST (tokens and locations included)
 * and the subscribe its parse and validation. Only valid documents are kept; validation depends on
 * the schema and the text alone, so variables are checked per subscribe, as before.
 */
export class ValidatedDocuments {
  private readonly documents: LRUCache<string, DocumentNode>;

  constructor(
    private readonly schema: GraphQLSchema,
    maxDocuments = DEFAULT_MAX_DOCUMENTS,
  ) {
    this.documents = new LRUCache({ max: maxDocuments });
  }

  /** Throws what `parse` throws for text that is not GraphQL (a `GraphQLError` for a syntax error). */
  check(query: string): DocumentCheck {
    const known = this.documents.get(query);
    if (known) return { document: known };
    const document = parse(query);
    const errors = validate(this.schema, document);
    if (errors.length > 0) return { errors };
    this.documents.set(query, document);
    return { document };
  }
}
