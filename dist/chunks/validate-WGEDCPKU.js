import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  loadValidMatrixAnnotated,
  run
} from "./chunk-MN3Q2E4U.js";
import "./chunk-7W66XNCF.js";
import "./chunk-B2HH34ZW.js";
import "./chunk-V2K6CCND.js";
import "./chunk-BS25TXF5.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  loadValidMatrixAnnotated,
  run
};
