// Bundled in place of @aws-sdk/credential-provider-node (see `bundling` in baosongFunction.ts). On Lambda the
// runtime puts the function role's credentials in the environment, so the rest of the default chain (INI files,
// SSO, web identity, login, IMDS/container endpoints, and the STS/SSO clients they bring) is dead code there: about
// 90 KB of every bundle, parsed on every cold start. Local runs and tests do not bundle and keep the full chain.
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
