FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY contracts ./contracts
COPY layers ./layers
COPY pipelines ./pipelines
COPY models ./models
COPY orchestrator ./orchestrator
COPY quality ./quality
COPY cli ./cli
COPY bench ./bench
COPY sql ./sql
COPY marketlake.example.yaml ./marketlake.example.yaml
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
ENV NODE_ENV=production
ENTRYPOINT ["node", "bin/marketlake.js"]
CMD ["--help"]
