# Herald image for `herald api` and `herald worker` (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
COPY adapters ./adapters
COPY workers ./workers
# The bundle (dist/herald.js) runs without the TypeScript loader: faster start, ~170 MB less memory.
RUN node scripts/build.mjs && npm prune --omit=dev --no-audit --no-fund --loglevel=error
ENV NODE_ENV=production
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/herald.mjs"]
CMD ["all"]
