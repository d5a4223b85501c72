import { beforeEach, describe, expect, it } from "vitest";
import { forgetConnectionRead, readThrough } from "@/lib/connections/read-cache";

describe("the connection read cache", () => {
  beforeEach(() => forgetConnectionRead());

  it("answers from memory for a second, then reads again", async () => {
    let loads = 0;
    const load = async () => ++loads;
    expect(await readThrough("a", load, 1_000)).toBe(1);
    expect(await readThrough("a", load, 1_999)).toBe(1);
    expect(await readThrough("a", load, 2_000)).toBe(2);
    expect(await readThrough("b", load, 2_000)).toBe(3);
  });

  it("lets requests that arrive during a read share it", async () => {
    let loads = 0;
    let finish: (value: string) => void = () => {};
    const load = () => {
      loads += 1;
      return new Promise<string>((resolve) => (finish = resolve));
    };
    const first = readThrough("a", load, 1_000);
    const second = readThrough("a", load, 1_001);
    finish("row");
    expect(await Promise.all([first, second])).toEqual(["row", "row"]);
    expect(loads).toBe(1);
  });

  it("does not remember a failed read", async () => {
    await expect(readThrough("a", async () => Promise.reject(new Error("database gone")), 1_000)).rejects.toThrow("database gone");
    expect(await readThrough("a", async () => "row", 1_001)).toBe("row");
  });

  it("does not let a read that began before a write answer after it", async () => {
    let finish: (value: string) => void = () => {};
    const stale = readThrough("a", () => new Promise<string>((resolve) => (finish = resolve)), 1_000);
    forgetConnectionRead("a");
    finish("before the write");
    await stale;
    expect(await readThrough("a", async () => "after the write", 1_001)).toBe("after the write");
  });
});
