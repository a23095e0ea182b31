import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  loadValidMatrixAnnotated,
  run
} from "./chunk-OYGKA5CO.js";
import "./chunk-JYD3ONNL.js";
import "./chunk-4SXJNQIC.js";
import "./chunk-E3AMED6D.js";
import "./chunk-BS25TXF5.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  loadValidMatrixAnnotated,
  run
};
