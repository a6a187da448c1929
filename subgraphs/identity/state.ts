import type { SubgraphContext } from "../kit/context";
import type { Storage } from "../kit/storage";
import type { InstanceState } from "../kit/subgraph";
import { SignInThrottle } from "./throttle";

/** What one running identity instance keeps beside its database: the sign-in throttle over it. */
export interface IdentityState {
  throttle: SignInThrottle;
}

export type IdentityContext = SubgraphContext<IdentityState>;

export async function identityState(storage: Storage): Promise<InstanceState<IdentityState>> {
  return { value: { throttle: new SignInThrottle(storage) } };
}
