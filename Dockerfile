# syntax=docker/dockerfile:1
# One multi-stage build for the three deployables. Build one with its target:
#   docker build --target gateway -t xrayiot-gateway .
# (targets: ingest, processor, gateway; docker-compose.yml builds all three.)

ARG NODE_VERSION=20.20

# Dependencies from the lock file alone, so this layer is reused until package-lock.json changes.
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# TypeScript build (dist/) and the dashboard's bundle (gateway/dashboard/dist/) when it has one.
FROM deps AS build
COPY . .
RUN npm run build \
  && if [ ! -f gateway/dashboard/dist/index.html ] && [ -f gateway/dashboard/vite.config.ts ]; then \
       npx vite build --config gateway/dashboard/vite.config.ts; fi \
  && npm prune --omit=dev --no-audit --no-fund --loglevel=error \
  && mkdir -p gateway/dashboard/dist

# What every service runs on: production dependencies and the compiled code, as the unprivileged user.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/gateway/dashboard/dist ./gateway/dashboard/dist
USER node
# Services stop on SIGTERM (drain, ack, close); node runs as PID 1 and handles it itself.
STOPSIGNAL SIGTERM

FROM runtime AS ingest
ENV INGEST_PORT=3001
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3001/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/ingest/main.js"]

FROM runtime AS processor
ENV PROCESSOR_PORT=3002
EXPOSE 3002
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3002/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/processor/main.js"]

FROM runtime AS gateway
ENV GATEWAY_PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/gateway/main.js"]
