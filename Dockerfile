# One image for the worker and the API (docker-compose.yml picks the command), which also runs the
# operations in the README: `npm run migrate` and `npm run tokens:reencrypt`.
# Only production code is copied: dev/ (the local system composer), emulator/, bench/, test/ stay out,
# and of scripts/ only those two commands (test/unit/docker-image.test.ts checks their imports are copied).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY domain ./domain
COPY platform ./platform
COPY db ./db
COPY salesforce ./salesforce
COPY activities ./activities
COPY workflows ./workflows
COPY worker ./worker
COPY api ./api
COPY scripts/migrate.ts scripts/reencrypt-tokens.ts ./scripts/
USER node
CMD ["npm", "run", "worker"]
