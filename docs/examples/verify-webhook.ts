// Checking an Ombud webhook delivery (docs/integrations.md#webhooks), in
// TypeScript for Node.js, standard library only. CI compiles this file with
// tsc --strict and runs it against real, forged, tampered and replayed
// deliveries (.ci/webhook-receivers).
import { createHmac, timingSafeEqual } from "node:crypto";

/** True if `body` (the raw request body, exactly as received) was signed by
 * Ombud with `secret` (the endpoint's `whsec_...`) at most `toleranceSeconds`
 * from `nowSeconds` (default: this machine's clock). */
export function verifyOmbudSignature(
  secret: string,
  signatureHeader: string,
  body: Buffer,
  nowSeconds: number = Date.now() / 1000,
  toleranceSeconds: number = 300,
): boolean {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of signatureHeader.split(",")) {
    const [key, value = ""] = part.trim().split("=", 2);
    if (key === "t" && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === "v1") signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false; // a replay
  const expected = createHmac("sha256", secret)
    .update(`${timestamp}.`)
    .update(body)
    .digest();
  return signatures.some((s) => {
    const given = Buffer.from(s, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

// With Express, keep the raw body for the check:
//   app.post("/ombud", express.raw({ type: "application/json" }), (req, res) => {
//     if (!verifyOmbudSignature(secret, req.get("Ombud-Signature") ?? "", req.body)) {
//       return res.sendStatus(400);
//     }
//     const event = JSON.parse(req.body.toString("utf8"));
//     // drop an event.id you have seen; then handle event.type
//     res.sendStatus(204);
//   });
