import { ListMemo } from "../kit/list-versions";

/** The directory's version: its counts, pages and names in memory are reused until registerOrganization changes it. */
export const DIRECTORY = new ListMemo("organizations");
