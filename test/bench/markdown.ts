/** A markdown table. */
export const table = (head: string[], rows: Array<Array<string | number>>): string =>
  [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
