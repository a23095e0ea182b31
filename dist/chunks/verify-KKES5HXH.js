import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  run,
  trunkContents,
  verifyOptions
} from "./chunk-ZT3S6RG2.js";
import "./chunk-SDUI5IA7.js";
import "./chunk-Y4FBV32I.js";
import "./chunk-R5N6SZHY.js";
import "./chunk-E3AMED6D.js";
import "./chunk-2RFBY7R3.js";
import "./chunk-3G24UW4F.js";
import "./chunk-QFUYMEF4.js";
import "./chunk-XY2GKEIH.js";
import "./chunk-BS25TXF5.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  run,
  trunkContents,
  verifyOptions
};
