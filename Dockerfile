# One image for the worker and the API (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY lib ./lib
COPY activities ./activities
COPY workflows ./workflows
COPY worker ./worker
COPY api ./api
USER node
CMD ["npm", "run", "worker"]
