/** Ceilings every operation must stay under, on HTTP and websocket alike. */
export interface OperationCostLimits {
  /** Deepest field nesting (introspection fields not counted). */
  maxDepth: number;
  /** Highest estimated cost (graphql-query-complexity with the schema's field complexities). */
  maxComplexity: number;
  /** Most aliased fields in one document. */
  maxAliases: number;
  /** Most lexical tokens in one document. */
  maxTokens: number;
}
