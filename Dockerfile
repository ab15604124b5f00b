# syntax=docker/dockerfile:1
# marketlake production image: compiled JavaScript and production dependencies only, non-root.
#   docker build -t marketlake .        docker run --rm marketlake --help
# Stages: deps (all dependencies, for the build) -> build (tsc) -> prod-deps (no dev dependencies)
# -> runtime (what runs). Native modules (better-sqlite3) are compiled in the Debian stages, so the
# runtime needs no compiler.

ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3=3.11.* make=4.3-* g++=4:12.* \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

FROM toolchain AS deps
# --ignore-scripts: `prepare` (the build) needs the sources, which come later; native modules are
# rebuilt explicitly. `npm install` is the fallback when npm ci refuses a lock file written on
# another platform (DuckDB ships one optional binding per platform).
RUN (npm ci --no-audit --no-fund --ignore-scripts || npm install --no-audit --no-fund --ignore-scripts) \
  && npm rebuild better-sqlite3

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY contracts ./contracts
COPY layers ./layers
COPY pipelines ./pipelines
COPY models ./models
COPY orchestrator ./orchestrator
COPY quality ./quality
COPY streaming ./streaming
COPY web ./web
COPY ops ./ops
COPY cli ./cli
COPY bench ./bench
RUN npx tsc -p tsconfig.build.json \
  && rm -rf dist/bench \
  && cp -r contracts/published dist/contracts/published

FROM toolchain AS prod-deps
RUN (npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
    || npm install --omit=dev --no-audit --no-fund --ignore-scripts) \
  && npm rebuild better-sqlite3 \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LAKE_CACHE_DIR=/var/cache/marketlake \
    METRICS_PORT=9464
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json marketlake.example.yaml ./
COPY bin ./bin
COPY sql ./sql
COPY web/public ./web/public
# The lake (local mode), the S3 staging cache and the landing folders belong to the `node` user
# (uid 1000) the image runs as; compose mounts volumes there.
RUN mkdir -p /data/lake /app/landing /var/cache/marketlake \
  && chown -R node:node /data /app/landing /var/cache/marketlake
USER node
EXPOSE 9464 8080
# /healthz answers while the process serves requests (worker, schedule --watch, stream, ui).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/marketlake.js"]
CMD ["--help"]
