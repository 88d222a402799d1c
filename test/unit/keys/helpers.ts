import { expect } from "vitest";
import { isLvoError } from "../../../src/util/errors.ts";

/** Assert that `fn` throws an LvoError with `code` (tests match codes, never messages). */
export function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isLvoError(thrown) ? thrown.code : thrown).toBe(code);
}

/** Assert that the promise rejects with an LvoError carrying `code`. */
export async function expectRejectCode(p: Promise<unknown>, code: string): Promise<void> {
  let thrown: unknown;
  try {
    await p;
  } catch (err) {
    thrown = err;
  }
  expect(isLvoError(thrown) ? thrown.code : thrown).toBe(code);
}
