import { print } from 'graphql';
import type { DocumentNode } from 'graphql';

/**
 * The query text of a generated document: the client preset emits either a `DocumentNode` or a
 * `TypedDocumentString` (a `String`), depending on its `documentMode`.
 */
export function documentText(document: unknown): string {
  if (typeof document === 'string') return document;
  if (document instanceof String) return document.toString();
  return print(document as DocumentNode);
}
