import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { TemporalConfig } from '../config/env';

/** Connection options for a dev server, a self-hosted cluster (TLS, mTLS) or Temporal Cloud (API key). */
export function temporalConnectionOptions(config: TemporalConfig, address: string): ConnectionOptions {
  const tls = config.tls
    ? {
        ...(config.tlsCertPath && config.tlsKeyPath
          ? { clientCertPair: { crt: readFileSync(config.tlsCertPath), key: readFileSync(config.tlsKeyPath) } }
          : {}),
        ...(config.tlsCaPath ? { serverRootCACertificate: readFileSync(config.tlsCaPath) } : {}),
      }
    : undefined;
  return {
    address,
    ...(tls ? { tls } : {}),
    ...(config.apiKey ? { apiKey: config.apiKey, metadata: { 'temporal-namespace': config.namespace } } : {}),
  };
}

/**
 * The gRPC retries of a client a person waits for (the API: console, uploads): a few quick ones, about two seconds in
 * all, so an unreachable Temporal becomes a page that says "try again" rather than a minute of waiting. Workers and the
 * CLI keep the SDK's patient default (ten attempts, up to five seconds apart).
 */
export const INTERACTIVE_GRPC_INTERCEPTORS = [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))];

/** Connects a client; the address is the configured one or, in development, the dev server `npm start` runs. */
export async function connectClient(
  config: TemporalConfig,
  address = config.address ?? `127.0.0.1:${config.devPort}`,
  options: { interactive?: boolean } = {},
): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(config, address), ...(options.interactive ? { interceptors: INTERACTIVE_GRPC_INTERCEPTORS } : {}) });
  return { client: new Client({ connection, namespace: config.namespace }), connection };
}
