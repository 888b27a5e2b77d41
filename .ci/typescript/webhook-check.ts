// Runs the documented TypeScript verification (docs/examples/verify-webhook.ts)
// on deliveries Ombud really sent (captured by .ci/webhook_capture.py), and on
// forged, tampered and replayed copies, which it must refuse.
// Usage: node webhook-check.js CAPTURE_FOLDER SECRET
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { verifyOmbudSignature } from "./verify-webhook";

function check(ok: boolean, what: string): void {
  if (!ok) {
    console.error(`FAILED: ${what}`);
    process.exit(1);
  }
}

const [folder, secret] = process.argv.slice(2);
const files = readdirSync(folder).filter((f) => f.endsWith(".json")).sort();
check(files.length > 0, "deliveries were captured");
for (const file of files) {
  const record = JSON.parse(readFileSync(join(folder, file), "utf8")) as {
    headers: Record<string, string>;
    body: string;
  };
  const headers = Object.fromEntries(
    Object.entries(record.headers).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const body = Buffer.from(record.body, "base64");
  const header = headers["ombud-signature"];
  const t = Number(header.split(",")[0].slice(2));
  check(verifyOmbudSignature(secret, header, body), `${file} verifies`);
  check(!verifyOmbudSignature("whsec_" + "A".repeat(43), header, body), `${file}: a forger's secret`);
  const tampered = Buffer.from(body.toString("utf8").replace('"type":"', '"type":"x'));
  check(!verifyOmbudSignature(secret, header, tampered, t), `${file}: a tampered body`);
  check(!verifyOmbudSignature(secret, header, body, t + 301), `${file}: a replay six minutes later`);
  check(verifyOmbudSignature(secret, header, body, t + 299), `${file}: within five minutes`);
  check(!verifyOmbudSignature(secret, "", body), `${file}: no header`);
}
console.log(
  `TypeScript verification: ${files.length} real deliveries verified; forged, tampered and replayed copies refused`,
);
