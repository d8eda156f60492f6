import assert from "node:assert/strict";
import { test } from "node:test";
import { formatMs, niceStep, progress, shorten, statusLabel } from "../src/format";

test("formatMs matches the Python side's format_ms", () => {
  // The same cases as render/timeline.py's doctest, plus sub-second and fractional values.
  assert.deepEqual(
    [250, 1500, 90_000, 3_960_000, 6000.032, 0, 60_000, 3_600_000, 86_400_000, 100_800_000].map(formatMs),
    ["250 ms", "1.5 s", "1m 30s", "1h 6m", "6 s", "0 ms", "1m", "1h", "1d", "1d 4h"],
  );
});

test("niceStep picks 1, 2 or 5 times a power of ten", () => {
  assert.deepEqual([niceStep(7000), niceStep(1), niceStep(0), niceStep(2400)], [2000, 0.2, 0.2, 500]);
});

test("niceStep gives round clock steps above a second", () => {
  // 100 h used to step by 50 000 000 ms ("13h 53m", "27h 46m"); now by 1 day.
  const hour = 3_600_000;
  assert.deepEqual(
    [niceStep(45_000), niceStep(100 * hour), niceStep(3 * hour), niceStep(80_000), niceStep(259_200_000)],
    [10_000, 24 * hour, 30 * 60_000, 15_000, 12 * hour],
  );
  assert.equal(niceStep(400 * 24 * hour), 100 * 24 * hour);
});

test("statusLabel and shorten", () => {
  assert.equal(statusLabel("CAUGHT_ERROR"), "caught error");
  assert.equal(statusLabel("WEIRD"), "weird");
  assert.equal(shorten("abcdef", 4), "abc…");
  assert.equal(shorten("abc", 4), "abc");
});

test("progress: states not reached on a finished run are not taken (as render/html.py)", () => {
  const h = { status: "SUCCEEDED", done: 2, total: 4 };
  assert.deepEqual(
    [progress(h), progress({ ...h, status: "RUNNING" }), progress({ ...h, done: 4 }), progress({ ...h, done: 1, status: "FAILED" })],
    ["2 states run, 2 not taken", "2 / 4 states done", "4 states run", "1 state run, 3 not taken"],
  );
});
