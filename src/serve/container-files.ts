/**
 * What `kiln export --format container` writes beside the module's model repository: a Dockerfile and a
 * README, so that `docker build` makes an image serving the module (BentoML's and MLflow's
 * `build-docker` do the same for their models).
 *
 * The image is Kiln's own server (the Dockerfile at the root of Kiln's repository builds it once, as
 * `kiln:VERSION`) with the module's folder copied in, serving it with `kiln serve --model-repository`:
 * the same protocol (v2 REST and gRPC, v1 rows), batching and checks as everywhere else, rather than a
 * second server written for containers. It listens on every interface inside the container, so it
 * makes an access token for everything but predictions and health (access-token.ts); pass your own with
 * `-e KILN_API_TOKEN=…`.
 */
import type { ModuleManifest } from '../modules/manifest.js';

/** The command the image runs (after its entrypoint, `kiln`): tests run exactly this, on loopback. */
export const CONTAINER_COMMAND = ['serve', '--model-repository', '/models', '--host', '0.0.0.0', '--port', '8080', '--grpc-port', '8081', '--open-inference'] as const;

export function containerDockerfile(model: string, version: number, kilnVersion: string): string {
  return `# Serves ${model}:${version}, exported by kiln export --format container.
# Build Kiln's image once, from a Kiln checkout:   docker build -t kiln:${kilnVersion} .
# then this one, from this folder:                   docker build -t ${model}:${version} .
ARG KILN_IMAGE=kiln:${kilnVersion}
FROM \${KILN_IMAGE}
COPY --chown=node:node models /models
EXPOSE 8080 8081
CMD ${JSON.stringify(CONTAINER_COMMAND)}
`;
}

export function containerReadme(model: string, version: number, manifest: ModuleManifest, kilnVersion: string): string {
  const example = Object.fromEntries(manifest.signature.inputs.map((input) => [input.name, input.kind === 'numeric' ? 0 : '']));
  return `# ${model}:${version} in a container

Exported by \`kiln export ${model}:${version} --format container\` (learner ${manifest.learner}, task ${manifest.task},
trained ${manifest.trainedAt}). \`models/\` is a model repository in Triton's layout: NVIDIA Triton serves it
as it is, and so does Kiln's server, which this image runs.

    # once, from a checkout of Kiln ${kilnVersion}: the server image
    docker build -t kiln:${kilnVersion} .
    # from this folder: the module's image, and a container serving it on port 8080 (gRPC 8081)
    docker build -t ${model}:${version} .
    docker run --rm -p 8080:8080 -p 8081:8081 -e KILN_API_TOKEN=choose-a-token ${model}:${version}

Predictions and model metadata need no token (the image runs \`kiln ${CONTAINER_COMMAND.join(' ')}\`);
the rest of the API does (\`Authorization: Bearer choose-a-token\`). Without KILN_API_TOKEN the server
makes a token and prints it in its log.

    curl -s localhost:8080/v1/models/${model}:predict -H 'content-type: application/json' \\
      -d '${JSON.stringify({ instances: [example] })}'

The Open Inference Protocol routes (\`/v2/models/${model}/infer\`, gRPC on 8081) take one [N, 1] tensor per
column; \`GET /v2/models/${model}\` lists them. Health: \`/v2/health/ready\`.
`;
}
