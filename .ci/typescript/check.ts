// Type-checked against the types openapi-typescript generates from
// openapi/openapi.json (.ci/typescript-client): what a TypeScript front end
// writes against the spec compiles, and what the spec forbids does not.
import type { components, paths } from "./ombud";

type Schemas = components["schemas"];
type FileCase = paths["/api/v1/cases"]["post"]["requestBody"]["content"]["application/json"];
type Filed = paths["/api/v1/cases"]["post"]["responses"][201]["content"]["application/json"];
type CaseList = paths["/api/v1/cases"]["get"]["responses"][200]["content"]["application/json"];
type AssignHeaders = NonNullable<
  paths["/api/v1/cases/{case_id}/actions/assign"]["post"]["parameters"]["header"]
>;
type Assign = paths["/api/v1/cases/{case_id}/actions/assign"]["post"]["requestBody"]["content"]["application/json"];
type Stats = paths["/api/v1/statistics"]["get"]["responses"][200]["content"]["application/json"];
type Problem = Schemas["Problem"];

export const filing: FileCase = {
  title: "Order never arrived",
  description: "I paid and nothing came.",
  category: "delivery",
  respondent: { user_id: "0192f0c4-1111-7a21-9d0b-5c1e8f2a3b4c" },
};

// @ts-expect-error: a filing needs a title.
export const untitled: FileCase = { description: "d", category: "c", respondent: {} };

// @ts-expect-error: a respondent is a user id, or a name and an email: not half of one.
export const halfRespondent: FileCase = { title: "t", description: "d", category: "c", respondent: { name: "Shop" } };

type DecideAppeal = paths["/api/v1/cases/{case_id}/actions/decide_appeal"]["post"]["requestBody"]["content"]["application/json"];
export const upheld: DecideAppeal = { decision: "uphold", rationale: "The ruling followed the evidence." };
export const amended: DecideAppeal = { decision: "amend", rationale: "Half was delivered.", outcome: "partially_upheld" };
// @ts-expect-error: amending needs the new outcome.
export const amendedWithout: DecideAppeal = { decision: "amend", rationale: "Half was delivered." };

export function headline(c: Filed): string {
  const next: Schemas["Action"][] = c.allowed_actions;
  return `${c.reference} (${c.state}, v${c.version}): ${next.join(", ")}`;
}

export function references(page: CaseList): { refs: string[]; more: boolean } {
  return { refs: page.items.map((c) => c.reference), more: page.next_cursor !== null };
}

// Every action takes If-Match and Idempotency-Key.
export const headers: AssignHeaders = { "If-Match": '"v3"', "Idempotency-Key": "assign-0001" };
export const assign: Assign = { mediator_id: "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c" };

export function median(s: Stats): number | null | undefined {
  return s.first_response.median_seconds;
}

export function explain(p: Problem): string {
  return `${p.status} ${p.title}: ${p.detail ?? ""}`;
}
