#!/usr/bin/env node
// Launcher for the Portcullis CLI: loads cli/portcullis.ts through tsx's API,
// so it works as `npx portcullis ...` in the repository and as
// `node bin/portcullis.mjs ...` without a build step.
import { tsImport } from "tsx/esm/api";

const { main } = await tsImport("../cli/portcullis.ts", import.meta.url);
process.exitCode = await main(process.argv.slice(2));
