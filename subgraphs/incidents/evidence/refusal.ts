import { Message, render } from "../../../platform/i18n";

/** Why an upload was refused: the HTTP status, the rule it broke (named in the answer) and a message for people (`text`, in any language). */
export class EvidenceRefusal extends Error {
  constructor(
    readonly status: number,
    readonly rule: "type not allowed" | "too large" | "empty" | "cut off" | "not found" | "forbidden",
    readonly text: Message,
  ) {
    super(render(text));
    this.name = "EvidenceRefusal";
  }
}
