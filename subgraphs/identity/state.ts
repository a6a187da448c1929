import type { SubgraphContext } from "../kit/context";
import type { Storage } from "../kit/storage";
import type { InstanceState } from "../kit/subgraph";
import { GroupCommit } from "../kit/group-commit";
import { auditAll, AuditEntry } from "./audit";
import { SignInThrottle } from "./throttle";

/** What one running identity instance keeps beside its database: the sign-in throttle over it, and the reporter-delivery log. */
export interface IdentityState {
  throttle: SignInThrottle;
  /** Reporter deliveries arriving together (many officers' lists at once) share one transaction. */
  deliveries: GroupCommit<AuditEntry>;
}

export type IdentityContext = SubgraphContext<IdentityState>;

export async function identityState(storage: Storage): Promise<InstanceState<IdentityState>> {
  return { value: { throttle: new SignInThrottle(storage), deliveries: new GroupCommit(storage, { write: auditAll }) } };
}
