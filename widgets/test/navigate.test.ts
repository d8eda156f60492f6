import assert from "node:assert/strict";
import { test } from "node:test";
import { GROUP_OVER, groupIterations, groupSize, groupStatus } from "../src/groups";
import type { TimelineRow } from "../src/protocol";
import { RowStore } from "../src/rows";
import { clampIndex, choiceLabel } from "../src/scope";
import { ticks, TimeWindow } from "../src/timewindow";

function row(key: string, parent: string | null, order: number, extra: Partial<TimelineRow> = {}): TimelineRow {
  return {
    key, parent, order, kind: key.startsWith("i") ? "iteration" : "state", label: key, type: "Pass",
    start: order, end: order + 10, status: "SUCCEEDED", attempts: [], error: null, node: null, ...extra,
  };
}

function bigMap(count: number): TimelineRow[] {
  const rows = [row("v1", null, 1, { type: "Map" })];
  for (let i = 0; i < count; i++) {
    rows.push(row(`i1.${i}`, "v1", i, { status: i === 437 ? "FAILED" : "SUCCEEDED" }));
    rows.push(row(`v${100 + i}`, `i1.${i}`, 100 + i));
  }
  return rows;
}

test("a 1,000-iteration Map opens as 20 groups of 50; a group opens to its iterations", () => {
  const store = new RowStore();
  store.apply({ type: "rows", reset: true, rows: bigMap(1000), end: 1010, status: "RUNNING", ticking: false, version: 0 });
  assert.equal(store.visible().length, 1);
  store.toggle("v1", 1000);
  const open = store.visible();
  assert.equal(open.length, 21);
  const groups = open.slice(1);
  assert.deepEqual(groups.slice(0, 2).map((r) => r.row.label), ["#0–#49", "#50–#99"]);
  assert.ok(groups.every((r) => r.collapsed && r.children === 50 && r.depth === 1));
  const failed = groups.find((r) => r.row.label === "#400–#449");
  assert.equal(failed?.row.status, "FAILED");
  assert.equal(failed?.row.error, "1 failed");
  store.toggle(failed!.row.key, 50);
  const inside = store.visible();
  assert.equal(inside.length, 21 + 50 * 2);
  const first = inside.findIndex((r) => r.row.key === "i1.400");
  assert.deepEqual([inside[first].depth, inside[first + 1].row.key, inside[first + 1].depth], [2, "v500", 3]);
  store.setAll(false);
  assert.equal(store.visible().length, 1);
  store.setAll(true);
  assert.equal(store.visible().length, 1 + 20 + 2000);
});

test("small Maps list their iterations; group sizes and statuses", () => {
  const rows = bigMap(GROUP_OVER).filter((r) => r.parent === "v1");
  assert.equal(groupIterations(row("v1", null, 1), rows).size, 0);
  assert.deepEqual([groupSize(60), groupSize(1000), groupSize(10000)], [10, 50, 500]);
  assert.equal(groupStatus([row("a", null, 0), row("b", null, 1, { status: "RUNNING" })]), "RUNNING");
  const open = groupIterations(row("v1", null, 1), bigMap(60).filter((r) => r.parent === "v1")
    .map((r, i) => (i === 3 ? { ...r, end: null, status: "RUNNING" } : r)));
  const [first] = open.keys();
  assert.equal(first.end, null);
  assert.equal(first.status, "RUNNING");
});

test("zoom keeps the point under the pointer, pans within the run, and fits back", () => {
  const window = new TimeWindow();
  assert.deepEqual(window.range(9500), [0, 10000]);
  window.zoom(4, 5000, 9500);
  assert.deepEqual(window.range(9500), [3750, 6250]);
  window.pan(-10000, 9500);
  assert.deepEqual(window.range(9500), [0, 2500]);
  window.pan(100000, 9500);
  assert.deepEqual(window.range(9500), [7500, 10000]);
  window.zoom(1 / 8, 8000, 9500);
  assert.equal(window.zoomed, false);
  window.zoom(2, 0, 9500);
  window.fit();
  assert.deepEqual(window.range(9500), [0, 10000]);
});

test("ticks are round steps inside the window", () => {
  assert.deepEqual(ticks(3750, 6250), { step: 500, times: [4000, 4500, 5000, 5500, 6000] });
  const { step, times } = ticks(0, 100 * 3600 * 1000);
  assert.equal(step, 24 * 3600 * 1000);
  assert.equal(times.length, 5);
  assert.deepEqual(ticks(0.25, 1.5).times, [0.5, 1, 1.5]);
});

test("the scope selector's labels and index bounds", () => {
  assert.equal(choiceLabel({ state: "Each", type: "Map", node: "/States/Each", count: 1000, failed: [] }),
    "Each (Map, 1000 iterations)");
  assert.equal(choiceLabel({ state: "P", type: "Parallel", node: "/States/P", count: 1, failed: [] }),
    "P (Parallel, 1 branch)");
  assert.deepEqual([clampIndex(-3, 10), clampIndex(12, 10), clampIndex(4.7, 10), clampIndex(Number.NaN, 10)],
    [0, 9, 4, 0]);
});

test("a reset answered late never undoes newer patches", () => {
  const store = new RowStore();
  store.apply({ type: "rows", reset: true, rows: [row("v1", null, 1, { status: "RUNNING", end: null })], end: 5,
    status: "RUNNING", ticking: false, version: 1 });
  store.apply({ type: "rows", reset: false, rows: [row("v1", null, 1), row("v2", null, 2)], end: 20,
    status: "SUCCEEDED", ticking: false, version: 4 });
  // The answer to `hello`, computed at version 2, arrives last.
  store.apply({ type: "rows", reset: true, rows: [row("v1", null, 1, { status: "RUNNING", end: null })], end: 8,
    status: "RUNNING", ticking: false, version: 2 });
  assert.deepEqual(store.visible().map((r) => [r.row.key, r.row.status]), [["v1", "SUCCEEDED"], ["v2", "SUCCEEDED"]]);
  assert.equal(store.status, "SUCCEEDED");
  store.apply({ type: "rows", reset: true, rows: [row("v1", null, 1)], end: 20, status: "SUCCEEDED", ticking: false,
    version: 5 });
  assert.deepEqual(store.visible().map((r) => r.row.key), ["v1"]);
});

test("tooltips give attempt, start, end and duration", async () => {
  // timeline.ts touches the DOM only when it renders: its helpers import under node.
  const { describe, describeGap } = await import("../src/timeline");
  const retried = row("v1", null, 1, { label: "Fetch", type: "Task",
    attempts: [[0, 5, "FAILED", "ValueError"], [2005, 2010, "SUCCEEDED", null]] });
  assert.deepEqual(describe(retried, 0), ["Fetch (Task)", "attempt 1 of 2: failed", "start +0 ms", "end +5 ms",
    "duration 5 ms", "error: ValueError"]);
  assert.deepEqual(describe(row("v2", null, 2, { start: 1500, end: null, status: "RUNNING" }), 0),
    ["v2 (Pass)", "in progress", "start +1.5 s", "end: still running"]);
  assert.deepEqual(describeGap(retried, 0), ["Fetch: backoff before attempt 2", "from +5 ms to +2.01 s",
    "waited 2 s"]);
});

test("the failed-iteration button steps through failures and goes round", async () => {
  const { nextFailed } = await import("../src/scope");
  assert.equal(nextFailed([], 3), null);
  assert.equal(nextFailed([4, 9, 400], null), 4);
  assert.equal(nextFailed([4, 9, 400], 4), 9);
  assert.equal(nextFailed([4, 9, 400], 400), 4);
});
