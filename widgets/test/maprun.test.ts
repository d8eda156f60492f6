import assert from "node:assert/strict";
import { test } from "node:test";
import { doneText, shares } from "../src/maprun";

test("the progress bar's segments share the items by status", () => {
  const items = { pending: 2, running: 1, succeeded: 5, failed: 2, timedOut: 0, aborted: 0, total: 10 };
  assert.deepEqual(shares(items), [
    ["succeeded", 50],
    ["failed", 20],
    ["running", 10],
    ["pending", 20],
  ]);
  assert.deepEqual(shares({ total: 0 }), []);
});

test("done counts every item no longer pending or running", () => {
  assert.equal(doneText({ pending: 2, running: 1, succeeded: 5, failed: 2, total: 10 }), "7 / 10 items done");
  assert.equal(doneText({ succeeded: 1, total: 1 }), "1 / 1 item done");
});
