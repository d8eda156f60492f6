// Iterations of a big Map folded into groups ("#0–#49", "#50–#99" ...), each a row that opens
// like the Map's own: 1,000 iterations read as 20 rows first. Pure logic, unit-tested under node.

import type { TimelineRow } from "./protocol";

/** A Map with more iterations than this shows them in groups. */
export const GROUP_OVER = 50;
/** Group sizes, the smallest giving at most MAX_GROUPS groups wins. */
const SIZES = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const MAX_GROUPS = 20;

/** Statuses a group takes from its iterations, most telling first. */
const RANK = ["FAILED", "ABORTED", "CAUGHT_ERROR", "RUNNING", "CANCELLED", "SUCCEEDED"];

export function groupSize(count: number): number {
  return SIZES.find((size) => Math.ceil(count / size) <= MAX_GROUPS) ?? SIZES[SIZES.length - 1];
}

/** A group's status: the most telling of its iterations'. */
export function groupStatus(rows: TimelineRow[]): string {
  let best = RANK.length;
  for (const row of rows) {
    const rank = RANK.indexOf(row.status);
    if (rank >= 0 && rank < best) best = rank;
  }
  return best < RANK.length ? RANK[best] : rows[0]?.status ?? "NOT_REACHED";
}

/** The iteration rows `kids` of Map row `parent` (sorted by index) as group rows, with the
 * iterations each holds; none when the Map is small enough to list them. */
export function groupIterations(parent: TimelineRow, kids: TimelineRow[]): Map<TimelineRow, TimelineRow[]> {
  const groups = new Map<TimelineRow, TimelineRow[]>();
  if (kids.length <= GROUP_OVER || kids.some((kid) => kid.kind !== "iteration")) return groups;
  const size = groupSize(kids.length);
  const buckets = new Map<number, TimelineRow[]>();
  for (const kid of kids) {
    const bucket = Math.floor(kid.order / size);
    const list = buckets.get(bucket);
    if (list) list.push(kid);
    else buckets.set(bucket, [kid]);
  }
  for (const [bucket, members] of buckets) {
    const first = bucket * size;
    let start = Infinity;
    let end: number | null = -Infinity;
    for (const member of members) {
      start = Math.min(start, member.start);
      end = end === null || member.end === null ? null : Math.max(end, member.end);
    }
    const failed = members.filter((m) => m.status === "FAILED").length;
    groups.set(
      {
        key: `g${parent.key}.${bucket}`,
        parent: parent.key,
        order: first,
        kind: "group",
        label: `#${first}–#${first + size - 1}`,
        type: "Iterations",
        start: Number.isFinite(start) ? start : 0,
        end: end === -Infinity ? null : end,
        status: groupStatus(members),
        attempts: [],
        error: failed ? `${failed} failed` : null,
        node: null,
      },
      members,
    );
  }
  return groups;
}
