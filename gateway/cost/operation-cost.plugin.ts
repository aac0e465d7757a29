import type { ApolloServerPlugin } from '@apollo/server';
import type { CheckOperationCost } from './operation-cost';

/** Refuses costly HTTP operations before they run (HTTP 400, QUERY_TOO_COMPLEX). */
export function operationCostPlugin(checkCost: CheckOperationCost): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operationName }) {
          const errors = checkCost(schema, document, request.variables, operationName ?? request.operationName);
          const first = errors[0];
          if (first) {
            // Apollo reads `extensions.http` for the status; the error formatter removes it.
            first.extensions.http = { status: 400 };
            throw first;
          }
        },
      };
    },
  };
}
