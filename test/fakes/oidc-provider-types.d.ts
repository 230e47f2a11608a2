/**
 * The part of oidc-provider's API the test provider (test/fakes/oidc-provider.ts) uses. The package
 * ships no types, and @types/oidc-provider is not a dependency of this project.
 */
declare module "oidc-provider" {
  import type http from "node:http";

  interface InteractionDetails {
    uid: string;
    prompt: { name: string; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId: string };
  }

  class Grant {
    constructor(properties: { accountId: string; clientId: string });
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  interface ClientLike {
    grantTypeAllowed(grant: string): boolean;
  }

  export interface Configuration {
    jwks?: { keys: object[] };
    clients?: Array<Record<string, unknown>>;
    scopes?: string[];
    pkce?: { required?: () => boolean };
    ttl?: Record<string, (...args: unknown[]) => number>;
    issueRefreshToken?: (ctx: unknown, client: ClientLike, code: unknown) => Promise<boolean> | boolean;
    interactions?: { url: (ctx: unknown, interaction: { uid: string }) => string };
    features?: Record<string, unknown>;
    findAccount?: (ctx: unknown, id: string) => Promise<{ accountId: string; claims: () => Promise<Record<string, unknown>> } | undefined>;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: http.IncomingMessage,
      res: http.ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    Grant: typeof Grant;
  }
}
