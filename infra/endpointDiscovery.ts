// Bundled in place of @aws-sdk/middleware-endpoint-discovery (see `bundling` in baosongFunction.ts). DynamoDB's client
// resolves an endpoint-discovery setting at construction — an LRU endpoint cache (mnemonist), the env and config
// file lookups — for a middleware that none of the operations baosong calls adds in this SDK: the cache is never
// read, and discovery is off unless a deploy turns it on, which ours never does. About 9 KB of every bundle that
// holds the DynamoDB client. test/infra/endpointDiscovery.test.ts fails the day an operation we call starts using it.
// Local runs and tests do not bundle and keep the real module.

/** Discovery off, whatever the environment says: the setting the client reads, and nothing else. */
export const NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS = {
  environmentVariableSelector: (): undefined => undefined,
  configFileSelector: (): undefined => undefined,
  default: false,
};

export const resolveEndpointDiscoveryConfig = <T extends object>(input: T, _options: unknown) =>
  Object.assign(input, {
    endpointDiscoveryEnabled: () => Promise.resolve(false),
    isClientEndpointDiscoveryEnabled: false,
  });
