# Kiln's server image, the base of every `kiln export --format container` image:
#   docker build -t kiln:0.1.0 .
#   docker run --rm -p 8080:8080 -v kiln-home:/home/node/.kiln kiln:0.1.0
# The full Debian image, not -slim: better-sqlite3 compiles from source with its python3, make and g++.
FROM node:20-bookworm
WORKDIR /opt/kiln
COPY --chown=node:node . .
# npm ci builds Kiln (its prepare script: TypeScript and the web app), then the build tools are dropped
RUN chown node:node /opt/kiln && su node -c "npm ci && npm prune --omit=dev" && ln -s /opt/kiln/bin/kiln.js /usr/local/bin/kiln
USER node
WORKDIR /home/node
ENV KILN_HOME=/home/node/.kiln
EXPOSE 8080 8081
ENTRYPOINT ["kiln"]
CMD ["serve", "--host", "0.0.0.0"]
