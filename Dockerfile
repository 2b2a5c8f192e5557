# One image for the console and the agent (the agent's DaemonSet runs agents/main.ts).
#   docker build -t portcullis:0.1.0 .
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.ts scripts/prisma-generate.ts
COPY prisma prisma
COPY prisma.config.ts tsconfig.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node_modules/.bin/next build && npm prune --omit=dev && npm install --no-save tsx

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends nftables iproute2 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORTCULLIS_HOST=0.0.0.0 PORT=3000
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["node_modules/.bin/tsx", "server/main.ts"]
