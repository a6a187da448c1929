/** Why an upload was refused: the HTTP status, the rule it broke (named in the answer) and a message for people. */
export class EvidenceRefusal extends Error {
  constructor(
    readonly status: number,
    readonly rule: "type not allowed" | "too large" | "empty" | "cut off" | "not found" | "forbidden",
    message: string,
  ) {
    super(message);
    this.name = "EvidenceRefusal";
  }
}
