// The timeline's row store and display order: pure logic, unit-tested under node.

import { groupIterations } from "./groups";
import type { RowsUpdate, TimelineRow } from "./protocol";

/** Maps with more iterations than this start collapsed. */
export const AUTO_COLLAPSE = 10;

export interface VisibleRow {
  row: TimelineRow;
  depth: number;
  children: number;
  collapsed: boolean;
}

/** All rows received so far, patched by RowsUpdate messages. */
export class RowStore {
  rows = new Map<string, TimelineRow>();
  end: number | null = null;
  status = "";
  ticking = false;
  /** performance.now() when `end` was received, to advance it while ticking. */
  receivedAt = 0;
  /** Rows the user opened or closed; others follow AUTO_COLLAPSE. */
  toggled = new Map<string, boolean>();
  private everything = false; // setAll: walk every row as if all were open

  /** The newest feed version applied, and each row's: messages can arrive out of order (a
   * reset asked for by `hello` is answered when the kernel is free, after newer patches). */
  version = -1;
  private rowVersion = new Map<string, number>();

  apply(update: RowsUpdate, now = 0): void {
    const version = update.version ?? 0;
    const newest = version >= this.version;
    if (update.reset && newest) {
      this.rows.clear();
      this.rowVersion.clear();
    }
    for (const row of update.rows) {
      if ((this.rowVersion.get(row.key) ?? -1) > version) continue; // a newer patch has it
      this.rows.set(row.key, row);
      this.rowVersion.set(row.key, version);
    }
    if (!newest) return;
    this.version = version;
    this.end = update.end;
    this.status = update.status;
    this.ticking = update.ticking;
    this.receivedAt = now;
  }

  /** The current end of the time axis: `end`, advanced by wall time while ticking. */
  now(now = 0): number | null {
    if (this.end === null || !this.ticking) return this.end;
    return this.end + Math.max(0, now - this.receivedAt);
  }

  toggle(key: string, children: number): void {
    this.toggled.set(key, !this.isCollapsed(key, children));
  }

  isCollapsed(key: string, children: number): boolean {
    if (this.everything) return false;
    // Groups of iterations (groups.ts, keys "g…") start closed: opening a big Map shows its
    // groups, one more click a group's iterations.
    return this.toggled.get(key) ?? (key.startsWith("g") || children > AUTO_COLLAPSE);
  }

  /** Rows in tree order, skipping those under a collapsed row (rows whose parent has not
   * arrived yet are shown at the top level). A big Map's iterations come in groups
   * (groups.ts), rows of their own that open and close the same way. */
  visible(): VisibleRow[] {
    const children = new Map<string | null, TimelineRow[]>();
    for (const row of this.rows.values()) {
      const parent = row.parent !== null && this.rows.has(row.parent) ? row.parent : null;
      const list = children.get(parent);
      if (list) list.push(row);
      else children.set(parent, [row]);
    }
    for (const list of children.values()) list.sort((a, b) => a.order - b.order);
    const out: VisibleRow[] = [];
    const walk = (kids: TimelineRow[], depth: number): void => {
      for (const row of kids) {
        const below = children.get(row.key) ?? [];
        const groups = groupIterations(row, below);
        const grouped = groups.size > 0;
        const count = grouped ? groups.size : below.length;
        const collapsed = count > 0 && this.isCollapsed(row.key, grouped ? below.length : count);
        out.push({ row, depth, children: grouped ? below.length : count, collapsed });
        if (collapsed) continue;
        if (!grouped) {
          walk(below, depth + 1);
          continue;
        }
        for (const [group, members] of groups) {
          const shut = this.isCollapsed(group.key, members.length);
          out.push({ row: group, depth: depth + 1, children: members.length, collapsed: shut });
          if (!shut) walk(members, depth + 2);
        }
      }
    };
    walk(children.get(null) ?? [], 0);
    return out;
  }

  /** Open (`open`) or close every row with children, groups included. */
  setAll(open: boolean): void {
    this.everything = true;
    const all = this.visible();
    this.everything = false;
    for (const { row, children } of all) if (children) this.toggled.set(row.key, !open);
  }

  /** The latest time worth drawing: the execution's last event or the latest row end. */
  span(now = 0): number {
    let last = this.now(now) ?? 0;
    for (const row of this.rows.values()) {
      last = Math.max(last, row.end ?? row.start);
      for (const [start, end] of row.attempts) last = Math.max(last, end ?? start ?? 0);
    }
    return Math.max(last, 1);
  }
}

/** The bars of a row: its attempts, or the whole row when it has none (Wait, Pass ...). */
export function bars(row: TimelineRow): [number | null, number | null, string, string | null][] {
  return row.attempts.length ? row.attempts : [[row.start, row.end, row.status, row.error]];
}

/** Gaps between consecutive attempts (retry backoff), as [from, to] in ms. */
export function backoffs(row: TimelineRow): [number, number][] {
  const gaps: [number, number][] = [];
  for (let i = 1; i < row.attempts.length; i++) {
    const previousEnd = row.attempts[i - 1][1];
    const start = row.attempts[i][0];
    if (previousEnd !== null && start !== null && start > previousEnd) gaps.push([previousEnd, start]);
  }
  return gaps;
}
