import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayMetrics } from './gateway-metrics';

/** Counts and times every HTTP operation by name, type and outcome. */
export function operationMetricsPlugin(metrics: GatewayMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const stopTimer = process.hrtime.bigint();
      return {
        async willSendResponse(requestContext) {
          const operation = metrics.operationLabel(
            requestContext.operationName ?? requestContext.request.operationName,
          );
          const type = requestContext.operation?.operation ?? 'unknown';
          const body = requestContext.response.body;
          const failed = body.kind === 'single' ? (body.singleResult.errors?.length ?? 0) > 0 : false;
          metrics.operations.inc({ operation, type, outcome: failed ? 'error' : 'success' });
          metrics.operationDuration.observe({ operation, type }, Number(process.hrtime.bigint() - stopTimer) / 1e9);
        },
      };
    },
  };
}
