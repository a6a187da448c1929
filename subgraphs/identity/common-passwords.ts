import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary as commonDictionary } from "@zxcvbn-ts/language-common";
import { dictionary as indonesianDictionary } from "@zxcvbn-ts/language-id";

/*
 * zxcvbn-ts with its common-password lists (@zxcvbn-ts/language-common: the most used passwords and diceware
 * words) and its Indonesian dictionary (@zxcvbn-ts/language-id: common words, names, Wikipedia terms), so
 * "rahasia12345", "indonesia2024" or "jakartaselatan" are refused. Built once, on first use.
 */

let checker: ZxcvbnFactory | undefined;

/** The lowest zxcvbn score (0 to 4) a password must reach: 3 is "safely unguessable" for online attacks and beyond. */
export const MIN_SCORE = 3;

/** True when the password is a common password, or so close to one (or to the login name) that it scores below MIN_SCORE. */
export function isCommonPassword(password: string, userInputs: string[] = []): boolean {
  checker ??= new ZxcvbnFactory({ dictionary: { ...commonDictionary, ...indonesianDictionary }, graphs: adjacencyGraphs, useLevenshteinDistance: true });
  return checker.check(password, userInputs).score < MIN_SCORE;
}
