import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  loadValidMatrixAnnotated,
  run
} from "./chunk-6X4MUPG3.js";
import "./chunk-3E4IOH2B.js";
import "./chunk-AOOP3KWP.js";
import "./chunk-UIOSOCKZ.js";
import "./chunk-VABCLRSN.js";
import "./chunk-BS25TXF5.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  loadValidMatrixAnnotated,
  run
};
