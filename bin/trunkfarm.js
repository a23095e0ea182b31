#!/usr/bin/env node
// Runs the bundled CLI; `npm run build` writes dist/cli.js from src/cli.
import '../dist/cli.js';
