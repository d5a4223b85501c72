import { createRequire } from "node:module";
import path from "node:path";
import type { Node, Parser as ParserType, Tree } from "@vscode/tree-sitter-wasm";

/**
 * PowerShell cannot be installed where the tests run, so generated PowerShell is parsed with the
 * tree-sitter PowerShell grammar that `@vscode/tree-sitter-wasm` ships as WebAssembly (with its own
 * tree-sitter runtime). Both files come from the npm package: nothing is downloaded at run time.
 */

const require = createRequire(import.meta.url);
type TreeSitterModule = typeof import("@vscode/tree-sitter-wasm");

let parserPromise: Promise<ParserType> | undefined;

async function loadParser(): Promise<ParserType> {
  const runtimePath = require.resolve("@vscode/tree-sitter-wasm/wasm/tree-sitter.js");
  const wasmDir = path.dirname(runtimePath);
  const treeSitter = require(runtimePath) as TreeSitterModule;
  await treeSitter.Parser.init({ locateFile: (file: string) => path.join(wasmDir, file) });
  const language = await treeSitter.Language.load(path.join(wasmDir, "tree-sitter-powershell.wasm"));
  const parser = new treeSitter.Parser();
  parser.setLanguage(language);
  return parser;
}

export async function parsePowerShell(source: string): Promise<Tree> {
  parserPromise ??= loadParser();
  const tree = (await parserPromise).parse(source);
  if (!tree) throw new Error("The PowerShell grammar returned no tree");
  return tree;
}

function* walk(node: Node): Generator<Node> {
  yield node;
  for (const child of node.children) if (child) yield* walk(child);
}

export type SyntaxProblem = { kind: "error" | "missing"; line: number; text: string };

/** Every ERROR and MISSING node, with its one-based line and that line's text, for a readable failure. */
export function syntaxProblems(tree: Tree, source: string): SyntaxProblem[] {
  const lines = source.split("\n");
  return [...walk(tree.rootNode)]
    .filter((node) => node.isError || node.isMissing)
    .map((node) => ({ kind: node.isMissing ? "missing" : "error", line: node.startPosition.row + 1, text: lines[node.startPosition.row] ?? "" }));
}

export type CommandUse = { name: string; parameters: string[]; line: number };

/** Each command the script runs, with the named parameters it passes (`-Confirm:$false` counts as Confirm). */
export function commandUses(tree: Tree): CommandUse[] {
  return [...walk(tree.rootNode)]
    .filter((node) => node.type === "command")
    .map((node) => {
      // The grammar takes `ForEach-Object` for the foreach keyword and leaves the command unnamed.
      const name = node.childForFieldName("command_name")?.text ?? node.text.split(/\s/, 1)[0] ?? "";
      const elements = node.childForFieldName("command_elements");
      const parameters = (elements?.children ?? [])
        .filter((child): child is Node => child?.type === "command_parameter")
        .map((child) => child.text.replace(/^-/, "").replace(/:$/, ""));
      return { name, parameters, line: node.startPosition.row + 1 };
    });
}
