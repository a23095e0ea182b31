import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  INDEX_ARTIFACT_TYPE,
  registryIndexStore
} from "./chunk-HYINDWZB.js";
import "./chunk-JS4HFMOL.js";
import "./chunk-QY7ACVH5.js";
import "./chunk-XY2GKEIH.js";
import "./chunk-V2K6CCND.js";
import "./chunk-BS25TXF5.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  INDEX_ARTIFACT_TYPE,
  registryIndexStore
};
