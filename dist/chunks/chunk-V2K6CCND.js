import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);

// src/types.ts
var ARCHES = ["amd64", "arm64"];
var EXTENSION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
var LIBCS = ["glibc", "musl"];
var TRUNK_OS = { glibc: "gnulinux", musl: "musllinux" };

export {
  ARCHES,
  EXTENSION_NAME,
  LIBCS,
  TRUNK_OS
};
