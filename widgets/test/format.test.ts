import assert from "node:assert/strict";
import { test } from "node:test";
import { formatMs, niceStep, shorten, statusLabel } from "../src/format";

test("formatMs matches the Python side's format_ms", () => {
  // The same cases as render/timeline.py's doctest, plus sub-second and fractional values.
  assert.deepEqual(
    [250, 1500, 90_000, 3_960_000, 6000.032, 0, 60_000, 3_600_000].map(formatMs),
    ["250 ms", "1.5 s", "1m 30s", "1h 6m", "6 s", "0 ms", "1m", "1h"],
  );
});

test("niceStep picks 1, 2 or 5 times a power of ten", () => {
  assert.deepEqual([niceStep(7000), niceStep(1), niceStep(45_000), niceStep(0)], [2000, 0.2, 10_000, 0.2]);
});

test("statusLabel and shorten", () => {
  assert.equal(statusLabel("CAUGHT_ERROR"), "caught error");
  assert.equal(statusLabel("WEIRD"), "weird");
  assert.equal(shorten("abcdef", 4), "abc…");
  assert.equal(shorten("abc", 4), "abc");
});
