import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  INDEX_ARTIFACT_TYPE,
  LATEST_NOT_MOVED,
  registryIndexStore
} from "./chunk-BUUKY63F.js";
import "./chunk-OKZLGS3U.js";
import "./chunk-VABCLRSN.js";
import "./chunk-BS25TXF5.js";
import "./chunk-MAW6PNMB.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  INDEX_ARTIFACT_TYPE,
  LATEST_NOT_MOVED,
  registryIndexStore
};
