// Redaction of a stream (a child's output) whose chunks may split a secret anywhere: the end of
// what has come so far is held back while it could still be the start of a secret.
import { scrub, type Secrets } from "./inputs.ts";

export function scrubStream(secrets: Secrets) {
  const values = Object.values(secrets).filter((v): v is string => !!v && v.length >= 4);
  let held = "";
  return {
    /** The text that is safe to show now (secrets replaced). */
    push(chunk: string): string {
      const text = scrub(held + chunk, secrets);
      // Held back: the longest tail, shorter than the longest secret, that a secret starts with.
      let cut = Math.max(0, text.length - Math.max(0, ...values.map((v) => v.length - 1)));
      while (cut < text.length && !values.some((v) => v.startsWith(text.slice(cut)))) cut++;
      held = text.slice(cut);
      return text.slice(0, cut);
    },
    /** The rest, at the end of the stream. */
    end: (): string => scrub(held, secrets),
  };
}
