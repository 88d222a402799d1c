# lvo node image: the same `lvo` CLI the process devnet runs (docker-compose.yml uses it).
FROM node:22-slim
WORKDIR /lvo
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
# the video contracts the devnet genesis releases (src/genesis/devnet-contracts.ts reads them)
COPY contracts ./contracts
ENV LVO_DATADIR=/data
EXPOSE 8545 30333
ENTRYPOINT ["node", "bin/lvo.js"]
CMD ["--help"]
