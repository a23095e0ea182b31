import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);

// src/types.ts
var ARCHES = ["amd64", "arm64"];
var ISA_BASELINES = {
  amd64: ["x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4"],
  arm64: ["armv8-a", "armv8.1-a", "armv8.2-a", "armv8.3-a", "armv8.4-a", "armv8.5-a", "armv8.6-a", "armv9-a"]
};
var EXTENSION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
var LIBCS = ["glibc", "musl"];
var TRUNK_OS = { glibc: "gnulinux", musl: "musllinux" };

export {
  ARCHES,
  ISA_BASELINES,
  EXTENSION_NAME,
  LIBCS,
  TRUNK_OS
};
