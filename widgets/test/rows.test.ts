import assert from "node:assert/strict";
import { test } from "node:test";
import type { TimelineRow } from "../src/protocol";
import { AUTO_COLLAPSE, backoffs, bars, RowStore } from "../src/rows";

function row(key: string, parent: string | null, order: number, extra: Partial<TimelineRow> = {}): TimelineRow {
  return {
    key, parent, order, kind: key.startsWith("i") ? "iteration" : "state", label: key, type: "Pass",
    start: 0, end: 10, status: "SUCCEEDED", attempts: [], error: null, node: null, ...extra,
  };
}

test("rows patch in, keep tree order, and orphans wait at the top level", () => {
  const store = new RowStore();
  store.apply({ type: "rows", reset: false, rows: [row("v5", null, 5), row("v2", null, 2)], end: 10, status: "RUNNING", ticking: false, version: 0 });
  store.apply({ type: "rows", reset: false, rows: [row("v9", "i5.0", 9)], end: 12, status: "RUNNING", ticking: false, version: 0 });
  assert.deepEqual(store.visible().map((r) => [r.row.key, r.depth]), [["v2", 0], ["v5", 0], ["v9", 0]]);
  store.apply({ type: "rows", reset: false, rows: [row("i5.0", "v5", 0)], end: 12, status: "SUCCEEDED", ticking: false, version: 0 });
  assert.deepEqual(store.visible().map((r) => [r.row.key, r.depth]), [["v2", 0], ["v5", 0], ["i5.0", 1], ["v9", 2]]);
  assert.equal(store.status, "SUCCEEDED");
  store.apply({ type: "rows", reset: true, rows: [row("v1", null, 1)], end: 1, status: "SUCCEEDED", ticking: false, version: 0 });
  assert.deepEqual(store.visible().map((r) => r.row.key), ["v1"]);
});

test("big Maps start collapsed and toggle open", () => {
  const store = new RowStore();
  const iterations = Array.from({ length: AUTO_COLLAPSE + 1 }, (_, i) => row(`i1.${i}`, "v1", i));
  store.apply({ type: "rows", reset: true, rows: [row("v1", null, 1), ...iterations], end: 10, status: "SUCCEEDED", ticking: false, version: 0 });
  const [map] = store.visible();
  assert.equal(store.visible().length, 1);
  assert.equal(map.collapsed, true);
  assert.equal(map.children, AUTO_COLLAPSE + 1);
  store.toggle("v1", map.children);
  assert.equal(store.visible().length, AUTO_COLLAPSE + 2);
});

test("bars, backoff gaps and the time span", () => {
  const retried = row("v1", null, 1, {
    attempts: [[0, 5, "FAILED", "E"], [2005, 2010, "FAILED", "E"], [6010, null, "RUNNING", null]],
    end: null,
  });
  assert.deepEqual(backoffs(retried), [[5, 2005], [2010, 6010]]);
  assert.equal(bars(retried).length, 3);
  assert.deepEqual(bars(row("v2", null, 2)), [[0, 10, "SUCCEEDED", null]]);
  const store = new RowStore();
  store.apply({ type: "rows", reset: true, rows: [retried], end: 7000, status: "RUNNING", ticking: false, version: 0 });
  assert.equal(store.span(), 7000);
});

test("a ticking run's end advances with wall time, a virtual one's does not", () => {
  const store = new RowStore();
  store.apply({ type: "rows", reset: true, rows: [], end: 1000, status: "RUNNING", ticking: true, version: 0 }, 50);
  assert.equal(store.now(50), 1000);
  assert.equal(store.now(1550), 2500);
  assert.equal(store.span(1550), 2500);
  store.apply({ type: "rows", reset: false, rows: [], end: 3000, status: "SUCCEEDED", ticking: false, version: 0 }, 1600);
  assert.equal(store.now(9999), 3000);
});
