import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ApiError, apiErrorCodeOf, REJECTED_KEY_MESSAGE } from './api-error';
import { documentText } from './document-text';

/** Sends typed GraphQL operations over HTTP with the session's API key. */
export interface GraphQLHttpClient {
  request<Result, Variables>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
    signal?: AbortSignal,
  ): Promise<Result>;
}

interface GraphQLResponseBody<Result> {
  data?: Result | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface HttpClientOptions {
  endpoint: string;
  apiKey: string;
  /** Called once the gateway refuses the key, so the app can ask for another. */
  onKeyRejected?: () => void;
}

function retryAfterOf(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) ? seconds : undefined;
}

export function createHttpClient(options: HttpClientOptions): GraphQLHttpClient {
  return {
    async request(document, variables, signal) {
      let response: Response;
      try {
        response = await fetch(options.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            'x-api-key': options.apiKey,
          },
          body: JSON.stringify({ query: documentText(document), variables }),
          signal,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new ApiError('NETWORK', 'The gateway cannot be reached. Check the network and try again.');
      }
      if (response.status === 401) {
        options.onKeyRejected?.();
        throw new ApiError('UNAUTHENTICATED', REJECTED_KEY_MESSAGE);
      }
      if (response.status === 429) {
        const retryAfter = retryAfterOf(response);
        // Too many requests for this key, or too many unknown keys from this address: the gateway says which.
        const refusal = (await response.json().catch(() => undefined)) as GraphQLResponseBody<never> | undefined;
        const reason = refusal?.errors?.[0]?.message ?? 'too many requests for this API key';
        throw new ApiError(
          'RATE_LIMITED',
          `The gateway refused: ${reason}. Try again${retryAfter === undefined ? ' shortly' : ` in ${retryAfter} s`}.`,
          retryAfter,
        );
      }
      let body: GraphQLResponseBody<never>;
      try {
        body = (await response.json()) as GraphQLResponseBody<never>;
      } catch {
        throw new ApiError(
          'UNEXPECTED_RESPONSE',
          `The gateway answered HTTP ${response.status} without a GraphQL result.`,
        );
      }
      const firstError = body.errors?.[0];
      if (firstError) {
        const code = apiErrorCodeOf(firstError);
        if (code === 'UNAUTHENTICATED') {
          options.onKeyRejected?.();
          throw new ApiError(code, REJECTED_KEY_MESSAGE);
        }
        throw new ApiError(code, firstError.message, retryAfterOf(response));
      }
      if (body.data == null) {
        throw new ApiError('UNEXPECTED_RESPONSE', `The gateway answered HTTP ${response.status} without data.`);
      }
      return body.data;
    },
  };
}
