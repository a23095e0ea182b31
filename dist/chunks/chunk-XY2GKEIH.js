import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);

// src/version.ts
var VERSION = "0.1.0";
var RECIPE_VERSION = "1";

export {
  VERSION,
  RECIPE_VERSION
};
