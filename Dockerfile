# One image for the three demo services; docker-compose.yml picks the entry point
# (node dist/esm/demo/services/<name>.js) per service.
FROM node:20-slim

WORKDIR /app

# Dependencies first, so editing src/ does not reinstall them. Dev dependencies
# stay: the build needs TypeScript, and the demo services run on the OTel SDK and
# langsmith, which the library itself only lists as dev/peer dependencies.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.cjs.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && chown node:node /app

USER node
CMD ["node", "dist/esm/demo/services/gateway.js"]
