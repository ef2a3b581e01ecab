# Herald image for `herald api` and `herald worker` (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY workers ./workers
COPY tsconfig.json ./
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/herald.mjs"]
CMD ["all"]
