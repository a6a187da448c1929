# One image for the gateway and every subgraph; docker-compose.yml picks the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY platform ./platform
COPY caller ./caller
COPY gateway ./gateway
COPY subgraphs ./subgraphs
COPY launcher ./launcher
COPY schema ./schema
COPY web ./web
COPY test ./test
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
COPY package.json ./
USER node
EXPOSE 4000
CMD ["node", "dist/launcher/gateway.js"]
