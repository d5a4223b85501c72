import { config } from "zod/v4/core";

// Zod compiles object parsers with `new Function` when it finds that the page allows eval, and its
// probe for that is itself reported as a Content-Security-Policy violation (the policy forbids eval).
// Next runs this file before hydration, so every schema the browser builds parses without compiling.
config({ jitless: true });
