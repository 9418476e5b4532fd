# redemption-hub: one image for every role (api, worker, sandbox, migrate); pick it with the command.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production HUB_HOST=0.0.0.0 HUB_PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Sources only (see .dockerignore): Node 24 runs the TypeScript directly, there is no build step.
COPY . .
USER node
EXPOSE 3000 4100
ENTRYPOINT ["node", "src/cli.ts"]
CMD ["api"]
