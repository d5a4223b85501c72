import { readFileSync } from "node:fs";

/**
 * What systemd would run for a service unit, read from the unit file itself, so that a test starts a
 * process exactly as the unit in deploy/ says (there is no systemd in the test environment) and cannot
 * drift from it. Only what the units in deploy/ use is understood; anything else throws, so a unit
 * that grows a feature makes the test say so instead of quietly running something else.
 *
 * Understood: [Service] ExecStart= (one plain command, no prefixes, no $ expansion), WorkingDirectory=,
 * Environment= (several assignments, quoted or not; an empty one resets), EnvironmentFile= (`-` for
 * optional; its values win over Environment=, as in systemd), the specifiers %i and %%, comments and
 * backslash continuation lines.
 */

export type ServiceCommand = {
  /** ExecStart split into words, the program first. */
  argv: string[];
  cwd: string | undefined;
  /** Environment= and then the EnvironmentFile= values, as the service would see them. */
  env: Record<string, string>;
};

export type ServiceCommandOptions = {
  /** What %i stands for (the part after @ in `calsync@3001.service`). */
  instance: string;
  /**
   * Where the installation's paths are on this run: `{ "/opt/calsync": repository }` and so on. A
   * value equal to a key, or under it, is moved; EnvironmentFile= paths included.
   */
  paths?: Record<string, string>;
};

type Entry = { section: string; key: string; value: string };

function entries(text: string): Entry[] {
  const result: Entry[] = [];
  let section = "";
  const lines = text.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const equals = line.indexOf("=");
    if (equals <= 0) throw new Error(`Not a setting: ${line}`);
    result.push({ section, key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim() });
  }
  return result;
}

function expandSpecifiers(value: string, instance: string): string {
  return value.replace(/%(.)/g, (_match, letter: string) => {
    if (letter === "i") return instance;
    if (letter === "%") return "%";
    throw new Error(`The unit uses the specifier %${letter}, which this reader does not know: teach test-support/systemd-unit.ts what it means.`);
  });
}

/** Splits like systemd: whitespace between words, double or single quotes around a word or part of one. */
export function splitWords(value: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    if (quote) {
      // Inside quotes a word has begun, even an empty one.
      if (char === quote) quote = undefined;
      else if (char === "\\" && index + 1 < value.length) word = `${word ?? ""}${value[++index]}`;
      else word = `${word ?? ""}${char}`;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= "";
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "\\" && index + 1 < value.length) {
      word = (word ?? "") + value[++index];
    } else {
      word = (word ?? "") + char;
    }
  }
  if (quote) throw new Error(`Unbalanced ${quote} in: ${value}`);
  if (word !== undefined) words.push(word);
  return words;
}

function assignment(word: string, where: string): [string, string] {
  const equals = word.indexOf("=");
  if (equals <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(word.slice(0, equals))) throw new Error(`Not a variable assignment in ${where}: ${word}`);
  return [word.slice(0, equals), word.slice(equals + 1)];
}

/** An EnvironmentFile: NAME=value lines, # and ; comments, a value optionally in quotes. */
export function parseEnvironmentFile(text: string, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.replace(/\\\r?\n/g, "").split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const [name, value] = assignment(line, where);
    const quoted = /^(["'])(.*)\1$/.exec(value.trim());
    env[name] = quoted ? quoted[2]! : value.trim();
  }
  return env;
}

function moved(value: string, paths: Record<string, string>): string {
  for (const [from, to] of Object.entries(paths)) {
    if (value === from) return to;
    if (value.startsWith(`${from}/`)) return to + value.slice(from.length);
  }
  return value;
}

export function serviceCommand(unitText: string, options: ServiceCommandOptions): ServiceCommand {
  const paths = options.paths ?? {};
  const service = entries(unitText).filter((entry) => entry.section === "Service");
  let environment: Record<string, string> = {};
  const fromFiles: Record<string, string> = {};
  let execStart: string[] | undefined;
  let cwd: string | undefined;
  for (const { key, value: raw } of service) {
    const value = expandSpecifiers(raw, options.instance);
    if (key === "Environment") {
      if (!value) environment = {};
      for (const word of splitWords(value)) {
        const [name, assigned] = assignment(word, "Environment=");
        environment[name] = assigned;
      }
    } else if (key === "EnvironmentFile") {
      const optional = value.startsWith("-");
      const file = moved(optional ? value.slice(1) : value, paths);
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        if (optional) continue;
        throw error;
      }
      Object.assign(fromFiles, parseEnvironmentFile(text, file));
    } else if (key === "ExecStart") {
      if (execStart) throw new Error("The unit has more than one ExecStart=; this reader runs one command.");
      if (/^[-@:+!]/.test(value) || value.includes("$")) throw new Error(`ExecStart= with a prefix or $ expansion is not understood: ${value}`);
      execStart = splitWords(value);
    } else if (key === "WorkingDirectory") {
      cwd = value;
    }
  }
  if (!execStart?.length) throw new Error("The unit has no ExecStart=.");
  const env = Object.fromEntries(Object.entries({ ...environment, ...fromFiles }).map(([name, value]) => [name, moved(value, paths)]));
  return { argv: execStart.map((word) => moved(word, paths)), cwd: cwd === undefined ? undefined : moved(cwd, paths), env };
}
