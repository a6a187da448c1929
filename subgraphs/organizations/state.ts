import type { SubgraphContext } from "../kit/context";
import { ListMemo } from "../kit/list-versions";
import type { Storage } from "../kit/storage";
import type { InstanceState } from "../kit/subgraph";
import { DirectoryNames } from "./name-index";

/** What one running organizations instance keeps beside its database. */
export interface OrganizationsState {
  /** The directory's version: its counts, pages and names in memory are reused until registerOrganization changes it. */
  directory: ListMemo;
  /** The directory's names in memory, for name search. */
  names: DirectoryNames;
}

export type OrganizationsContext = SubgraphContext<OrganizationsState>;

/**
 * Starts loading the names at once, so the first search need not wait for it (seconds at national size). A
 * failure is left for the first search to meet and retry; the stop waits for the load.
 */
export async function organizationsState(storage: Storage): Promise<InstanceState<OrganizationsState>> {
  const directory = new ListMemo(storage.reader, "organizations");
  const names = new DirectoryNames(storage.reader);
  const warming = directory
    .at()
    .then((snapshot) => names.at(snapshot.version))
    .catch(() => undefined);
  return {
    value: { directory, names },
    dispose: async () => {
      await warming;
    },
  };
}
